"""The long-lived processes' garbage-collector setting: the API sets it once started, and gives it back untouched
otherwise (the freeze undone at shutdown)."""

from __future__ import annotations

import asyncio
import gc

from farmwatch.collector import YOUNG_COLLECTION_EVERY, collect_less_often
from farmwatch.config import Settings
from farmwatch.store.embedded import EmbeddedRedis
from service.app import create_app


def test_collect_less_often_keeps_the_older_generations_settings() -> None:
    before = gc.get_threshold()
    try:
        collect_less_often()
        assert gc.get_threshold() == (YOUNG_COLLECTION_EVERY, *before[1:])
    finally:
        gc.set_threshold(*before)


def test_the_api_process_collects_less_often_while_it_runs(redis_server: EmbeddedRedis) -> None:
    before = gc.get_threshold()
    app = create_app(redis_server.url, Settings())  # not get_settings(): its cached copy would outlive this test
    seen: list[tuple[int, ...]] = []

    async def run() -> None:
        async with app.router.lifespan_context(app):
            seen.append(gc.get_threshold())
            seen.append((gc.get_freeze_count() > 0,))

    try:
        asyncio.run(run())
        after = gc.get_threshold()
    finally:
        gc.set_threshold(*before)
    assert seen[0][0] == YOUNG_COLLECTION_EVERY
    assert seen[1] == (True,)
    assert gc.get_freeze_count() == 0  # given back at shutdown, with the thresholds
    assert after == before
