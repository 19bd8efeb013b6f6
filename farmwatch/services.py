"""The stores one process works with, built once and handed to every path (ingest, judging, the API)."""

from __future__ import annotations

from dataclasses import dataclass

import redis

from farmwatch.config import Settings
from farmwatch.reindex import check_layout
from farmwatch.store.feeds import FeedStore
from farmwatch.store.jobs import JobQueue
from farmwatch.store.labels import LabelStore
from farmwatch.store.lsh import LshIndex
from farmwatch.store.pages import PageStore
from farmwatch.store.review import ReviewIndex


@dataclass
class Services:
    client: redis.Redis
    settings: Settings
    pages: PageStore
    index: LshIndex
    review: ReviewIndex
    labels: LabelStore
    feeds: FeedStore
    queue: JobQueue

    @classmethod
    def create(cls, client: redis.Redis, settings: Settings) -> Services:
        prefix = settings.key_prefix
        pages = PageStore(client, prefix, settings.fingerprint)
        index = LshIndex(client, prefix, **settings.index.model_dump())
        check_layout(index, pages)  # an index of another layout would silently match nothing
        return cls(
            client,
            settings,
            pages,
            index,
            ReviewIndex(client, prefix),
            LabelStore(client, prefix),
            FeedStore(client, prefix),
            JobQueue.from_settings(client, prefix, settings.jobs),
        )
