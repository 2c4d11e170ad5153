"""One address per article: tracking stripped, case and slashes settled, glued hosts undone."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from core.news.urls import canonical_url

COINTELEGRAPH = "https://cointelegraph.com/news/brazils-petrobras-uses-cardano"


def test_the_rss_tracking_parameters_of_cointelegraph_are_stripped() -> None:
    link = COINTELEGRAPH + "?utm_source=rss_feed&utm_medium=rss&utm_campaign=rss_partner_inbound"
    assert canonical_url(link) == COINTELEGRAPH


def test_click_ids_and_referrers_are_stripped_and_the_rest_kept_sorted() -> None:
    url = "https://decrypt.co/380005/x?ref=tw&fbclid=a&gclid=b&p=2&id=7&utm_term=z"
    assert canonical_url(url) == "https://decrypt.co/380005/x?id=7&p=2"


def test_scheme_and_host_are_lower_cased_but_the_path_is_not() -> None:
    assert (
        canonical_url("HTTPS://WWW.CoinDesk.COM/Markets/X") == "https://www.coindesk.com/Markets/X"
    )


def test_the_fragment_default_port_and_trailing_slash_go() -> None:
    assert canonical_url("https://bitcoinmagazine.com:443/news/imf/#comments") == (
        "https://bitcoinmagazine.com/news/imf"
    )
    assert canonical_url("http://a.example:8080/x/") == "http://a.example:8080/x"


def test_the_root_keeps_its_slash() -> None:
    assert canonical_url("https://cryptopotato.com") == "https://cryptopotato.com/"
    assert canonical_url("https://cryptopotato.com/") == "https://cryptopotato.com/"


def test_a_url_glued_after_its_site_is_the_url() -> None:
    # as the cryptonews data set has them
    glued = "https://cointelegraph.comhttps://cointelegraph.com/explained/is-web3-like-playing-minecraft"
    assert (
        canonical_url(glued) == "https://cointelegraph.com/explained/is-web3-like-playing-minecraft"
    )


def test_repeated_slashes_fold_and_escapes_are_written_one_way() -> None:
    assert canonical_url("https://a.example//x///y%7e") == "https://a.example/x/y~"
    assert canonical_url("https://a.example/a b") == "https://a.example/a%20b"


def test_what_is_not_a_web_address_has_no_canonical_form() -> None:
    for bad in ("", "not a url", "ftp://a.example/x", "mailto:x@y.z", "https://", "https://a:b/"):
        assert canonical_url(bad) is None


urls = st.builds(
    lambda scheme, host, path, query, fragment: f"{scheme}://{host}/{path}?{query}#{fragment}",
    st.sampled_from(["http", "https", "HTTPS"]),
    st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,12}\.(com|co|io)", fullmatch=True),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=30),
    st.lists(
        st.tuples(
            st.sampled_from(["utm_source", "fbclid", "ref", "id", "p", "page", "q"]),
            st.text(alphabet="abc123 %&=", max_size=5),
        ),
        max_size=4,
    ).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)),
    st.text(alphabet="abc#/", max_size=5),
)


@given(urls)
def test_the_canonical_form_is_its_own_canonical_form(url: str) -> None:
    once = canonical_url(url)
    assert once is not None
    assert canonical_url(once) == once


@given(urls, st.sampled_from(["utm_medium=rss", "fbclid=IwAR0", "gclid=x1", "ref=feed"]))
def test_adding_a_tracking_parameter_changes_nothing(url: str, tracking: str) -> None:
    base, _, fragment = url.partition("#")
    joiner = "&" if "?" in base else "?"
    assert canonical_url(f"{base}{joiner}{tracking}#{fragment}") == canonical_url(url)


@given(urls)
def test_no_tracking_parameter_or_fragment_survives(url: str) -> None:
    once = canonical_url(url)
    assert once is not None
    parts = urlsplit(once)
    names = {name.lower().lstrip("?") for name, _ in parse_qsl(parts.query)}
    assert not parts.fragment
    assert not names & {"utm_source", "fbclid", "ref"}


def test_a_doubled_question_mark_does_not_hide_tracking() -> None:
    assert canonical_url("https://a.example/x??utm_source=rss&id=1") == "https://a.example/x?id=1"
