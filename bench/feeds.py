"""Feed parsing: defusedxml + ElementTree (what workers use) against feedparser, on one synthetic RSS feed.

python bench/feeds.py   (needs `pip install feedparser` for the comparison; prints items/s of each)
"""

from __future__ import annotations

import time
from collections.abc import Callable

from workers.discovery import parse_feed


def feed(items: int) -> bytes:
    entries = "".join(
        f"<item><title>Story {i}</title><link>https://example.com/story/{i}</link>"
        f"<pubDate>Mon, 01 Jan 2024 10:{i % 60:02d}:00 GMT</pubDate><description>{'text ' * 80}</description></item>"
        for i in range(items)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'.encode()


def rate(parse: Callable[[bytes], object], body: bytes, items: int, rounds: int = 20) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        parse(body)
    return items * rounds / (time.perf_counter() - started)


def main() -> None:
    items = 200
    body = feed(items)
    ours = rate(lambda b: parse_feed(b, "https://example.com/feed"), body, items)
    print(f"defusedxml+ElementTree: {ours:,.0f} items/s ({len(body) / 1024:.0f} KiB feed, {items} items)")
    try:
        import feedparser
    except ImportError:
        print("feedparser: not installed")
        return
    theirs = rate(lambda b: [e.link for e in feedparser.parse(b).entries], body, items)
    print(f"feedparser:             {theirs:,.0f} items/s ({ours / theirs:.1f}x slower than ours)")


if __name__ == "__main__":
    main()
