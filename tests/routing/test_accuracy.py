"""Regression guard on labelled sets: the dev set shared with the judges, and our own fresh
messages. Timing is the bench's business (bench/routing.py), not a test's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from routing.matcher import Router
from tests.routing.paths import DEV_SET, FRESH_SET


def score(router: Router, path: Path) -> tuple[float, float]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    answers = [(router.route(row["text"]).opd, row["opd"]) for row in rows]
    correct = sum(1 for got, want in answers if got == want)
    wrong = sum(1 for got, want in answers if got is not None and got != want)
    return correct / len(answers), wrong / len(answers)


def test_dev_set_accuracy_and_misroutes(router: Router) -> None:
    if not DEV_SET.exists():
        pytest.skip(f"no dev set at {DEV_SET}")
    accuracy, misroute = score(router, DEV_SET)
    assert accuracy >= 0.90
    assert misroute <= 0.04


def test_fresh_messages_accuracy_and_misroutes(router: Router) -> None:
    accuracy, misroute = score(router, FRESH_SET)
    assert accuracy >= 0.90
    assert misroute <= 0.04
