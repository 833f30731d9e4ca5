"""Routing bench: accuracy, abstentions, misroutes, speed and catalog load time on a labelled set,
beside a naive substring matcher over the same catalog, in the same run.

    .venv/bin/python bench/routing.py [DEV.jsonl] [--catalog PATH] [--stemmer affix|sastrawi|none]
                                      [--learn K] [--failures]

Accuracy counts an abstention as not correct; a misroute is a wrong agency (worse than triage).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from routing.catalog import Catalog, load_catalog
from routing.matcher import Router
from routing.normalize import AffixStripper, NoStemmer, SastrawiStemmer, Stemmer

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DEV = REPO / "tests" / "routing" / "data" / "dev.jsonl"
DEFAULT_CATALOG = REPO / "routing" / "catalog" / "kediri.yaml"

Route = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    text: str
    opd: str | None  # None: the message should be triaged (greeting, thanks, off-topic)


@dataclass(frozen=True, slots=True)
class Score:
    n: int
    correct: int
    abstained: int
    misrouted: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    def line(self, name: str) -> str:
        n = self.n or 1
        return (
            f"{name:<12} accuracy {self.correct / n:6.1%}  abstain {self.abstained / n:6.1%}  "
            f"misroute {self.misrouted / n:6.1%}  (n={self.n})"
        )


def read_items(path: Path) -> list[Item]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [Item(r["id"], r["text"], r["opd"]) for r in rows]


def evaluate(route: Route, items: Sequence[Item]) -> tuple[Score, list[tuple[Item, str | None]]]:
    got = [(item, route(item.text)) for item in items]
    correct = sum(1 for item, opd in got if opd == item.opd)
    abstained = sum(1 for _, opd in got if opd is None)
    misrouted = sum(1 for item, opd in got if opd is not None and opd != item.opd)
    return Score(len(got), correct, abstained, misrouted), got


def _opd_of(router: Router) -> Route:
    return lambda text: router.route(text).opd


def naive_router(catalog: Catalog) -> Route:
    """The baseline: lower-cased substring search for every keyword, most hits wins."""
    phrases = [(a.code, kw.phrase.lower()) for a in catalog.agencies for kw in a.keyword_list()]

    def route(text: str) -> str | None:
        lowered = text.lower()
        hits = Counter(code for code, phrase in phrases if phrase in lowered)
        if not hits:
            return None
        (best, top), *rest = hits.most_common()
        return None if rest and rest[0][1] == top else best

    return route


def throughput(route: Route, texts: Sequence[str], seconds: float = 1.0) -> float:
    done, start = 0, time.perf_counter()
    while done == 0 or time.perf_counter() - start < seconds:
        for text in texts:
            route(text)
        done += len(texts)
    return done / (time.perf_counter() - start)


def confusion(got: list[tuple[Item, str | None]]) -> str:
    per: dict[str, Counter[str]] = {}
    for item, opd in got:
        per.setdefault(item.opd or "(triage)", Counter())[opd or "(triage)"] += 1
    lines = [f"{'agency':<15} {'n':>3} {'ok':>4} {'triage':>6}  misrouted to"]
    for code in sorted(per, key=lambda c: -sum(per[c].values())):
        counts = per[code]
        wrong = ", ".join(
            f"{c}×{k}" for c, k in counts.most_common() if c not in (code, "(triage)")
        )
        triaged = counts["(triage)"] if code != "(triage)" else 0
        lines.append(
            f"{code:<15} {sum(counts.values()):>3} {counts[code]:>4} {triaged:>6}  {wrong}"
        )
    return "\n".join(lines)


def make_stemmer(name: str) -> Stemmer:
    if name == "sastrawi":
        return SastrawiStemmer()
    return NoStemmer() if name == "none" else AffixStripper()


def learning(catalog: Catalog, items: list[Item], stemmer: Stemmer, k: int, rounds: int) -> str:
    """Hold-out: learn from k items the catalog gets wrong, score the rest before and after."""
    base = Router(catalog, stemmer=stemmer)
    wrong = [
        item for item in items if item.opd is not None and base.route(item.text).opd != item.opd
    ]
    lines = [f"learning: {len(wrong)} dev items the catalog alone does not get right"]
    for seed in range(rounds):
        taught = random.Random(seed).sample(wrong, min(k, len(wrong)))
        taught_ids = {item.id for item in taught}
        rest = [item for item in items if item.id not in taught_ids]
        learned = Router(
            catalog, [(i.text, i.opd) for i in taught if i.opd is not None], stemmer=stemmer
        )
        before, got_before = evaluate(_opd_of(base), rest)
        after, got_after = evaluate(_opd_of(learned), rest)
        harmed = sum(
            1
            for (item, old), (_, new) in zip(got_before, got_after, strict=True)
            if old == item.opd and new != item.opd
        )
        rng = random.Random(seed)
        retold = [Item(i.id, _retell(i.text, rng), i.opd) for i in taught if i.opd is not None]
        retold_before, _ = evaluate(_opd_of(base), retold)
        retold_after, _ = evaluate(_opd_of(learned), retold)
        lines.append(
            f"  seed {seed}: learn {len(taught)} -> rest n={before.n}: accuracy "
            f"{before.accuracy:.1%} -> {after.accuracy:.1%}, misroute "
            f"{before.misrouted / before.n:.1%} -> {after.misrouted / after.n:.1%}, "
            f"correct answers made wrong: {harmed}; the same reports retold with typos: "
            f"{retold_before.accuracy:.0%} -> {retold_after.accuracy:.0%}"
        )
    return "\n".join(lines)


def _retell(text: str, rng: random.Random) -> str:
    """The same complaint sent again: a word dropped, letters swapped, case changed."""
    words = text.split()
    if len(words) > 4:
        del words[rng.randrange(len(words))]
    for _ in range(2):
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 3:
            j = rng.randrange(len(w) - 1)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words).lower()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("dev", nargs="?", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    parser.add_argument("--stemmer", choices=["affix", "sastrawi", "none"], default="affix")
    parser.add_argument("--learn", type=int, default=10, help="corrections per learning round")
    parser.add_argument("--failures", action="store_true", help="print every wrong answer")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    catalog = load_catalog(args.catalog)
    load_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    stemmer = make_stemmer(args.stemmer)
    router = Router(catalog, stemmer=stemmer)
    build_ms = (time.perf_counter() - start) * 1000
    items = read_items(args.dev)
    texts = [item.text for item in items]

    score, got = evaluate(lambda t: router.route(t).opd, items)
    naive_score, _ = evaluate(naive := naive_router(catalog), items)
    hard = [item for item in items if item.id in _hard_ids(args.dev)]
    hard_score, _ = evaluate(lambda t: router.route(t).opd, hard)
    fresh = Router(catalog, stemmer=stemmer)
    cold = throughput(lambda t: fresh.route(t).opd, texts, seconds=0.0)
    speed = throughput(lambda t: router.route(t).opd, texts)
    naive_speed = throughput(naive, texts)
    taught = Router(
        catalog,
        [(i.text + f" {n}", i.opd) for n in range(3) for i in items if i.opd is not None],
    )
    taught_speed = throughput(_opd_of(taught), texts)

    print(f"dev set {args.dev} ({len(items)} messages), stemmer: {args.stemmer}")
    print(f"catalog load {load_ms:.1f} ms, router build {build_ms:.1f} ms")
    print(score.line("router"))
    print(hard_score.line("  hard only"))
    print(naive_score.line("naive"))
    print(
        f"speed: router {speed:,.0f} msg/s (first pass, cold caches {cold:,.0f}), "
        f"naive {naive_speed:,.0f} msg/s; accuracy ratio router/naive "
        f"{score.accuracy / max(naive_score.accuracy, 1e-9):.2f}"
    )
    print(f"speed with {len(taught.examples):,} stored corrections: {taught_speed:,.0f} msg/s")
    print(confusion(got))
    print(learning(catalog, items, stemmer, args.learn, rounds=3))
    if args.failures:
        for item, opd in got:
            if opd != item.opd:
                result = router.route(item.text)
                print(f"{item.id} {item.opd}->{opd} {result.scores} {item.text[:110]}")


def _hard_ids(path: Path) -> set[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return {r["id"] for r in rows if r.get("hard")}


if __name__ == "__main__":
    main()
