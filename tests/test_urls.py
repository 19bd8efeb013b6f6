"""URL canonicalisation (farmwatch/analysis/urls.py): w3lib's canonicalize_url under our own rules, each case
of issue 16, and `farmwatch reindex` making a store written under the older normalisation findable again.

Why w3lib and not courlan (both measured on these cases, w3lib 2.5.0 and courlan 1.4.0): courlan keeps
`%2f`/`%2F`, `bücher.de`/`xn--bcher-kva.de` and `/./a/../b` distinct and strips `_gallery` (a prefix match
again), while w3lib unifies all three and keeps every parameter it is not told to drop. Speed on 20,000 article
URLs: w3lib alone 54 µs a URL, courlan 47, the older hand-written code 29; normalize_url takes 12 µs on a URL
with nothing to canonicalise (a fast path checked equal to the full path on 101,437 real links) and 83 µs
otherwise."""

from __future__ import annotations

import re

import pytest

from farmwatch.analysis import urls
from farmwatch.analysis.urls import absolute_url, normalize_url
from farmwatch.config import Settings
from farmwatch.ingest import submit_html
from farmwatch.reindex import migrate_urls, reindex
from farmwatch.reports import page_report
from farmwatch.services import Services


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("http://x.com/a%2fb", "http://x.com/a%2Fb"),
        ("http://bücher.de/x", "http://xn--bcher-kva.de/x"),
        ("http://BÜCHER.de/x", "http://xn--bcher-kva.de/x"),
        ("http://x.com/./a/../b", "http://x.com/b"),
        ("http://x.com/a/b/..", "http://x.com/a"),
        ("http://x.com/%7Euser", "http://x.com/~user"),
        ("http://x.com/café", "http://x.com/caf%C3%A9"),
        ("HTTP://X.com:80/a/?b=2&a=1#frag", "http://x.com/a?a=1&b=2"),
        ("https://x.com:443/", "https://x.com/"),
        ("https://x.com/p?utm_source=a&id=2&fbclid=z&_ga=1", "https://x.com/p?id=2"),
        ("http://x.com./a", "http://x.com/a"),
    ],
)
def test_spellings_of_one_url_have_one_key(a: str, b: str) -> None:
    assert normalize_url(a) == normalize_url(b)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.com/gallery?_gallery=3", "https://x.com/gallery?_gallery=3"),  # not the `_ga` cookie
        ("https://x.com/a?references=1&ref_src=tw", "https://x.com/a?references=1"),
        ("http://x:443/", "http://x:443/"),  # 443 is not http's default port
        ("https://x:80/a", "https://x:80/a"),
        ("http://[::1]:8080/a/", "http://[::1]:8080/a"),
        ("http://x.com/a%2fb", "http://x.com/a%2Fb"),
        ("http://bücher.de/x", "http://xn--bcher-kva.de/x"),
        ("http://x.com/./a/../b", "http://x.com/b"),
        ("https://x.com", "https://x.com/"),
        ("http://[::1", "http://[::1"),  # not a URL: returned as it came
    ],
)
def test_normal_forms(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_different_pages_stay_different() -> None:
    assert normalize_url("http://x.com/a?page=2") != normalize_url("http://x.com/a?page=3")
    assert normalize_url("http://x.com/a%2Fb") != normalize_url("http://x.com/a/b")  # an escaped slash is data
    assert normalize_url("http://x:8080/") != normalize_url("http://x/")
    assert normalize_url("http://x.com/A") != normalize_url("http://x.com/a")


def test_the_fast_path_agrees_with_the_full_canonicalisation(monkeypatch) -> None:
    samples = [
        "https://Example.com/news/2024/02/14/a-story/",
        "http://example.com:8080/a;b/(c)*d!e$f'g@h",
        "https://example.com/.well-known/x",
        "https://example.com/a/..b/.c",
        "https://example.com:443/#top",
        "http://example.com",
    ]
    fast = [normalize_url.__wrapped__(url) for url in samples]
    monkeypatch.setattr(urls, "_PLAIN", re.compile(r"(?!)"))  # never the fast path
    assert fast == [normalize_url.__wrapped__(url) for url in samples]


def test_absolute_links_are_normalised() -> None:
    assert absolute_url("http://bücher.de/a/b", "../c/./d?_gallery=1#x") == "http://xn--bcher-kva.de/c/d?_gallery=1"
    assert absolute_url("http://x.com/", "ftp://x.com/") is None


def test_reindex_makes_urls_stored_under_the_older_normalisation_findable(redis_client) -> None:
    services = Services.create(redis_client, Settings())
    html = (
        b"<html><head><title>A story</title></head><body><article>"
        + b"".join(b"<p>Paragraph %d says something long enough to be indexed as text here.</p>" % n for n in range(8))
        + b"</article></body></html>"
    )
    report = submit_html(services, "http://x.com/b", html)
    page_id = services.pages.page_id(normalize_url("http://x.com/b"))
    assert report and page_id is not None
    # The keys an older farmwatch wrote for these spellings (the hand-written normalisation kept them apart).
    old_keys = {"http://bücher.de/x": page_id, "http://x.com/./a/../c": page_id, "http://y.com/a%2fb": page_id}
    for url, pid in old_keys.items():
        services.pages.add_alias(url, pid)
    assert all(services.pages.page_id(normalize_url(url)) is None for url in old_keys)

    result = reindex(services.index, services.pages)
    assert result["urls_migrated"] == 3
    for url in old_keys:
        assert services.pages.page_id(normalize_url(url)) == page_id
        assert page_report(services, url) is not None
    assert services.pages.page_id("http://bücher.de/x") == page_id  # the old key still answers
    assert migrate_urls(services.pages) == 0  # a second run has nothing to do


_PIECES = (
    "http", "https", "HTTP", "ftp", ":", "//", "/", "a", "B", "x.com", "www.", ".", "-", "?", "#", ";", "=", "&",
    "%2F", ":80", ":443", ":8080", ":99999", ":x", "@", "[", "]", "[::1]", " ", "\t", "\n", "é", "..", "./", "../",
    "utm_source=1", "_ga=2", "~", "\\", "\x00", "\x7f", "😀", "İ", "\u3000", "a;b", "//x.org",
)  # fmt: skip


def test_plain_links_read_without_urljoin_as_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """absolute_url's and host_of's shortcut for plain http(s) links gives what the urllib route gives."""
    import random

    rng = random.Random(16)

    def text(most: int) -> str:
        return "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, most)))

    def url() -> str:
        if rng.random() < 0.3:
            return text(10)
        scheme = rng.choice(["http://", "https://", "HTTP://", "http:/", "//", "", " http://"])
        return scheme + rng.choice(["a.com", "WWW.B.co.uk", "x.com.", "[::1]", "a.com:80", "é.de", ""]) + text(6)

    bases = [None, "", "http://a.com/p/q", "https://a.com/", "http://[::1", "https://x.com/a?b#c", "ftp://x/"]
    cases = [(rng.choice(bases) if rng.random() < 0.7 else url(), url()) for _ in range(20000)]
    fast = [(absolute_url(base, href), urls.host_of(href)) for base, href in cases]
    assert sum(urls._PLAIN_ABSOLUTE.fullmatch(href.strip()) is not None for _, href in cases) > 300
    monkeypatch.setattr(urls, "_PLAIN_ABSOLUTE", re.compile(r"(?!)"))  # never: every link through urljoin
    monkeypatch.setattr(urls, "_PLAIN_HOST", re.compile(r"(?!)"))
    assert fast == [(absolute_url(base, href), urls.host_of(href)) for base, href in cases]


def test_plain_urls_normalised_without_urlsplit_as_with_it() -> None:
    """normalize_url's shortcut for plain URLs (read from the regex's groups) gives what urlsplit and the full
    canonicalisation give."""
    import random

    rng = random.Random(17)
    pieces = [*"/aB.-~!$&'(*+,;=:@%?#_ \t\r\né", "..", "./", "../", "//", "%2f", "#x", "#\n", ":80", "[", "x.html"]
    hosts = ["a.com", "WWW.Ex.CO.uk", "x.com.", ".", "..", "a-b.c", "1.2.3.4", "é.de", "a_b.com", ""]
    cases = [
        rng.choice(["http://", "https://", "HTTP://", "ftp://", " http://", "http://\t"])
        + rng.choice(hosts)
        + rng.choice(["", "", ":80", ":443", ":0080", ":8080", ":65535", ":65536", ":99999"])
        + "".join(rng.choices(pieces, k=rng.randint(0, 8)))
        + rng.choice(["", " ", "\n"])
        for _ in range(20000)
    ]
    shortcut = [url for url in cases if _read_from_groups(url.strip())]
    assert len(shortcut) > 1000
    # What urlsplit reads of them (scheme and host lower-cased, a port past 65535 refused, a default port
    # dropped, no trailing slash): the shortcut's answer.
    assert [normalize_url.__wrapped__(url) for url in shortcut] == [_urlsplit_reading(url) for url in shortcut]


def _read_from_groups(url: str) -> bool:
    plain = urls._PLAIN.fullmatch(url)
    return bool(plain) and not urls._DOT_SEGMENT.search(plain["path"] or "")


def _urlsplit_reading(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = (parts.scheme or "http").lower()
    host = (parts.hostname or "").rstrip(".")
    if port is not None and port != {"http": 80, "https": 443}.get(scheme):
        host = f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return urlunsplit((scheme, host, path, "", ""))


def test_plain_absolute_classes_are_the_excluding_ones() -> None:
    """_PLAIN_ABSOLUTE's ranges of printable ASCII read every character as the classes written as exclusions."""
    excluding = re.compile(
        r"https?://[A-Za-z0-9.-]+(?:/[^?#;\x00-\x20\x7f-\U0010ffff]*)?(?:\?[^#\x00-\x20\x7f-\U0010ffff]+)?"
        r"(?:#[^\x00-\x20\x7f-\U0010ffff]+)?"
    )
    characters = [*map(chr, range(0x3000)), "\ud800", "\uffff", "\U0001f600", "\U0010ffff"]
    for char in characters:
        for url in (f"https://a.b/{char}", f"http://a.b/x?{char}", f"https://a.b/#{char}", f"https://a.b/?q#{char}"):
            assert (urls._PLAIN_ABSOLUTE.fullmatch(url) is None) == (excluding.fullmatch(url) is None), repr(url)
