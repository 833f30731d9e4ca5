"""Regression guard on labelled sets: the dev set shared with the judges, and our own fresh
messages. Timing is the bench's business (bench/routing.py), not a test's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from routing.matcher import Router
from tests.routing.paths import (
    DEV_SET,
    FRESH_SET,
    HOLDOUT2_SET,
    HOLDOUT3_SET,
    HOLDOUT4_SET,
    HOLDOUT5_SET,
    HOLDOUT6_SET,
    HOLDOUT7_SET,
    HOLDOUT8_SET,
    HOLDOUT9_SET,
    HOLDOUT10_SET,
    HOLDOUT11_SET,
    HOLDOUT12_SET,
    HOLDOUT13_SET,
    HOLDOUT14_SET,
    HOLDOUT_SET,
    TRICKY9_SET,
    TWOMAIN_SET,
)


def score(router: Router, path: Path, *, half: int | None = None) -> tuple[float, float]:
    """Accuracy and misroute rate; `half` 0 or 1 keeps the ids ending in an even or odd digit.
    An expected `opd` of null means the message should go to triage (greeting, off-topic)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    if half is not None:
        rows = [row for row in rows if int(row["id"][-1]) % 2 == half]
    answers = [(router.route(row["text"]).opd, row["opd"]) for row in rows]
    correct = sum(1 for got, want in answers if got == want)
    wrong = sum(1 for got, want in answers if got is not None and got != want)
    return correct / len(answers), wrong / len(answers)


def test_dev_set_accuracy_and_misroutes(router: Router) -> None:
    if not DEV_SET.exists():
        pytest.skip(f"no dev set at {DEV_SET}")
    accuracy, misroute = score(router, DEV_SET)
    assert accuracy >= 0.96
    assert misroute <= 0.02


def test_fresh_messages_accuracy_and_misroutes(router: Router) -> None:
    accuracy, misroute = score(router, FRESH_SET)
    assert accuracy >= 0.96
    assert misroute <= 0.02


def test_holdout_accuracy_and_misroutes(router: Router) -> None:
    """Messages written before the catalog was read, with misleading words and Javanese."""
    accuracy, misroute = score(router, HOLDOUT_SET)
    assert accuracy >= 0.96
    assert misroute <= 0.02


@pytest.mark.parametrize("half", [0, 1], ids=["tuned-half", "untouched-half"])
def test_holdout_halves_each_hold(router: Router, half: int) -> None:
    """Neither half alone may hide a collapse of the other: the untouched half (odd ids) is
    the honest estimate for unseen messages."""
    accuracy, misroute = score(router, HOLDOUT_SET, half=half)
    assert accuracy >= 0.96
    assert misroute <= 0.02


STYLES_SET = HOLDOUT_SET.parent / "styles.jsonl"


def styled(router: Router, half: str) -> tuple[float, float, float]:
    """Complaint accuracy and misroute rate, and the share of non-complaints routed nowhere,
    on one half of the round-3 set (written before the router saw it)."""
    rows = [json.loads(line) for line in STYLES_SET.read_text(encoding="utf-8").splitlines()]
    rows = [row for row in rows if row["half"] == half]
    complaints = [(router.route(r["text"]).opd, r["opd"]) for r in rows if r["opd"]]
    chat = [router.route(r["text"]) for r in rows if not r["opd"]]
    correct = sum(1 for got, want in complaints if got == want)
    wrong = sum(1 for got, want in complaints if got is not None and got != want)
    nowhere = sum(1 for result in chat if result.opd is None and result.small_talk)
    return correct / len(complaints), wrong / len(complaints), nowhere / len(chat)


@pytest.mark.parametrize(
    ("half", "accuracy", "misroute"),
    [("tune", 0.98, 0.015), ("untouched", 0.96, 0.015)],
    ids=["tuning-half", "untouched-half"],
)
def test_styles_halves_hold(router: Router, half: str, accuracy: float, misroute: float) -> None:
    """Floors under the round-3 figures (bench/routing.py prints them by style): the
    untouched half was never tuned on, so its floor is what unseen messages get today."""
    got_accuracy, got_misroute, nowhere = styled(router, half)
    assert got_accuracy >= accuracy
    assert got_misroute <= misroute
    assert nowhere >= 0.9


