"""Stored texts and reports are zlib streams, whichever deflate wrote them: stores written before read on."""

from __future__ import annotations

import zlib

import redis

from farmwatch.ingest import submit_html
from farmwatch.services import Services
from farmwatch.store.layout import KeyLayout
from farmwatch.store.zipped import pack, unpack

TEXT = "The council approved the budget after a long debate about the harbour. " * 40


def test_what_is_written_is_a_zlib_stream_and_any_zlib_stream_is_read() -> None:
    data = TEXT.encode()
    assert zlib.decompress(pack(data)) == data
    for level in (1, 6, 9):
        assert unpack(zlib.compress(data, level)) == data
    assert len(pack(data)) < len(data) / 5


def test_a_page_stored_by_plain_zlib_reads_as_before(services: Services, redis_client: redis.Redis) -> None:
    html = (
        f"<html><head><title>Budget</title></head><body><article><h1>Budget</h1><p>{TEXT}</p></article></body></html>"
    )
    submit_html(services, "https://news.example/budget", html.encode(), origin="client")
    page_id = services.pages.page_id("https://news.example/budget")
    assert page_id is not None
    key = KeyLayout(services.settings.key_prefix).page(page_id)
    stored_text, stored_doc = redis_client.hmget(key, ["text", "doc"])
    text, _facts = services.pages.texts_and_facts([page_id])[page_id]
    doc = services.pages.docs([page_id])[page_id]
    # The same values as an earlier version wrote them (the standard library's zlib, level 1 and 6).
    redis_client.hset(
        key, mapping={"text": zlib.compress(unpack(stored_text), 1), "doc": zlib.compress(unpack(stored_doc), 6)}
    )
    assert services.pages.texts_and_facts([page_id])[page_id][0] == text
    assert services.pages.docs([page_id])[page_id] == doc
