"""/follow news BTC ETH and /unfollow news BTC|all, as typed: what is followed, and the coins.
Pure."""

from __future__ import annotations

from collections.abc import Sequence

from core.refusal import BadArgument

MAX_FOLLOWED = 20  # coins whose news one person follows
TOPICS = ("news",)  # what can be followed
ALL = "all"


def coins_to_follow(args: Sequence[str]) -> tuple[str, ...]:
    """The coins typed after `news`: () for nothing at all (then what is followed is shown).

    BadArgument `follow.what` for anything but news first, `follow.which_coins` for news and
    no coin."""
    if not args:
        return ()
    if args[0].strip().lower() not in TOPICS:
        raise BadArgument("follow.what", typed=args[0].strip()[:20])
    if len(args) == 1:
        raise BadArgument("follow.which_coins")
    return tuple(args[1:])


def coins_to_unfollow(args: Sequence[str]) -> tuple[str, ...] | None:
    """The coins typed after `news` in /unfollow; None for `all`.

    BadArgument `unfollow.what` when the first word is not news (or nothing was typed),
    `unfollow.which_coins` for news and no coin."""
    if not args or args[0].strip().lower() not in TOPICS:
        raise BadArgument("unfollow.what", typed=args[0].strip()[:20] if args else "")
    rest = args[1:]
    if not rest:
        raise BadArgument("unfollow.which_coins")
    if [a.strip().lower() for a in rest] == [ALL]:
        return None
    return tuple(rest)
