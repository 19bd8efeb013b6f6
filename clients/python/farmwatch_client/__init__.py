"""Typed Python client for the farmwatch API: `Client` (sync) and `AsyncClient` (async), on httpx.

from farmwatch_client import Client

with Client("http://127.0.0.1:8000", api_key="fwk_…") as fw:
    report = fw.submit_and_wait("https://example.com/article")
    print(report.provenance.verdict)
"""

from farmwatch_client import errors
from farmwatch_client.client import AsyncClient, Client
from farmwatch_client.errors import FarmwatchError
from farmwatch_client.models import (
    BatchItemResult,
    BatchResult,
    Delivery,
    Event,
    FailedJob,
    FailedJobs,
    Feed,
    JobAccepted,
    JobStatus,
    Label,
    Page,
    PageDeleted,
    QueueDepth,
    QueueFilters,
    QueueItem,
    QueuePage,
    SiteGroup,
    SiteGroups,
    SiteList,
    SiteRow,
    SiteView,
    Timeline,
    TimelinePeriod,
    Webhook,
)
from farmwatch_client.report import PageReport, Provenance, SiteReport, Source, Span
from farmwatch_client.signing import SIGNATURE_HEADER, verify_signature

__version__ = "0.1.0"
__all__ = [
    "SIGNATURE_HEADER",
    "AsyncClient",
    "BatchItemResult",
    "BatchResult",
    "Client",
    "Delivery",
    "Event",
    "FailedJob",
    "FailedJobs",
    "FarmwatchError",
    "Feed",
    "JobAccepted",
    "JobStatus",
    "Label",
    "Page",
    "PageDeleted",
    "PageReport",
    "Provenance",
    "QueueDepth",
    "QueueFilters",
    "QueueItem",
    "QueuePage",
    "SiteGroup",
    "SiteGroups",
    "SiteList",
    "SiteReport",
    "SiteRow",
    "SiteView",
    "Source",
    "Span",
    "Timeline",
    "TimelinePeriod",
    "Webhook",
    "errors",
    "verify_signature",
]
