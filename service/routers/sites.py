"""Site aggregates: how farm-like a site is, with reasons."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from farmwatch.reports import site_report
from service.auth import AUTH_ERRORS, Principal, require
from service.deps import AppState, get_state
from service.errors import ApiError
from service.models import ErrorResponse, SiteReport

router = APIRouter(prefix="/v1", tags=["sites"])


@router.get(
    "/sites/{host}",
    response_model=SiteReport,
    responses={404: {"model": ErrorResponse}, **AUTH_ERRORS},
    summary="A site's aggregate: pages seen, share republished and credited, farm score",
)
def get_site(
    host: str,
    state: Annotated[AppState, Depends(get_state)],
    _: Annotated[Principal, Depends(require("moderator", "lookup", "ingest"))],
):
    report = site_report(state.services, host)
    if report is None:
        raise ApiError(404, "unknown_site", f"no pages seen from {host}")
    return report
