"""An agency moves one story as several takes, each a page of its own: a paper's story derived from all of
them holds too little of any one to be graded from it alone. Graded against the takes together, it is found
whatever the order the pages arrive in; an original that several later pages of one site each took a part
of, and one site's stories weeks apart, are never read as one source."""

from __future__ import annotations

import httpx
import pytest
import redis

from farmwatch.backup import export_lines, import_lines
from farmwatch.config import Settings
from farmwatch.ingest import submit_html
from farmwatch.reports import page_reports
from farmwatch.services import Services
from tests.test_reuse_provenance import INDEPENDENT, ORIGINAL, REWORDED, html, report, submit

# The story's sentences edited from the original's 0, 1, 4, 6 and 7: two from the first take, three from the
# second, each reworded as a sub-editor does.
STORY = [
    REWORDED[0],
    REWORDED[2],
    "Shop owners near the bridge worry that the closure will drive their customers away, and the chamber of "
    "commerce wants a fund for businesses that lose trade.",
    "Engineers will replace the corroded supports first and then resurface the whole deck, so that one lane "
    "can reopen before the work ends.",
    "Residents may comment on the detour plan at a public meeting in the library on the first Monday of next month.",
]
TAKE_1 = "https://wire.example.com/bridge/take-1"
TAKE_2 = "https://wire.example.com/bridge/take-2"
STORY_URL = "https://paper.example.org/bridge"


def _pages(first_take: str, second_take: str, story: str = "2025-03-04T18:00:00+00:00") -> dict[str, tuple]:
    return {
        "take 1": (TAKE_1, html("Bridge to close", ORIGINAL[0:4], first_take, "wire")),
        "take 2": (TAKE_2, html("Bridge to close (update)", ORIGINAL[4:8], second_take, "wire")),
        "story": (STORY_URL, html("Bridge shuts", STORY, story, "paper")),
    }


@pytest.mark.parametrize(
    "order", [("take 1", "take 2", "story"), ("story", "take 1", "take 2"), ("take 2", "story", "take 1")]
)
def test_a_story_taken_from_an_agencys_takes_is_found_in_any_order(api: httpx.Client, order: tuple) -> None:
    pages = _pages("2025-03-04T09:00:00+00:00", "2025-03-04T09:40:00+00:00")
    for name in order:
        submit(api, *pages[name])
    provenance = report(api, STORY_URL)["provenance"]
    assert provenance["verdict"] == "republished"
    sources = {source["url"]: source for source in provenance["sources"]}
    assert set(sources) == {TAKE_1, TAKE_2}
    for url, other in ((TAKE_1, TAKE_2), (TAKE_2, TAKE_1)):
        assert sources[url]["reuse"] == "wholly"
        assert sources[url]["graded_with"] == [other]
        assert sources[url]["spans"]  # its own: they slice that take's text
        take = report(api, url)
        assert take["provenance"]["verdict"] == "original"
        for span in sources[url]["spans"]:
            assert take["main_text"][span["source_start"] : span["source_end"]].strip()
    # Together the takes account for the story; neither is graded "wholly" on its own.
    assert sum(source["coverage"] for source in sources.values()) >= 0.8


def test_one_take_alone_is_no_wholly_derived_source(api: httpx.Client) -> None:
    pages = _pages("2025-03-04T09:00:00+00:00", "2025-03-04T09:40:00+00:00")
    submit(api, *pages["take 1"])
    submit(api, *pages["story"])
    provenance = report(api, STORY_URL)["provenance"]
    assert all(source["reuse"] != "wholly" for source in provenance["sources"])


def test_one_sites_stories_weeks_apart_are_not_graded_as_one_source(api: httpx.Client) -> None:
    pages = _pages("2025-02-01T09:00:00+00:00", "2025-03-04T09:40:00+00:00", story="2025-03-04T18:00:00+00:00")
    for name in ("take 1", "take 2", "story"):
        submit(api, *pages[name])
    provenance = report(api, STORY_URL)["provenance"]
    assert all(not source["graded_with"] and source["reuse"] != "wholly" for source in provenance["sources"])


