"""Playing the attacker: no client can game a verdict.

The original is fetched by the service from a local site (origin "fetched"); attackers hold an `ingest` key
and submit HTML of their own making.
"""

from __future__ import annotations

import html as htmllib

import httpx
import pytest
import redis

from farmwatch.analysis.page import analyze_html
from farmwatch.services import Services
from farmwatch.store.api_keys import KeyStore
from farmwatch.store.jobs import JobQueue
from tests.conftest import SEED, Site
from workers.worker import Worker

# Real article prose (the seed story), without the line that names its publisher: the attacker strips it.
PARAGRAPHS = [
    b.text
    for b in analyze_html((SEED / "original.html").read_bytes(), "https://news.example/x").main_blocks
    if "Epoch" not in b.text and len(b.text) > 60
][:14]


def article(title: str, published: str, paragraphs: list[str], head: str = "", extra: str = "") -> bytes:
    body = "".join(f"<p>{htmllib.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{htmllib.escape(title)}</title>"
        f'<meta property="article:published_time" content="{published}">{head}</head>'
        f"<body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{htmllib.escape(title)}</h1>{body}{extra}</article>"
        "<footer>© 2024 All rights reserved</footer></body></html>"
    ).encode()


ORIGINAL_HTML = article("Border clashes raise concerns for peace talks", "2024-02-14T14:41:00+00:00", PARAGRAPHS)


@pytest.fixture()
def ingest_key(redis_client: redis.Redis) -> dict[str, str]:
    token, _ = KeyStore(redis_client, "fw").create("ingest", "attacker")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture()
def fetched_original(
    api: httpx.Client, services: Services, queue: JobQueue, site: Site, ingest_key: dict[str, str]
) -> str:
    """The original, fetched by the service itself through a worker; returns its URL."""
    site.page("/world/border-clashes", ORIGINAL_HTML)
    job = api.post("/v1/pages", json={"url": site.url("/world/border-clashes")}, headers=ingest_key).json()
    assert Worker(services, queue).run_one(block_ms=2000)
    status = api.get(job["status_url"], headers=ingest_key).json()
    assert status["status"] == "done", status
    report = api.get("/v1/pages", params={"url": status["page_url"]}, headers=ingest_key).json()
    assert report["origin"] == "fetched" and report["provenance"]["verdict"] == "original"
    return report["url"]


