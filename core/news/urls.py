"""One address per article: the canonical form of a URL, so the same story reached with other
tracking parameters, another case of host, a fragment or a trailing slash is one row."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that say who sent the reader, never which page it is.
TRACKING = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "ref", "ref_src", "ref_url", "referrer", "source", "src", "cmpid",
        "ncid", "ocid", "sr_share", "amp", "_ga", "_gl", "spm", "si", "s_cid", "mkt_tok",
        "share", "via", "feature", "__twitter_impression", "oly_anon_id", "oly_enc_id", "rss",
        "vero_id", "_hsenc", "_hsmi", "hsctatracking",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmb_", "itm_", "ga_")
DEFAULT_PORTS = {"http": 80, "https": 443}
# A base URL and a full URL glued together by a careless feed: "https://a.comhttps://a.com/x".
_GLUED = re.compile(r"^.+?(https?://.+)$", re.IGNORECASE)
_SLASHES = re.compile(r"/{2,}")


def _tracking(name: str) -> bool:
    name = name.lower().lstrip("?")  # "??utm_source=": a doubled "?" is still tracking
    return name in TRACKING or name.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str | None:
    """The canonical form of an http(s) URL, or None when it is not one.

    Scheme and host lower-cased (a leading `www.` kept: it is part of the host), default port
    dropped, tracking parameters (`utm_*`, `fbclid`, `gclid`, `ref`, …) removed and the rest
    sorted, fragment dropped, repeated slashes folded and a trailing slash removed (the root
    keeps its one). A URL glued after another (`https://a.comhttps://a.com/x`) is the last one.
    """
    text = url.strip()
    glued = _GLUED.match(text)
    while glued is not None:
        text = glued.group(1)
        glued = _GLUED.match(text)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # a port that is not a number, brackets that do not close
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not host or any(c.isspace() for c in host):
        return None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _SLASHES.sub("/", quote(unquote(parts.path), safe="/:@!$&'()*+,;=~-._"))
    path = path.rstrip("/")
    kept = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _tracking(name)
    )
    return urlunsplit((scheme, netloc, path or "/", urlencode(kept, doseq=True), ""))
