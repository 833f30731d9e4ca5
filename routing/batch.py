"""Routing many reports at once: `lapor route --batch FILE.jsonl` reads `{"id", "text"}` lines
and writes one JSON object per input. A bad line becomes an `error` row, never a crash, so one
broken export line does not lose the rest of the file."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from routing.explain import explain
from routing.matcher import Router

__all__ = ["explain", "route_jsonl"]


def route_jsonl(router: Router, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """One dict per non-blank input line: `id`, `opd` (None = triage or no complaint),
    `confidence`, `matched`, `candidates`, `complaint` and `small_talk` (what the message is when
    it is no complaint: greeting, thanks...); or `id`, `line`, `error` when it cannot be routed."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {"id": None, "line": number, "error": f"not JSON: {exc.msg}"}
            continue
        if not isinstance(item, dict):
            yield {"id": None, "line": number, "error": 'expected an object {"id", "text"}'}
            continue
        ident = item.get("id")
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            yield {"id": ident, "line": number, "error": "no text to route"}
            continue
        result = router.route(text)
        yield {
            "id": ident,
            "opd": result.opd,
            "confidence": result.confidence,
            "matched": list(result.matched),
            "candidates": list(result.candidates),
            "complaint": result.complaint,
            "small_talk": list(result.small_talk),
        }
