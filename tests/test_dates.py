"""Publication times as pages write them: a time-zone abbreviation after the time is honoured."""

from __future__ import annotations

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