@pytest.mark.parametrize(
    ("original_date", "copies_dates"),
    [
        ("2025-03-04T09:00:00+00:00", ["2025-03-05T08:00:00Z", "2025-03-06T08:00:00Z", "2025-03-07T08:00:00Z"]),
        # The original gives its day alone, the copies their hour on that day: no order between them.
        ("2025-03-04", ["2025-03-04T10:00:00Z", "2025-03-04T11:00:00Z", "2025-03-04T12:00:00Z"]),
    ],
)
def test_an_original_that_one_sites_later_pages_each_took_a_part_of_stays_original(
    api: httpx.Client, original_date: str, copies_dates: list[str]
) -> None:
    # A farm's three pages, each a part of the story: together they hold all of it, but an original is never
    # read as made of its copies.
    for n, (part, when) in enumerate(zip([ORIGINAL[0:3], ORIGINAL[3:6], ORIGINAL[5:8]], copies_dates, strict=True)):
        submit(api, f"https://farm.example.net/part-{n}", html(f"Part {n}", part, when, "farm"))
    submit(api, STORY_URL, html("Riverside bridge to close", ORIGINAL, original_date, "gazette"))
    original = report(api, STORY_URL)["provenance"]
    assert original["verdict"] == "original", original


def test_takes_graded_together_and_the_links_that_find_them_survive_export_and_import(
    api: httpx.Client, redis_client: redis.Redis, settings: Settings
) -> None:
    pages = _pages("2025-03-04T09:00:00+00:00", "2025-03-04T09:40:00+00:00")
    submit(api, *pages["take 1"])
    submit(api, *pages["story"])  # aligns with part of take 1, which is no source of it alone
    lines = list(export_lines(Services.create(redis_client, settings)))
    # Into another store whose ids are not the first's: one page there already.
    moved = Services.create(redis_client, settings.model_copy(update={"key_prefix": "moved"}))
    submit_html(moved, "https://elsewhere.example/unrelated", html("Other", INDEPENDENT, "2025-01-01", "elsewhere"))
    import_lines(moved, lines)
    submit_html(moved, *pages["take 2"])  # the last take arrives there: the story is graded with both
    story = page_reports(moved, [STORY_URL])[0]
    assert story is not None and story.provenance is not None
    graded = {source.url: source.graded_with for source in story.provenance.sources}
    assert graded == {TAKE_1: [TAKE_2], TAKE_2: [TAKE_1]}
    # Exported again, the edges name the pages graded with them by URL, as they do the other page.
    exported = next(line for line in export_lines(moved) if line.get("url") == STORY_URL)
    assert sorted(u for e in exported["edges"] for u in e["graded_with"]) == [TAKE_1, TAKE_2]


def test_an_update_repeating_the_first_takes_last_paragraph_grades_the_story_with_it(api: httpx.Client) -> None:
    # The update shares a paragraph with the first take (so each is the other's candidate too); the story
    # arrives between them.
    pages = _pages("2025-03-04T09:00:00+00:00", "2025-03-04T09:40:00+00:00")
    update = html("Bridge to close (update)", ORIGINAL[3:8], "2025-03-04T09:40:00+00:00", "wire")
    submit(api, *pages["take 1"])
    submit(api, *pages["story"])
    submit(api, TAKE_2, update)
    sources = {s["url"]: s for s in report(api, STORY_URL)["provenance"]["sources"]}
    assert sources[TAKE_1]["graded_with"] == [TAKE_2] and sources[TAKE_2]["graded_with"] == [TAKE_1]
    assert {s["reuse"] for s in sources.values()} == {"wholly"}


def test_a_deleted_takes_link_is_dropped_when_the_next_take_reads_it(
    api: httpx.Client, redis_client: redis.Redis, settings: Settings
) -> None:
    pages = _pages("2025-03-04T09:00:00+00:00", "2025-03-04T09:40:00+00:00")
    submit(api, *pages["take 1"])
    submit(api, *pages["story"])  # aligns with part of take 1: the story keeps a link to it
    store = Services.create(redis_client, settings).pages
    story_id, take_1_id = store.page_id(STORY_URL), store.page_id(TAKE_1)
    assert story_id is not None and take_1_id is not None
    links = store.keys.aligned(story_id)
    assert redis_client.hexists(links, str(take_1_id))
    assert api.delete("/v1/pages", params={"url": TAKE_1}).status_code == 200
    submit(api, *pages["take 2"])  # reads the story's links to grade it with the take it took from before
    assert not redis_client.hexists(links, str(take_1_id))
    sources = report(api, STORY_URL)["provenance"]["sources"]
    assert TAKE_1 not in {source["url"] for source in sources}
    assert all(source["graded_with"] == [] for source in sources)
