"""/timezone takes the IANA name of a real place (or UTC), in any case, or a city that names one
zone; anything else is refused with the names it may have meant."""

from __future__ import annotations

from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.people import find_zone, zone_places
from core.refusal import BadArgument

PLACES = zone_places(available_timezones())


def refusal(typed: str) -> BadArgument:
    with pytest.raises(BadArgument) as caught:
        find_zone(typed, PLACES)
    assert caught.value.code == "timezone.unknown"
    return caught.value


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("  America/New York ", "America/New_York"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("GMT", "GMT"),
        ("Etc/UTC", "Etc/UTC"),
        ("US/Eastern", "US/Eastern"),  # an old alias, still a place's rules
        ("Europe/Kiev", "Europe/Kiev"),
        ("berlin", "Europe/Berlin"),  # a city that names one zone
        ("new york", "America/New_York"),
        ("Tokyo", "Asia/Tokyo"),
        ("Etc/GMT-3", "Etc/GMT-3"),  # taken when typed in full; never offered
    ],
)
def test_places_are_found_however_they_are_written(typed: str, zone: str) -> None:
    assert find_zone(typed, PLACES) == zone
    ZoneInfo(zone)


@pytest.mark.parametrize(
    "typed", ["localtime", "Factory", "posixrules", "posix/Europe/Berlin", "right/UTC", "LOCALTIME"]
)
def test_what_is_in_the_database_but_no_place_is_refused(typed: str) -> None:
    suggestions = refusal(typed).params["suggestions"]
    assert set(suggestions) <= {"Europe/Berlin", "UTC"}  # posix/Europe/Berlin: the place itself


def test_a_near_miss_suggests_the_place_it_may_mean() -> None:
    assert refusal("berln").params["suggestions"] == ("Europe/Berlin",)
    assert refusal("Europe/Moskow").params["suggestions"][0] == "Europe/Moscow"
    assert refusal("tokio").params["suggestions"] == ("Asia/Tokyo",)
    assert refusal("eastern").params["suggestions"] == ("Canada/Eastern", "US/Eastern")


@pytest.mark.parametrize("typed", ["UTC+3", "gmt-5", "+3", "3", "Mars/Olympus", "<b>", ""])
def test_offsets_and_nonsense_are_refused_without_a_misleading_suggestion(typed: str) -> None:
    # Etc/GMT+3 is UTC−3: offering it for UTC+3 would move the person's clock the wrong way.
    assert refusal(typed).params["suggestions"] == ()


def test_a_very_long_name_is_refused_before_any_search() -> None:
    assert refusal("Europe/" + "x" * 5000).params == {
        "typed": "Europe/" + "x" * 33,
        "suggestions": (),
    }


def test_every_place_offered_loads() -> None:
    assert "localtime" not in PLACES and "factory" not in PLACES
    for name in PLACES.values():
        ZoneInfo(name)


@given(st.text(max_size=60))
def test_any_text_is_a_place_or_a_refusal(typed: str) -> None:
    try:
        found = find_zone(typed, PLACES)
    except BadArgument as refused:
        assert all(s in PLACES.values() for s in refused.params["suggestions"])
        return
    assert found in PLACES.values()