def _submit(api: httpx.Client, headers: dict[str, str], url: str, html: bytes) -> dict:
    response = api.post("/v1/pages", json={"url": url, "html": html.decode()}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _kinds(source: dict) -> dict[str, str]:
    return {e["kind"]: e["favours"] for e in source["evidence"]}


def test_original_text_under_a_fake_url_with_an_earlier_date(
    api: httpx.Client, ingest_key: dict[str, str], fetched_original: str
) -> None:
    fake = _submit(
        api,
        ingest_key,
        "https://first-with-the-news.example/2023/border-clashes",
        article("Border clashes raise concerns for peace talks", "2023-01-02T08:00:00+00:00", PARAGRAPHS),
    )
    provenance = fake["provenance"]
    assert provenance["verdict"] == "republished"
    source = provenance["sources"][0]
    assert source["url"] == fetched_original and source["origin"] == "fetched"
    kinds = _kinds(source)
    # The forged date is listed as conflicting evidence, and what decided is said.
    assert kinds["earlier"] == "page" and kinds["unverified"] == "other"
    original = api.get("/v1/pages", params={"url": fetched_original}, headers=ingest_key).json()
    assert original["provenance"]["verdict"] == "original"
    assert fake["url"] in [c["url"] for c in original["provenance"]["copies"]]


def test_a_backdated_copy_loses_to_its_own_source_link_even_between_client_pages(
    api: httpx.Client, ingest_key: dict[str, str]
) -> None:
    original_url = "https://daily-ledger.example/world/border-clashes"
    _submit(api, ingest_key, original_url, ORIGINAL_HTML)
    copy = _submit(
        api,
        ingest_key,
        "https://viral-hub.example/border-clashes",
        article(
            "Border clashes!",
            "2023-06-01T00:00:00+00:00",
            PARAGRAPHS,
            extra=f'<p>Source: <a href="{original_url}">Daily Ledger</a></p>',
        ),
    )
    source = copy["provenance"]["sources"][0]
    assert copy["provenance"]["verdict"] == "republished" and source["url"] == original_url
    kinds = _kinds(source)
    assert kinds["earlier"] == "page" and kinds["source_link"] == "other"  # conflicting, and what decided
    assert source["origin"] == "client" and "unverified" not in kinds


def test_a_farm_page_claiming_a_canonical_link_to_itself(
    api: httpx.Client, ingest_key: dict[str, str], fetched_original: str
) -> None:
    farm_url = "https://truth-wire.example/border-clashes"
    farm = _submit(
        api,
        ingest_key,
        farm_url,
        article(
            "Border clashes",
            "2023-03-03T00:00:00+00:00",
            PARAGRAPHS,
            head=f'<link rel="canonical" href="{farm_url}"><meta property="og:url" content="{farm_url}">',
        ),
    )
    assert farm["provenance"]["verdict"] == "republished"
    source = farm["provenance"]["sources"][0]
    assert source["url"] == fetched_original
    # A canonical link to itself is no evidence of anything.
    assert all(e["kind"] != "canonical" for e in source["evidence"])


def test_a_flood_of_near_copies_does_not_make_the_original_one_copy_among_many(
    api: httpx.Client, ingest_key: dict[str, str], fetched_original: str
) -> None:
    flood = []
    for n in range(12):
        # Each copy reorders a little and adds a line of its own, and claims an ever earlier date.
        paragraphs = PARAGRAPHS[n % 3 :] + PARAGRAPHS[: n % 3] + [f"Share this story with friends, reader number {n}."]
        flood.append(
            _submit(
                api,
                ingest_key,
                f"https://farm{n}.example/border-clashes",
                article(f"Clashes {n}", f"2022-01-{n + 1:02d}T00:00:00+00:00", paragraphs),
            )
        )
    for n, page in enumerate(flood):
        report = api.get("/v1/pages", params={"url": page["url"]}, headers=ingest_key).json()
        assert report["provenance"]["verdict"] == "republished", n
        assert report["provenance"]["sources"][0]["url"] == fetched_original, n
    original = api.get("/v1/pages", params={"url": fetched_original}, headers=ingest_key).json()
    assert original["provenance"]["verdict"] == "original"
    assert len(original["provenance"]["copies"]) >= 12


def test_a_fetch_of_its_own_url_lets_a_true_original_win(
    api: httpx.Client,
    services: Services,
    queue: JobQueue,
    site: Site,
    ingest_key: dict[str, str],
    fetched_original: str,
) -> None:
    """The rule is not "fetched always wins": an earlier page confirmed by fetching its URL is the original."""
    earlier = article("Border clashes", "2023-01-02T08:00:00+00:00", PARAGRAPHS)
    site.page("/archive/border-clashes", earlier)
    url = site.url("/archive/border-clashes", host="localhost")  # another host name: another site
    claimed = _submit(api, ingest_key, url, earlier)
    assert claimed["provenance"]["verdict"] == "republished"  # unverified for now
    job = api.post("/v1/pages", json={"url": url}, headers=ingest_key).json()
    assert Worker(services, queue).run_one(block_ms=2000)
    assert api.get(job["status_url"], headers=ingest_key).json()["status"] == "done"
    confirmed = api.get("/v1/pages", params={"url": url}, headers=ingest_key).json()
    assert confirmed["origin"] == "fetched" and confirmed["provenance"]["verdict"] == "original"
    later = api.get("/v1/pages", params={"url": fetched_original}, headers=ingest_key).json()
    assert later["provenance"]["verdict"] == "republished"


@pytest.mark.parametrize("forgery", ["own-text-with-source-link", "unrelated"])
def test_client_html_under_a_fetched_originals_url_is_refused(
    api: httpx.Client,
    services: Services,
    site: Site,
    ingest_key: dict[str, str],
    fetched_original: str,
    forgery: str,
) -> None:
    """Issue 18: HTML posted under the URL of a page the service fetched used to replace it (origin "client")."""
    farm = site.url("/farm/copy", host="localhost")
    if forgery == "unrelated":
        forged = article("Nothing to see", "2024-02-14T14:41:00+00:00", ["An unrelated text " * 20])
    else:
        forged = article(
            "Border clashes", "2024-02-14T14:41:00+00:00", PARAGRAPHS, extra=f'<p>Source: <a href="{farm}">farm</a></p>'
        )
    before = api.get("/v1/pages", params={"url": fetched_original}, headers=ingest_key).json()
    response = api.post("/v1/pages", json={"url": fetched_original, "html": forged.decode()}, headers=ingest_key)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "fetched_original"
    after = api.get("/v1/pages", params={"url": fetched_original}, headers=ingest_key).json()
    assert after["origin"] == "fetched" and after["provenance"] == before["provenance"]
    assert after["paragraphs"] == before["paragraphs"]


def test_a_fetch_landing_between_a_submissions_check_and_its_write_still_wins(
    api: httpx.Client, services: Services, ingest_key: dict[str, str], fetched_original: str
) -> None:
    """The early check reads the stored page before the submission is analysed; a fetch can land after it.
    Ingesting client HTML as if that had happened (the check passed, then the fetched page was stored)
    must still leave the fetched page as it was."""
    from farmwatch.errors import FetchedOriginal
    from farmwatch.ingest import ingest

    before = api.get("/v1/pages", params={"url": fetched_original}, headers=ingest_key).json()
    forged = article("Border clashes", "2020-01-01T00:00:00+00:00", ["A forged text about something else. " * 30])
    with pytest.raises(FetchedOriginal):
        ingest(services, analyze_html(forged, fetched_original), origin="client")
    after = api.get("/v1/pages", params={"url": fetched_original}, headers=ingest_key).json()
    assert after["origin"] == "fetched" and after["paragraphs"] == before["paragraphs"]
    assert after["provenance"] == before["provenance"] and after["published_at"] == before["published_at"]


def test_a_refetch_never_sends_validators_for_a_page_a_client_supplied(
    api: httpx.Client, services: Services, queue: JobQueue, site: Site, ingest_key: dict[str, str]
) -> None:
    """Validators stored by an earlier fetch are not sent once the stored record came from a client: a 304
    would keep the client's HTML as the page."""
    seen: list[str | None] = []

    def route(handler) -> None:
        seen.append(handler.headers.get("If-None-Match"))
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.send_response(304)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("ETag", '"v1"')
        handler.send_header("Content-Length", str(len(ORIGINAL_HTML)))
        handler.end_headers()
        handler.wfile.write(ORIGINAL_HTML)

    site.routes["/robots.txt"] = lambda h: (h.send_response(404), h.send_header("Content-Length", "0"), h.end_headers())
    site.routes["/story"] = route
    url = site.url("/story")
    # A client's record under the URL, with validators left from an earlier fetch (a state older versions made).
    _submit(api, ingest_key, url, article("Forged", "2020-01-01T00:00:00+00:00", ["A forged text " * 30]))
    services.pages.save_validators(url, {"etag": '"v1"', "page_url": url})
    api.post("/v1/pages", json={"url": url}, headers=ingest_key)
    assert Worker(services, queue).run_one(block_ms=2000)
    assert seen == [None]  # asked unconditionally
    report = api.get("/v1/pages", params={"url": url}, headers=ingest_key).json()
    assert report["origin"] == "fetched" and report["title"] != "Forged"
