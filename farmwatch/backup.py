"""Export and import as JSON lines: pages (facts, report document, main text, verdict, match edges and
fingerprints), URL aliases and moderator labels, so an operator can back up, move to another Redis or upgrade.

Line 1 is a header with the fingerprint settings: the index is rebuilt from the exported LSH buckets, which
are only valid under the same settings, so an import into a service configured differently is refused.
Page ids are local to one Redis: every reference to one (edges, composite_of, labels) is written as a URL
and mapped to the target's ids on import, so importing into a Redis that already holds pages is safe.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict

import orjson

from farmwatch.errors import ImportRefused
from farmwatch.services import Services
from farmwatch.store.pages import facts_from_json, facts_to_json
from farmwatch.store.review import ReviewIndex
from farmwatch.store.zipped import pack, unpack

FORMAT = "farmwatch-export"
VERSION = 1
_READABLE = {"facts", "doc", "prov", "text", "edges"}  # written as JSON; every other field as base64 bytes


def export_lines(services: Services, batch: int = 500) -> Iterator[dict]:
    pages = services.pages
    yield {
        "type": "header",
        "format": FORMAT,
        "version": VERSION,
        "exported_at": time.time(),
        "fingerprint": services.settings.fingerprint.model_dump(),
    }
    url_of: dict[int, str] = {}
    aliases: list[tuple[str, int]] = []
    ids: list[int] = []
    for url, page_id in pages.url_map(batch):
        ids.append(page_id)
        aliases.append((url, page_id))
    # The page's own URL is in its facts; every other URL naming it is an alias.
    for start in range(0, len(ids), batch):
        chunk = sorted(set(ids[start : start + batch]))
        for page_id, facts in pages.facts(chunk).items():
            url_of[page_id] = facts.url
    for start in range(0, len(ids), batch):
        chunk = [i for i in dict.fromkeys(ids[start : start + batch]) if i in url_of]
        for fields, edges, aligned in pages.raw_records(chunk):
            if fields:
                yield _page_line(fields, edges, aligned, url_of)
    for url, page_id in aliases:
        if page_id in url_of and url != url_of[page_id]:
            yield {"type": "alias", "url": url, "page_url": url_of[page_id]}
    for label in services.labels.export():
        page_url = url_of.get(label.get("page_id", -1), label.get("url"))  # the page's own URL, as pages use
        label = {**{k: v for k, v in label.items() if k not in ("page_id", "id")}, "url": page_url}
        yield {"type": "label", **label}


def _page_line(
    fields: dict[bytes, bytes], edges: dict[bytes, bytes], aligned: dict[bytes, bytes], url_of: dict[int, str]
) -> dict:
    facts = asdict(facts_from_json(fields[b"facts"]))
    facts["published_at"] = facts["published_at"].isoformat() if facts["published_at"] else None
    facts["composite_of"] = [url_of[i] for i in facts.get("composite_of", []) if i in url_of]
    facts.pop("id")
    line: dict = {"type": "page", "url": facts["url"], "facts": facts}
    line["document"] = orjson.loads(unpack(fields[b"doc"])) if b"doc" in fields else None
    line["provenance"] = orjson.loads(fields[b"prov"]) if b"prov" in fields else None
    line["text"] = unpack(fields[b"text"]).decode() if b"text" in fields else None
    line["edges"] = [
        _edge_line(orjson.loads(raw), url_of[int(other)], url_of)
        for other, raw in edges.items()
        if int(other) in url_of
    ]
    # The earlier pages on other publishers it aligns with in part (KeyLayout.aligned), by URL.
    line["aligned"] = [
        {"url": url_of[int(other)], "publisher": publisher.decode()}
        for other, publisher in aligned.items()
        if int(other) in url_of
    ]
    line["raw"] = {k.decode(): base64.b64encode(v).decode() for k, v in fields.items() if k.decode() not in _READABLE}
    return line


def _edge_line(edge: dict, other_url: str, url_of: dict[int, str]) -> dict:
    """An edge as exported: the pages it names by URL, not id (the other page, those graded with it)."""
    line = {k: v for k, v in edge.items() if k != "other"}
    line["other_url"] = other_url
    line["graded_with"] = [url_of[i] for i in edge.get("graded_with", []) if i in url_of]
    return line


def import_lines(services: Services, lines: Iterable[dict]) -> dict[str, int]:
    """Load an export (read twice: all page URLs get ids first, so references can be mapped)."""
    rows = list(lines)
    if not rows or rows[0].get("type") != "header" or rows[0].get("format") != FORMAT:
        raise ImportRefused("not a farmwatch export (the first line must be its header)")
    if rows[0].get("version") != VERSION:
        raise ImportRefused(f"export format version {rows[0].get('version')} is not {VERSION}")
    mine = services.settings.fingerprint.model_dump()
    theirs = rows[0].get("fingerprint")
    if theirs != mine:
        raise ImportRefused(
            f"the export was made with fingerprint settings {theirs}, this service uses {mine}: "
            "its index would not match; import with the same FARMWATCH_FINGERPRINT__* settings"
        )
    pages = services.pages
    id_of: dict[str, int] = {}
    for row in rows:
        if row.get("type") == "page":
            page_id = pages.page_id(row["url"], create=True)
            assert page_id is not None
            id_of[row["url"]] = page_id
    review = services.review
    counts = {"pages": 0, "aliases": 0, "labels": 0}
    for row in rows:
        kind = row.get("type")
        if kind == "page":
            _import_page(services, row, id_of, review)
            counts["pages"] += 1
        elif kind == "alias" and row["page_url"] in id_of:
            pages.add_alias(row["url"], id_of[row["page_url"]])
            counts["aliases"] += 1
        elif kind == "label" and row.get("url") in id_of:
            page_id = id_of[row["url"]]
            shown = {
                "verdict": row.get("verdict"),
                "score": row.get("score"),
                "sources": [{"url": row["source_url"]}] if row.get("source_url") else [],
            }
            services.labels.add(
                page_id,
                row["url"],
                row["decision"],
                row.get("note", ""),
                shown,
                row.get("moderator"),
                row.get("created_at"),
            )
            review.mark_labelled(page_id)
            counts["labels"] += 1
    return counts


def _import_page(services: Services, row: dict, id_of: dict[str, int], review: ReviewIndex) -> None:
    pages = services.pages
    page_id = id_of[row["url"]]
    facts_data = dict(row["facts"])
    facts_data["id"] = page_id
    facts_data["composite_of"] = [id_of[u] for u in facts_data.get("composite_of", []) if u in id_of]
    facts = facts_from_json(orjson.dumps(facts_data))
    old_buckets = pages.buckets(page_id)
    if old_buckets:
        services.index.remove(page_id, old_buckets)
    mapping: dict[str, bytes] = {k: base64.b64decode(v) for k, v in row.get("raw", {}).items()}
    mapping["facts"] = facts_to_json(facts)
    if row.get("document") is not None:
        mapping["doc"] = pack(orjson.dumps(row["document"]))
    if row.get("provenance") is not None:
        mapping["prov"] = orjson.dumps(row["provenance"])
    if row.get("text") is not None:
        mapping["text"] = pack(row["text"].encode())
    edges = {
        str(id_of[e["other_url"]]): orjson.dumps(
            {
                **{k: v for k, v in e.items() if k != "other_url"},
                "other": id_of[e["other_url"]],
                "graded_with": [id_of[url] for url in e.get("graded_with", []) if url in id_of],
            }
        )
        for e in row.get("edges", [])
        if e.get("other_url") in id_of
    }
    aligned = {str(id_of[a["url"]]): a["publisher"] for a in row.get("aligned", []) if a.get("url") in id_of}
    before = pages.provenances([page_id]).get(page_id)
    was_republished = bool(before and before.get("verdict") == "republished")
    pages.restore_page(facts, mapping, edges, was_republished, aligned)
    buckets = pages.buckets(page_id)  # decoded by the store, whatever its packing
    if buckets:
        services.index.insert(page_id, buckets)
    if row.get("provenance") is not None:
        review.update(facts, row["provenance"])
