"""Operator commands: `farmwatch keys create|list|revoke`, `farmwatch export|import` (joined in cli.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import redis
import typer

from farmwatch.config import get_settings
from farmwatch.store.api_keys import ROLES, KeyStore

keys_app = typer.Typer(help="API keys: create, list, revoke (stored in Redis as hashes only).", no_args_is_help=True)


@contextmanager
def operator_redis() -> Iterator[redis.Redis]:
    """Redis for a one-off command: REDIS_URL, else the embedded server (started for the command if not running)."""
    from farmwatch.store.connection import connect

    settings = get_settings()
    server = None
    if settings.redis_url:
        url = settings.redis_url
    else:
        from farmwatch.store.embedded import EmbeddedRedis

        server = EmbeddedRedis(settings.data_dir)
        url = server.start()  # reuses a server that `farmwatch serve` already runs on this data dir
    client = connect(url)
    try:
        yield client
    finally:
        client.close()
        if server is not None:
            server.stop()  # stops it only if this command started it


def progress_bar(*columns: object) -> Any:
    """A rich progress bar on stderr, shown only when stderr is a terminal (piped or in CI: nothing drawn).

    Lines a command prints to stdout while it is shown appear above it."""
    import sys

    from rich.console import Console
    from rich.progress import Progress

    console = Console(file=sys.stderr)
    return Progress(*columns, console=console, transient=False, disable=not console.is_terminal)


def embedded_store_exists(data_dir: Path) -> bool:
    """Whether FARMWATCH_DATA_DIR holds a store: the embedded Redis's AOF or RDB files, or a server answering on
    its socket. Commands that only read (export) refuse a data dir without one, rather than start an empty
    server in a mistyped path and read nothing from it."""
    data_dir = Path(data_dir)
    names = ("appendonly.aof", "appendonlydir", "farmwatch.rdb", "redis.sock")
    return any((data_dir / name).exists() for name in names)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
    name: Annotated[str, typer.Option(help="Who or what the key is for (shown by `keys list`).")] = "",
    rate: Annotated[str | None, typer.Option(help="Own rate limit, e.g. '100/minute' (default: the role's).")] = None,
    if_none: Annotated[
        bool, typer.Option("--if-none", help="Only when no key exists yet (a first-run bootstrap); else do nothing.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option(help="Write the key to this file (mode 600) instead of printing it.")
    ] = None,
) -> None:
    """Create a key and print it once (only its hash is stored)."""
    if role not in ROLES:
        typer.echo(f"error: unknown role {role!r}; one of: {', '.join(ROLES)}", err=True)
        raise typer.Exit(2)
    if rate is not None:
        import limits

        try:
            limits.parse(rate)
        except ValueError as error:
            typer.echo(f"error: bad rate {rate!r}: {error}", err=True)
            raise typer.Exit(2) from error
    with operator_redis() as client:
        keys = KeyStore(client, get_settings().key_prefix)
        if if_none and keys.count():
            typer.echo("keys exist already: none created", err=True)
            return
        token, record = keys.create(role, name, rate)
    if out is not None:
        import os

        out.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(token + "\n")
        typer.echo(f"created {record.role} key {record.id} ({record.name or 'no name'}), written to {out}", err=True)
        return
    typer.echo(f"created {record.role} key {record.id} ({record.name or 'no name'}); it is shown only once:", err=True)
    typer.echo(token)


@keys_app.command("list")
def keys_list() -> None:
    """List keys (id, role, name, created, rate) as JSON lines; secrets are never stored, so never shown."""
    with operator_redis() as client:
        for record in KeyStore(client, get_settings().key_prefix).list():
            typer.echo(
                json.dumps(
                    {
                        "id": record.id,
                        "role": record.role,
                        "name": record.name,
                        "created": record.created,
                        "rate": record.rate,
                    }
                )
            )


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's id (from `keys list`).")]) -> None:
    """Revoke a key: every API process refuses it from the next request on."""
    with operator_redis() as client:
        revoked = KeyStore(client, get_settings().key_prefix).revoke(key_id)
    if not revoked:
        typer.echo(f"error: no key {key_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}", err=True)


def refuse_unprotected(url: str, host: str) -> None:
    """Like Redis's protected mode: off loopback, do not serve until at least one key exists."""
    from service.auth import is_loopback

    if is_loopback(host):
        return
    from farmwatch.store.connection import connect

    client = connect(url)
    try:
        count = KeyStore(client, get_settings().key_prefix).count()
    finally:
        client.close()
    if count == 0:
        typer.echo(
            f"refusing to serve on {host}: no API keys exist, so anyone reaching this address could use the service.\n"
            "Create an admin key first, then start again:\n"
            "    farmwatch keys create --role admin --name me\n"
            "(or bind to loopback, --host 127.0.0.1, where the service answers without keys until one exists)",
            err=True,
        )
        raise typer.Exit(2)


def export_command(
    output: Annotated[Path, typer.Argument(help="File to write (JSON lines); '-' for stdout.")] = Path("-"),
) -> None:
    """Export pages (facts, report, text, verdict, edges), aliases and moderator labels as JSON lines.

    Refused (exit 66) when FARMWATCH_DATA_DIR holds no store and REDIS_URL is unset."""
    import sys

    import orjson
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn

    from farmwatch.backup import export_lines
    from farmwatch.errors import NotFound
    from farmwatch.services import Services

    settings = get_settings()
    if not settings.redis_url and not embedded_store_exists(settings.data_dir):
        raise NotFound(
            f"no store in {settings.data_dir.resolve()} (no Redis files there): set FARMWATCH_DATA_DIR to the data "
            "directory of `farmwatch serve`, or REDIS_URL",
            code="no_store",
        )
    counts: dict[str, int] = {}
    with operator_redis() as client:
        services = Services.create(client, settings)
        total = services.pages.count()  # URLs (pages and aliases): the bar's upper bound
        out = sys.stdout.buffer if str(output) == "-" else output.open("wb")
        columns = (TextColumn("export"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        try:
            with progress_bar(*columns) as progress:
                task = progress.add_task("pages", total=total)
                for line in export_lines(services):
                    counts[line["type"]] = counts.get(line["type"], 0) + 1
                    out.write(orjson.dumps(line) + b"\n")
                    if line["type"] in ("page", "alias"):
                        progress.advance(task)
        finally:
            if out is not sys.stdout.buffer:
                out.close()
    typer.echo(f"exported {json.dumps(counts)}", err=True)
    if not counts.get("page"):
        typer.echo("warning: the store holds no pages", err=True)


def import_command(
    source: Annotated[Path, typer.Argument(help="An export file (JSON lines); '-' for stdin.")],
) -> None:
    """Import an export into this service's Redis (pages already there under the same URL are replaced)."""
    import sys

    import orjson

    from farmwatch.backup import import_lines
    from farmwatch.errors import InputError
    from farmwatch.services import Services

    raw = sys.stdin.buffer.read() if str(source) == "-" else source.read_bytes()
    try:
        lines = [orjson.loads(line) for line in raw.splitlines() if line.strip()]
    except orjson.JSONDecodeError as error:
        raise InputError(f"not JSON lines: {error}", code="not_json_lines") from error
    with operator_redis() as client:
        counts = import_lines(Services.create(client, get_settings()), lines)
    typer.echo(f"imported {json.dumps(counts)}", err=True)
