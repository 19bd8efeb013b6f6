"""Publication times as pages write them: a time-zone abbreviation after the time is honoured."""

from __future__ import annotations

import http.server
import threading
import warnings
from datetime import UTC, datetime

import pytest

from farmwatch.analysis.page import analyze_html


def page_dated(value: str) -> bytes:
    return (
        f'<html><head><title>Council votes</title><meta name="pubdate" content="{value}"></head>'
        "<body><article><h1>Council votes</h1>"
        + "<p>The council voted on the budget after a long debate about roads and schools in the city.</p>" * 4
        + "</article></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("Tue, 04 Dec 2018 09:16:25 CET", datetime(2018, 12, 4, 8, 16, 25, tzinfo=UTC)),
        ("June 3, 2021 10:00 CEST", datetime(2021, 6, 3, 8, 0, tzinfo=UTC)),
        ("April 28, 2020 6:11 am EDT", datetime(2020, 4, 28, 10, 11, tzinfo=UTC)),
        ("March 1, 2022 19:30 IST", datetime(2022, 3, 1, 14, 0, tzinfo=UTC)),
    ],
)
def test_a_time_with_a_zone_abbreviation_is_read_in_that_zone(written: str, utc: datetime) -> None:
    analysis = analyze_html(page_dated(written), "https://news.example/council-votes")
    assert analysis.published_at == utc


def test_an_unknown_zone_reads_as_utc_without_a_warning_per_page() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        analysis = analyze_html(page_dated("April 28, 2020 6:11 am XYZT"), "https://news.example/council-votes")
    assert analysis.published_at == datetime(2020, 4, 28, 6, 11, tzinfo=UTC)
    assert not [w for w in caught if "tzname" in str(w.message)]


def page_with_only_a_visible_date() -> bytes:
    return (
        "<html><head><title>Council votes</title></head><body><article><h1>Council votes</h1>"
        + "<p>The council voted on the budget after a long debate about roads and schools in the city.</p>" * 4
        + '</article><footer><p id="footer-info-lastmod">This page was last edited on 16 April 2018, at 10:12.</p>'
        + "</footer></body></html>"
    ).encode()


def test_a_date_the_client_gives_comes_before_a_date_guessed_from_the_visible_text() -> None:
    # The visible date can be a "last edited" one, later than the page's copies: the client's own date (a feed's
    # pubDate, an archive's record) is used first, the guess only when there is none.
    guessed = analyze_html(page_with_only_a_visible_date(), "https://wiki.example/council")
    assert (guessed.published_at, guessed.published_from) == (datetime(2018, 4, 16, tzinfo=UTC), "htmldate")
    given = analyze_html(
        page_with_only_a_visible_date(), "https://wiki.example/council", published_hint="2013-10-17T08:00:00Z"
    )
    assert (given.published_at, given.published_from) == (datetime(2013, 10, 17, 8, 0, tzinfo=UTC), "client")


def test_the_page_s_own_metadata_comes_before_the_client_s_date() -> None:
    analysis = analyze_html(
        page_dated("June 3, 2021 10:00 CEST"), "https://news.example/council-votes", published_hint="2013-10-17"
    )
    assert analysis.published_at == datetime(2021, 6, 3, 8, 0, tzinfo=UTC)


def page_with_a_byline(byline: str, below: str = "", head: str = "") -> bytes:
    """An article whose date shows only in its byline under the headline (no meta tag, JSON-LD or <time>)."""
    return (
        f"<html><head><title>Council votes</title>{head}</head><body><article><h1>Council votes on the budget</h1>"
        f'<div class="byline">{byline}</div>'
        + "<p>The council voted on the budget after a long debate about roads and schools in the city.</p>" * 4
        + f"</article>{below}</body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("byline", "day"),
    [
        ("Von Anna Weber, 12.10.2015, 19:16 Uhr", datetime(2015, 10, 12, tzinfo=UTC)),
        ("Veröffentlicht am 1. Mai 2019", datetime(2019, 5, 1, tzinfo=UTC)),
        ("By Jane Doe · April 21, 2022", datetime(2022, 4, 21, tzinfo=UTC)),
        ("Published March 3, 2020, updated March 9, 2020", datetime(2020, 3, 3, tzinfo=UTC)),
    ],
)
def test_the_byline_under_the_headline_dates_the_page(byline: str, day: datetime) -> None:
    analysis = analyze_html(page_with_a_byline(byline), "https://news.example/council-votes")
    assert (analysis.published_at, analysis.published_from, analysis.published_date_only) == (day, "byline", True)


def test_the_byline_s_date_comes_before_htmldate_s_guess_of_a_last_updated_date() -> None:
    # htmldate alone reads the og:updated_time tag here: the day of an edit, weeks after the article.
    updated = '<meta property="og:updated_time" content="2020-06-02T11:57:06+02:00">'
    without_byline = analyze_html(page_with_a_byline("By Jane Doe", head=updated), "https://news.example/council")
    assert (without_byline.published_at, without_byline.published_from) == (
        datetime(2020, 6, 2, tzinfo=UTC),
        "htmldate",
    )
    with_byline = analyze_html(page_with_a_byline("31.03.2020", head=updated), "https://news.example/council")
    assert (with_byline.published_at, with_byline.published_from) == (datetime(2020, 3, 31, tzinfo=UTC), "byline")


def test_an_update_s_date_in_the_byline_is_not_taken_for_the_publication_s() -> None:
    for byline in ("Updated June 13, 2019", "Aktualisiert am 13.06.2019", "Actualizado 27/04/2022 00:00"):
        analysis = analyze_html(page_with_a_byline(byline), "https://news.example/council-votes")
        assert analysis.published_from != "byline", byline


def test_a_dated_teaser_below_the_article_is_not_its_byline() -> None:
    teasers = "".join(
        f'<div class="teaser"><div class="byline">0{n}.02.2021</div><a href="/story-{n}">Story {n}</a></div>'
        for n in range(1, 4)
    )
    analysis = analyze_html(page_with_a_byline("By Jane Doe", below=teasers), "https://news.example/council-votes")
    assert analysis.published_from != "byline"


def test_a_client_s_date_still_comes_before_the_byline_s() -> None:
    analysis = analyze_html(
        page_with_a_byline("Veröffentlicht am 1. Mai 2019"), "https://news.example/council", published_hint="2019-04-30"
    )
    assert (analysis.published_at, analysis.published_from) == (datetime(2019, 4, 30, tzinfo=UTC), "client")


def test_markup_that_reads_as_a_url_is_never_fetched_for_its_date() -> None:
    # htmldate takes a string starting "http" with no space for an address to download: a client's page written so
    # must not make the service fetch it (here a loopback server that would hand back a dated page).
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body><p>Published 2020-01-02</p></body></html>")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        body = f"http://127.0.0.1:{server.server_address[1]}/internal<p>text</p>".encode()
        analysis = analyze_html(body, "https://news.example/a")
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []
    assert analysis.published_at is None
