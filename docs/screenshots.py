"""Take the README's dashboard screenshots: docs/queue.png, docs/page.png, docs/site.png.

Starts a throwaway real Redis and the API on loopback, ingests the seed case and the provenance-dev
corpus (../shared/corpora), labels one page, then photographs the three views in Debian's chromium.

    python docs/screenshots.py [--corpus ../shared/corpora] [--out docs]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from farmwatch.config import Settings
from farmwatch.store.embedded import EmbeddedRedis, free_port
from service.app import create_app

ROOT = Path(__file__).resolve().parents[1]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def ingest(http: httpx.Client, corpus: Path) -> None:
    case = json.loads((corpus / "seed" / "case.json").read_text())
    for name in ("original", "repost"):
        page = case[name]
        html = (corpus / "seed" / page["html_file"]).read_text()
        http.post("/v1/pages", json={"url": page["url"], "html": html}).raise_for_status()
    dev = corpus / "provenance-dev"
    for line in (dev / "pages.jsonl").read_text().splitlines():
        row = json.loads(line)
        html = (dev / row["html_file"]).read_bytes().decode("utf-8", "replace")
        body = {"url": row["url"], "html": html, "published_at": row.get("published_at")}
        http.post("/v1/pages", json=body).raise_for_status()
    repost = case["repost"]["url"]
    note = "Farm template, Epoch Times text word for word; credits Reuters but not the Epoch Times by name."
    label = {"url": repost, "decision": "confirm", "reason": "farm_copy", "note": note}
    http.post("/v1/labels", json=label).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("needs Debian's chromium (apt-get install chromium)")

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as data:
        redis_server = EmbeddedRedis(Path(data), port=free_port())
        redis_server.start()
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(redis_server.url, Settings()), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=60) as http:
                started = time.monotonic()
                ingest(http, args.corpus)
                print(f"ingested in {time.monotonic() - started:.1f} s")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
                tab = browser.new_page(base_url=base, viewport={"width": 1366, "height": 860})
                case = json.loads((args.corpus / "seed" / "case.json").read_text())
                shots = {
                    "queue.png": ("/dashboard#/queue?verdict=republished&sort=priority", "queue"),
                    "page.png": ("/dashboard#/page?url=" + case["repost"]["url"], "page"),
                    "site.png": ("/dashboard#/site/" + case["repost"]["site"], "site"),
                }
                for name, (path, loaded) in shots.items():
                    tab.goto(path)
                    tab.wait_for_selector(f"#view[data-loaded={loaded}]")
                    if loaded == "queue":
                        tab.keyboard.press("j")
                    if loaded == "page":
                        tab.locator(".column.page mark[tabindex]").nth(2).click()  # and its counterpart, marked
                    tab.screenshot(path=str(args.out / name))
                    print("wrote", args.out / name)
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            redis_server.stop()


if __name__ == "__main__":
    main()
