"""core.zone_search: the zones a typed city, part of one or a zone's name may mean, best first."""

from __future__ import annotations

from zoneinfo import available_timezones

import pytest

from core.people import zone_places
from core.zone_search import SHOWN, ZoneIndex, normal, search_zones

PLACES = zone_places(available_timezones())


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("berlin", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("  BERLIN ", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("New-York", "America/New_York"),
        ("new_york", "America/New_York"),
        ("sao paulo", "America/Sao_Paulo"),
        ("São Paulo", "America/Sao_Paulo"),
        ("kyiv", "Europe/Kyiv"),
        ("kiev", "Europe/Kyiv"),  # renamed: the zone under its new name
        ("saigon", "Asia/Ho_Chi_Minh"),
        ("calcutta", "Asia/Kolkata"),
        ("utc", "UTC"),
        ("UTC", "UTC"),
        ("york", "America/New_York"),  # a word of a city
        ("los ang", "America/Los_Angeles"),  # the beginning of one
        ("paulo", "America/Sao_Paulo"),
        ("port au prince", "America/Port-au-Prince"),  # dashes in the name
        ("berln", "Europe/Berlin"),  # a near miss
        ("US/Eastern", "US/Eastern"),  # an old alias, by its name
    ],
)
def test_the_best_match_comes_first(typed: str, first: str) -> None:
    found = search_zones(typed, PLACES)
    assert found, typed
    assert found[0] == first


def test_exact_city_is_the_only_match_when_nothing_else_is_like_it() -> None:
    assert search_zones("berlin", PLACES) == ("Europe/Berlin",)
    assert search_zones("kyiv", PLACES) == ("Europe/Kyiv",)


def test_a_renamed_city_is_offered_once_under_its_new_name() -> None:
    for typed in ("kiev", "kyiv", "ky"):
        found = search_zones(typed, PLACES)
        assert "Europe/Kiev" not in found
        assert "Europe/Kyiv" in found


def test_utc_is_not_offered_under_its_other_names() -> None:
    found = search_zones("utc", PLACES)
    assert found[0] == "UTC"
    assert not {"Etc/UTC", "Etc/UCT", "UCT", "Universal", "Zulu"} & set(found)
    assert search_zones("zulu", PLACES) == ("Zulu",)  # asked for by name: still found


def test_partial_words_give_several_ranked_at_most_shown() -> None:
    found = search_zones("new", PLACES)
    assert found[0] == "America/New_York"  # a city beginning with it before a word inside
    assert "America/North_Dakota/New_Salem" in found
    many = search_zones("a", PLACES)
    assert len(many) == SHOWN
    assert len(search_zones("a", PLACES, limit=3)) == 3


def test_continents_come_before_old_aliases() -> None:
    found = search_zones("indianapolis", PLACES)
    assert found[0].startswith("America/")
    assert search_zones("eastern", PLACES)  # only aliases hold it: they are offered


def test_region_lists_its_zones() -> None:
    found = search_zones("europe", PLACES)
    assert len(found) == SHOWN
    assert all(name.startswith("Europe/") for name in found)


@pytest.mark.parametrize("typed", ["", "   ", "xyzzy", "Киев", "x" * 41, "qwertyuiop"])
def test_nothing_found(typed: str) -> None:
    assert search_zones(typed, PLACES) == ()


def test_offsets_are_not_places() -> None:
    assert not any(name.startswith("Etc/") for name in search_zones("gmt", PLACES))


def test_every_match_is_a_zone_of_the_database() -> None:
    names = set(PLACES.values())
    for typed in ("berlin", "new", "a", "kiev", "utc", "america", "berln"):
        assert set(search_zones(typed, PLACES)) <= names


def test_normal() -> None:
    assert normal("  São  Paulo ") == "sao_paulo"
    assert normal("Port-au-Prince") == "port_au_prince"
    assert normal("Ho_Chi Minh") == "ho_chi_minh"


def test_an_index_made_once_finds_the_same() -> None:
    index = ZoneIndex.of(PLACES)
    for typed in ("berlin", "new", "kiev", "utc", "berln", "zulu", "xyzzy", "europe"):
        assert search_zones(typed, index) == search_zones(typed, PLACES)
