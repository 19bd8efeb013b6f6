"""URL normalisation and site identity."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from tld import get_fld
from w3lib.url import canonicalize_url

# Query parameters that never change what a page says: names starting with utm_, and these exact names
# (exact, so `_gallery` or `references` are kept; the older prefix match on `_ga` and `ref_src` dropped them).
_TRACKING_PREFIXES = ("utm_",)
_TRACKING_NAMES = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid", "ocid", "cmpid",
     "_ga", "_gl", "ref_src", "ref_url", "igshid", "mkt_tok"}
)  # fmt: skip
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Second-level labels under which registrable domains sit one level deeper (example.co.uk).
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go", "gob", "nic", "mil", "ltd", "plc"}


# A URL of these characters only (ASCII, no escapes, no user info, no IPv6 host, no spaces) that has no query
# and no dot segment is already what canonicalize_url would make of it, host case and default port aside.
# Its parts are read from the groups, without urlsplit (most links are such URLs).
_PLAIN = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<host>[A-Za-z0-9.-]+)(?::(?P<port>[0-9]+))?"
    r"(?P<path>/[A-Za-z0-9._~!$&'()*+,;=:@/-]*)?(?:#.*)?"
)
_DOT_SEGMENT = re.compile(r"(^|/)\.\.?(/|$)")


def _tracking(pair: str) -> bool:
    name = unquote_plus(pair.split("=", 1)[0]).lower()
    return name in _TRACKING_NAMES or name.startswith(_TRACKING_PREFIXES)


@lru_cache(maxsize=65536)
def normalize_url(url: str) -> str:
    """A stable key for a URL, the one every look-up and every stored record uses.

    w3lib's `canonicalize_url` (Scrapy's; chosen over courlan's, see tests/test_urls.py) does the RFC 3986
    work: lower-case scheme and host, internationalised hosts as IDNA (`bücher.de` = `xn--bcher-kva.de`),
    percent-escapes in one case (`%2f` = `%2F`) and unreserved ones decoded (`%7E` = `~`), dot segments
    resolved (`/./a/../b` = `/b`), the query sorted, the fragment dropped. On top of it: the scheme's own
    default port dropped (`http://x:443/` keeps its port), tracking parameters dropped (`utm_*` and a list of
    exact names), no trailing slash. A string that does not parse as a URL is returned stripped."""
    url = url.strip()
    plain = _PLAIN.fullmatch(url)
    if plain and not _DOT_SEGMENT.search(plain["path"] or ""):
        # The common case, with nothing for canonicalize_url to change but the scheme's and host's case and a
        # default port: read from the regex's groups as urlsplit would read them (a port past 65535 it refuses).
        scheme, host, port = plain["scheme"].lower(), plain["host"].lower().rstrip("."), plain["port"]
        if port is not None:
            if int(port) > 65535:
                return url
            if int(port) != _DEFAULT_PORTS.get(scheme):
                host = f"{host}:{int(port)}"
        return urlunsplit((scheme, host, _path_key(plain["path"]), "", ""))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = (parts.scheme or "http").lower()
    query = "&".join(pair for pair in parts.query.split("&") if pair and not _tracking(pair))
    try:
        canonical = urlsplit(canonicalize_url(urlunsplit((scheme, parts.netloc, parts.path, query, ""))))
        host = (canonical.hostname or "").rstrip(".")
    except (ValueError, UnicodeError):
        return url
    if ":" in host:  # an IPv6 address (hostname drops its brackets)
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, _path_key(canonical.path), canonical.query, ""))


def _path_key(path: str | None) -> str:
    """A URL's path as its key has it: "/" when empty, no trailing slash."""
    path = path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return path


# An http(s) URL's scheme and host alone, up to what ends the host: its hostname is the host, lower-cased.
_PLAIN_HOST = re.compile(r"https?://([A-Za-z0-9.-]+)(?:[/?#]|$)")


def host_of(url: str) -> str:
    url = url.strip()
    plain = _PLAIN_HOST.match(url)
    if plain:  # urlsplit's answer without its work (no user, port, brackets, tabs or newlines to read)
        host = plain.group(1).lower().rstrip(".")
        return host[4:] if host.startswith("www.") else host
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """The publisher-level domain: example.com for news.example.com, example.co.uk for
    www.example.co.uk, and one blog per name on hosting platforms (someone.blogspot.com),
    following the public suffix list bundled with `tld`."""
    host = host.lower().strip(".")
    found = get_fld(host, fix_protocol=True, fail_silently=True, search_private=True)
    if found:
        return found
    labels = host.split(".")  # IP addresses, localhost, unknown suffixes
    if len(labels) <= 2 or labels[-1].isdigit():
        return host
    if labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


@lru_cache(maxsize=65536)
def url_domain(url: str) -> str:
    """The registrable domain of a URL's host, kept: a page's links are asked about again in every pair the
    page is in (and at every judgement of its neighbours), and splitting a URL costs more than the rest."""
    return registrable_domain(host_of(url))


def same_site(url_a: str, url_b: str) -> bool:
    return url_domain(url_a) == url_domain(url_b)


# An absolute http(s) URL without port, user, ";", an empty "?" or "#", spaces or non-ASCII: urljoin gives it back
# as it is (whatever the base's scheme: when the same, urlunparse(urlparse(href)) rebuilds the same string).
# The classes are printable ASCII (! to ~) less "?#;", less "#", and all of it: written as ranges, not as what they
# exclude up to \U0010ffff, whose compiling took 6.6 ms of each process (0.1 ms so).
_PLAIN_ABSOLUTE = re.compile(r'https?://[A-Za-z0-9.-]+(?:/[!"$-:<->@-~]*)?(?:\?[!"$-~]+)?(?:#[!-~]+)?')


@lru_cache(maxsize=1024)
def _base_parses(base: str) -> bool:
    """Whether urljoin can read base (it raises ValueError on some, e.g. an unclosed IPv6 bracket)."""
    try:
        urlsplit(base)
    except ValueError:
        return False
    return True


def absolute_url(base: str | None, href: str) -> str | None:
    """href resolved against base and normalised; None for hrefs that are not web URLs."""
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    if _PLAIN_ABSOLUTE.fullmatch(href) and (not base or _base_parses(base)):
        return normalize_url(href)  # most links: urljoin and the port's check would change nothing (2/3 of the time)
    try:
        joined = urljoin(base or "", href)
        if not joined.startswith(("http://", "https://")):
            return None
        _ = urlsplit(joined).port  # raises on a malformed port
    except ValueError:
        return None
    return normalize_url(joined)
