"""A few human lines on why a report went where it did: for `lapor route TEXT` and the
officers' card, in Indonesian like the rest of what officers read."""

from __future__ import annotations

from routing.catalog import Catalog
from routing.matcher import RouteResult


def explain(result: RouteResult, catalog: Catalog) -> str:
    """Where it goes and how sure, the phrases that decided it, the runners-up."""
    lines = [_verdict(result, catalog)]
    decided = [ev for ev in result.evidence if ev.agency == result.opd or result.opd is None]
    keywords = [f'"{ev.phrase}"' for ev in decided if ev.kind in ("keyword", "context")]
    if keywords:
        lines.append("  kata kunci: " + ", ".join(dict.fromkeys(keywords)))
    examples = [ev for ev in decided if ev.kind == "example"]
    for ev in examples[:2]:
        where = _label(catalog, ev.agency)
        lines.append(f'  mirip koreksi sebelumnya ({where}): "{_short(ev.phrase)}"')
    negated = [f'"{ev.phrase}"' for ev in result.evidence if ev.kind == "negated"]
    if negated:
        lines.append("  disangkal pelapor: " + ", ".join(dict.fromkeys(negated)))
    others = [code for code in result.candidates if code != result.opd]
    if others:
        runners = ", ".join(f"{_label(catalog, c)} {result.scores.get(c, 0):g}" for c in others)
        lines.append(("  kandidat: " if result.opd is None else "  kandidat lain: ") + runners)
    return "\n".join(lines)


def _verdict(result: RouteResult, catalog: Catalog) -> str:
    if result.small_talk:
        tags = ", ".join(result.small_talk)
        return f"→ bukan laporan ({tags}): tidak ada kata kunci yang dikenali"
    sure = f"keyakinan {result.confidence:.0%}"
    if result.opd is None:
        if not result.candidates:
            return "→ triase: tidak ada kata kunci yang dikenali"
        return f"→ triase: belum cukup yakin ({sure})"
    agency = catalog.by_code.get(result.opd)
    external = agency is not None and agency.kind == "external"
    referred = " — instansi luar, pelapor diberi rujukan" if external else ""
    return f"→ {_label(catalog, result.opd)} ({sure}){referred}"


def _label(catalog: Catalog, code: str) -> str:
    agency = catalog.by_code.get(code)
    return f"{agency.label} ({code})" if agency and agency.label != code else code


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
