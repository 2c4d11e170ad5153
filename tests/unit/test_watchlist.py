"""What adding coins does to a watchlist, and when it is full."""

from __future__ import annotations

from core.watchlist import MAX_WATCHED, adding


def test_new_and_already_watched_coins_are_told_apart_in_the_order_asked() -> None:
    asked = adding(["BTC", "ETH"], ["DOGE", "BTC", "SOL"])
    assert (asked.new, asked.already) == (("DOGE", "SOL"), ("BTC",))


def test_a_list_may_fill_up_to_the_limit_but_not_past_it() -> None:
    almost = [f"C{i}" for i in range(MAX_WATCHED - 1)]
    assert adding(almost, ["X"]).fits(almost)
    assert not adding(almost, ["X", "Y"]).fits(almost)
    full = [*almost, "X"]
    assert adding(full, ["X"]).fits(full)  # nothing new: nothing to refuse