def figures(router: Router, path: Path, half: str | None = None) -> tuple[float, float, float]:
    """Complaint accuracy and misroute rate, and the share of non-complaints that no agency
    gets (a greeting sent to triage costs an officer's look, one sent to an agency a ticket)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    rows = [row for row in rows if half is None or row["half"] == half]
    complaints = [(router.route(r["text"]).opd, r["opd"]) for r in rows if r["opd"]]
    chat = [router.route(r["text"]).opd for r in rows if not r["opd"]]
    correct = sum(1 for got, want in complaints if got == want)
    wrong = sum(1 for got, want in complaints if got is not None and got != want)
    nowhere = chat.count(None) / len(chat) if chat else 1.0  # twomain holds complaints only
    return correct / len(complaints), wrong / len(complaints), nowhere


@pytest.mark.parametrize(
    ("path", "half", "accuracy", "misroute", "nowhere"),
    [
        (HOLDOUT2_SET, None, 0.96, 0.015, 0.95),
        (HOLDOUT3_SET, "a", 0.97, 0.015, 0.97),
        (HOLDOUT3_SET, "b", 0.97, 0.015, 0.97),
        (HOLDOUT4_SET, "a", 0.97, 0.015, 0.94),
        (HOLDOUT4_SET, "b", 0.95, 0.02, 0.97),
        (TWOMAIN_SET, None, 0.93, 0.04, 1.0),
        (HOLDOUT5_SET, "a", 0.97, 0.015, 0.94),
        (HOLDOUT5_SET, "b", 0.94, 0.025, 0.94),
        (HOLDOUT6_SET, "a", 0.97, 0.015, 0.95),
        (HOLDOUT6_SET, "b", 0.95, 0.025, 0.95),
        (HOLDOUT7_SET, None, 0.96, 0.015, 0.97),
        (HOLDOUT8_SET, "a", 0.94, 0.03, 0.96),
        (HOLDOUT8_SET, "b", 0.92, 0.03, 0.89),
        (TRICKY9_SET, None, 0.88, 0.04, 0.92),
        (HOLDOUT9_SET, None, 0.96, 0.015, 0.86),
        (HOLDOUT10_SET, "a", 0.97, 0.015, 0.95),
        (HOLDOUT10_SET, "b", 0.92, 0.02, 0.80),
        (HOLDOUT11_SET, "a", 0.95, 0.015, 0.86),
        (HOLDOUT11_SET, "b", 0.92, 0.026, 0.83),
        (HOLDOUT12_SET, "a", 0.97, 0.015, 0.95),
        (HOLDOUT12_SET, "b", 0.96, 0.015, 0.82),
        (HOLDOUT13_SET, "a", 0.95, 0.02, 0.94),
        (HOLDOUT13_SET, "b", 0.94, 0.02, 0.83),
        (HOLDOUT14_SET, None, 0.92, 0.035, 0.82),
    ],
    ids=[
        "holdout2-untouched",
        "holdout3-a-tuning",
        "holdout3-b-untouched",
        "holdout4-a-tuning",
        "holdout4-b-untouched",
        "twomain-tuning",
        "holdout5-a-tuning",
        "holdout5-b-untouched",
        "holdout6-a-tuning",
        "holdout6-b-untouched",
        "holdout7-untouched",
        "holdout8-a-tuning",
        "holdout8-b-untouched",
        "tricky9-tuning",
        "holdout9-untouched",
        "holdout10-a-tuning",
        "holdout10-b-untouched",
        "holdout11-a-tuning",
        "holdout11-b-untouched",
        "holdout12-a-tuning",
        "holdout12-b-untouched",
        "holdout13-a-tuning",
        "holdout13-b-untouched",
        "holdout14-untouched",
    ],
)
def test_later_rounds_hold(
    router: Router, path: Path, half: str | None, accuracy: float, misroute: float, nowhere: float
) -> None:
    """Floors a little under what bench/routing.py measured when round 13 ended (right /
    wrong / non-complaints nowhere): holdout2 97.2% / 0.8% / 98.4%, holdout3-a 98.9% / 0.0% /
    100%, holdout3-b 98.9% / 0.6% / 100%, holdout4-a 99.0% / 0.5% / 97.1%, holdout4-b 95.5% /
    1.5% / 97.2%, twomain 95.0% / 3.0%, holdout5-a 99.5% / 0.0% / 97.3%, holdout5-b 96.9% /
    2.1% / 100%, holdout6-a 100% / 0.0% / 100%, holdout6-b 98.0% / 1.3% / 100%, holdout7
    98.4% / 0.6% / 100%, holdout8-a 94.9% / 2.5% / 98.3%, holdout8-b 93.0% / 2.2% / 91.4%,
    tricky9 89.4% / 2.8% / 93.4%, holdout9 97.9% / 0.5% / 88.9%, holdout10-a 99.0% / 0.0% /
    97.3%, holdout10-b 93.1% / 1.0% / 82.4%, holdout11-a 97.0% / 0.0% / 89.3%, holdout11-b
    93.5% / 1.9% / 85.2%, holdout12-a 99.3% / 0.0% / 100%, holdout12-b 98.1% / 0.0% / 84.1%,
    holdout13-a 96.1% / 1.0% / 96.3%, holdout13-b (untouched, seen twice) 95.1% / 1.0% /
    85.5%, holdout14 (untouched, seen once) 93.1% / 2.9% / 84.7%: a change that loses more
    than a message or two on sets never tuned on fails here."""
    got_accuracy, got_misroute, got_nowhere = figures(router, path, half)
    assert got_accuracy >= accuracy
    assert got_misroute <= misroute
    assert got_nowhere >= nowhere
