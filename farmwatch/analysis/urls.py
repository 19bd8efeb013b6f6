"""URL normalisation and site identity."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from tld import get_fld

# Query parameters that never change what a page says.
_TRACKING_PREFIXES = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid", "_ga", "ref_src")
# Second-level labels under which registrable domains sit one level deeper (example.co.uk).
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go", "gob", "nic", "mil", "ltd", "plc"}


def normalize_url(url: str) -> str:
    """A stable key for a URL: lower-case scheme and host, no fragment, no
    default port, no tracking parameters, sorted query, no trailing slash."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = (parts.scheme or "http").lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = port if port and port not in (80, 443) else None
    netloc = f"{host}:{port}" if port else host
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/")
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES)
    ]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def host_of(url: str) -> str:
    try:
        host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
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


def same_site(url_a: str, url_b: str) -> bool:
    return registrable_domain(host_of(url_a)) == registrable_domain(host_of(url_b))


def absolute_url(base: str | None, href: str) -> str | None:
    """href resolved against base and normalised; None for hrefs that are not web URLs."""
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        joined = urljoin(base or "", href)
        if not joined.startswith(("http://", "https://")):
            return None
        _ = urlsplit(joined).port  # raises on a malformed port
    except ValueError:
        return None
    return normalize_url(joined)
