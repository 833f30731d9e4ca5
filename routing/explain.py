"""A few human lines on why a report went where it did: for `lapor route TEXT` and the
officers' card. The words are in `catalog/explain.yaml` (Indonesian, like the rest of what
officers read), not here."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Final

import yaml

from routing.catalog import Catalog
from routing.matcher import RouteResult

TEXTS_PATH: Final = Path(__file__).resolve().parent / "catalog" / "explain.yaml"


@lru_cache(maxsize=1)
def texts() -> dict[str, str]:
    """The message catalogue of explanations, by key."""
    loaded = yaml.safe_load(TEXTS_PATH.read_text(encoding="utf-8"))
    return {str(key): str(value) for key, value in loaded.items()}


def _say(key: str, **fields: object) -> str:
    return texts()[key].format(**fields)


def explain(result: RouteResult, catalog: Catalog) -> str:
    """Where it goes and how sure, the phrases that decided it, the runners-up."""
    lines = [_verdict(result, catalog)]
    decided = [ev for ev in result.evidence if ev.agency == result.opd or result.opd is None]
    keywords = [f'"{ev.phrase}"' for ev in decided if ev.kind in ("keyword", "context")]
    if keywords:
        lines.append(_say("keywords", phrases=", ".join(dict.fromkeys(keywords))))
    examples = [ev for ev in decided if ev.kind == "example"]
    for ev in examples[:2]:
        lines.append(
            _say("like_correction", agency=_label(catalog, ev.agency), text=_short(ev.phrase))
        )
    for ev in (ev for ev in decided if ev.kind == "model"):
        share = f"{ev.weight:.0%}"
        if ev.agency in catalog.by_code:
            lines.append(_say("like_examples", agency=_label(catalog, ev.agency), share=share))
        else:
            lines.append(_say("like_chat", share=share))
    for ev in (ev for ev in decided if ev.kind == "frame"):
        lines.append(_say("told_not_asked", odds=f"{ev.weight:.1f}"))
    negated = [f'"{ev.phrase}"' for ev in result.evidence if ev.kind == "negated"]
    if negated:
        lines.append(_say("denied", phrases=", ".join(dict.fromkeys(negated))))
    others = [code for code in result.candidates if code != result.opd]
    if others:
        runners = ", ".join(f"{_label(catalog, c)} {result.scores.get(c, 0):g}" for c in others)
        lines.append(
            _say("candidates" if result.opd is None else "other_candidates", runners=runners)
        )
    return "\n".join(lines)


def _verdict(result: RouteResult, catalog: Catalog) -> str:
    if result.small_talk:
        named = any(ev.kind in ("keyword", "context") for ev in result.evidence)
        return _say(
            "not_a_report_named" if named else "not_a_report", tags=", ".join(result.small_talk)
        )
    sure = _say("sure", confidence=f"{result.confidence:.0%}")
    if result.opd is None:
        if not result.candidates:
            return _say("triage_nothing_known")
        return _say("triage_unsure", sure=sure)
    agency = catalog.by_code.get(result.opd)
    external = agency is not None and agency.kind == "external"
    return _say(
        "routed_external" if external else "routed", agency=_label(catalog, result.opd), sure=sure
    )


def _label(catalog: Catalog, code: str) -> str:
    agency = catalog.by_code.get(code)
    return f"{agency.label} ({code})" if agency and agency.label != code else code


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
