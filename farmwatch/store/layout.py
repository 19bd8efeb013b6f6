"""Every Redis key farmwatch writes, named in one place.

Stores take a `KeyLayout` and ask it for key names; nothing else in the code base spells one. Keys that
one Lua script or MULTI touches together share a hash tag (`{…}`), so the same layout runs on a Redis
Cluster: the id counter and URL map, each job-queue key, the review queue's sets, the API keys.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KeyLayout:
    prefix: str = "fw"

    # --- pages: records, edges, sites ---
    def page(self, page_id: int) -> str:
        """Hash: a page's facts, document, provenance, text and fingerprint."""
        return f"{self.prefix}:page:{page_id}"

    def edges(self, page_id: int) -> str:
        """Hash: other page id -> the edge (shared text) from this page's side."""
        return f"{self.prefix}:edges:{page_id}"

    def aligned(self, page_id: int) -> str:
        """Hash: other page id -> its publisher (registrable domain), for the pages on other publishers this
        page's text aligns with in part but that are no source of it alone (matching.verify_all): one
        publisher's takes of a story, graded together as one source when the last of them arrives."""
        return f"{self.prefix}:aligned:{page_id}"

    @property
    def url_to_id(self) -> str:
        """Hash: normalised URL (and aliases) -> page id."""
        return f"{{{self.prefix}:ids}}:url2id"

    @property
    def page_id_counter(self) -> str:
        return f"{{{self.prefix}:ids}}:pid"

    def site_pages(self, site: str) -> str:
        """Sorted set: a site's page ids by first-seen time."""
        return f"{self.prefix}:site:{site}"

    @property
    def sites(self) -> str:
        """Sorted set: site -> pages stored."""
        return f"{self.prefix}:sites"

    def site_stats(self, site: str) -> str:
        """Hash: a site's running counts (pages judged republished) and its share of republished pages when
        its pages were last judged again for it (`settled`)."""
        return f"{self.prefix}:sitestats:{site}"

    @property
    def sites_changed(self) -> str:
        """Set: sites whose count of republished pages changed since they were last looked at by settle."""
        return f"{self.prefix}:sites:changed"

    def site_template(self, site: str) -> str:
        """Hash: block key -> how many of the site's pages carry it (its template)."""
        return f"{self.prefix}:tpl:{site}"

    @property
    def validators(self) -> str:
        """Hash: fetched URL -> its ETag / Last-Modified and the page it produced."""
        return f"{self.prefix}:validators"

    def farm_score_cache(self, site: str) -> str:
        return f"{self.prefix}:lookup:farm:{site}"

    # --- the LSH index ---
    @property
    def index_layout(self) -> str:
        return f"{self.prefix}:lsh:layout"

    @property
    def index_pattern(self) -> str:
        return f"{self.prefix}:lsh:*"

    def index_group(self, group: int) -> str:
        """A group's first hash; its splits append `:{n}` (one hash tag per group: one cluster slot)."""
        return f"{self.prefix}:lsh:{{{group:x}}}"

    # --- the job queue (one hash tag: its transactions span these keys) ---
    @property
    def queue_tag(self) -> str:
        return f"{{{self.prefix}:q}}"

    def queue(self, name: str) -> str:
        """name: jobs (stream), active, delayed, dead."""
        return f"{self.queue_tag}:{name}"

    def job(self, job_id: str) -> str:
        return f"{self.queue_tag}:job:{job_id}"

    # --- moderation: review queue and labels ---
    def review(self, *parts: str) -> str:
        return ":".join((f"{{{self.prefix}:rq}}", *parts))

    @property
    def labels(self) -> str:
        """Stream: every label, in order."""
        return f"{self.prefix}:labels"

    def page_labels(self, page_id: int) -> str:
        return f"{self.prefix}:labels:page:{page_id}"

    @property
    def latest_labels(self) -> str:
        """Hash: page id -> the page's newest current label (JSON)."""
        return f"{self.prefix}:labels:latest"

    @property
    def deleted_labels(self) -> str:
        """Hash: label id -> when and by whom it was deleted (the label itself stays in the history)."""
        return f"{self.prefix}:labels:deleted"

    # --- feeds, discovery, bulk import ---
    @property
    def feeds(self) -> str:
        return f"{self.prefix}:feeds"

    @property
    def feeds_due(self) -> str:
        return f"{self.prefix}:feeds:due"

    @property
    def discovered(self) -> str:
        return f"{self.prefix}:discovered"

    @property
    def import_progress(self) -> str:
        return f"{self.prefix}:import"

    # --- polite fetching ---
    def robots(self, origin: str) -> str:
        return f"{self.prefix}:robots:{origin}"

    def host_slots(self, host: str) -> str:
        return f"{self.prefix}:host:{host}:slots"

    def host_next(self, host: str) -> str:
        return f"{self.prefix}:host:{host}:next"

    # --- webhooks (one hash tag: the delivery scripts span these keys) ---
    def webhooks(self, name: str) -> str:
        """name: hooks (hash id -> hook), events (stream), deliveries (hash id -> delivery), due (zset of
        deliveries by next attempt), log:{hook id} (zset of a hook's deliveries by time), jobs (zset of
        watched job ids)."""
        return f"{{{self.prefix}:wh}}:{name}"

    # --- API keys, rate limits, metrics ---
    @property
    def api_keys(self) -> str:
        """Hash: key hash -> record (one hash tag with api_key_ids)."""
        return f"{{{self.prefix}:apikeys}}"

    @property
    def api_key_ids(self) -> str:
        return f"{{{self.prefix}:apikeys}}:ids"

    @property
    def rate_limit_prefix(self) -> str:
        """The `limits` library builds its own keys under this prefix."""
        return f"{self.prefix}:rl"

    def metric(self, name: str) -> str:
        return f"{self.prefix}:metrics:c:{name}"
