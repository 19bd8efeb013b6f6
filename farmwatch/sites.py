"""How farm-like a site is, from its pages' reports. Pure: takes reports, returns a score with reasons."""

from __future__ import annotations

from collections import Counter


def site_summary(host: str, reports: list[dict], pages_seen: int) -> dict:
    """Aggregate a site's page reports into the figures a moderator asks for first."""
    judged = [r for r in reports if r.get("provenance")]
    republished = [r for r in judged if r["provenance"]["verdict"] == "republished"]
    credited = [r for r in republished if r["provenance"].get("attributed")]
    boilerplate = [r["boilerplate"]["score"] for r in reports if r.get("boilerplate")]
    sources = Counter(s["site"] for r in republished for s in r["provenance"]["sources"][:1])
    share_republished = len(republished) / len(judged) if judged else 0.0
    share_credited = len(credited) / len(republished) if republished else None
    mean_boilerplate = sum(boilerplate) / len(boilerplate) if boilerplate else 0.0
    score, reasons = farm_score(len(judged), share_republished, share_credited, mean_boilerplate, len(sources))
    return {
        "site": host,
        "pages_seen": pages_seen,
        "pages_sampled": len(reports),
        "share_republished": round(share_republished, 4),
        "share_credited": round(share_credited, 4) if share_credited is not None else None,
        "mean_boilerplate": round(mean_boilerplate, 4),
        "distinct_sources": len(sources),
        "top_sources": [{"site": site, "pages": count} for site, count in sources.most_common(10)],
        "farm_score": score,
        "reasons": reasons,
    }


def farm_score(
    pages: int, share_republished: float, share_credited: float | None, mean_boilerplate: float, distinct_sources: int
) -> tuple[float, list[str]]:
    """0..1, with the reasons that moved it. Few pages give a cautious score."""
    reasons: list[str] = []
    score = 0.0
    if share_republished:
        score += 0.6 * share_republished
        reasons.append(f"{share_republished:.0%} of its pages republish text first published elsewhere")
    if share_credited is not None and share_republished:
        uncredited = 1.0 - share_credited
        score += 0.15 * uncredited
        if uncredited:
            reasons.append(f"{uncredited:.0%} of its republications do not credit their source")
        else:
            reasons.append("it credits or links the source of every republication")
    if distinct_sources >= 3:
        score += min(0.15, 0.03 * distinct_sources)
        reasons.append(f"copies from {distinct_sources} different sites")
    if mean_boilerplate >= 0.4:
        score += 0.1 * min(1.0, (mean_boilerplate - 0.4) / 0.4)
        reasons.append(f"on average {mean_boilerplate:.0%} of a page is template text")
    confidence = min(1.0, pages / 5)  # one copied page does not make a farm
    if pages < 5:
        reasons.append(f"only {pages} pages seen so far: score held back")
    return round(min(1.0, score) * confidence, 3), reasons
