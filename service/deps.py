"""Per-process shared state, handed to routes through FastAPI dependencies."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from farmwatch.services import Services
from farmwatch.store.jobs import JobQueue


@dataclass
class AppState:
    services: Services
    queue: JobQueue


def get_state(request: Request) -> AppState:
    return request.app.state.farmwatch
