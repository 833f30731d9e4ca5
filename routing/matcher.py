"""The matcher: which agency a complaint belongs to, how sure we are, and why.

A message is analysed into catalog words (`routing.normalize.Analyzer`), then every catalog
phrase is looked for in order, allowing a word or two between its words but never across a
clause break. A phrase right after "bukan"/"not" counts for nothing; one that names a place
("pengemis di lampu merah", "sampah dekat pasar") counts for less. Context phrases only add to
an agency a keyword already points to. Corrections people made (examples) add the agency of
the nearest stored report when it is close enough. The top agency wins only when it clearly
leads; otherwise `opd` is None and the report goes to triage with ranked candidates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, Literal

from rapidfuzz import fuzz, process

from routing import lexicon
from routing.catalog import DEFAULT_CONTEXT_WEIGHT, DEFAULT_WEIGHT, Catalog
from routing.normalize import BOUNDARY, Analyzer, Stemmer, normalize

ABSTAIN_BELOW: Final = 0.5  # confidence under which the report goes to triage
PRIOR: Final = 0.35  # evidence a lone weak phrase must outweigh: keeps one faint hit unsure
MAX_GAP: Final = 2  # words allowed between two words of a phrase ("pipa PDAM bocor")
PLACE_FACTOR: Final = 0.35  # "dekat pasar": the phrase says where, not what
AT_FACTOR: Final = 0.6  # "di pasar": weaker hint of a place
EXAMPLE_MIN_SIMILARITY: Final = 72.0  # rapidfuzz token_sort_ratio on analysed text
EXAMPLE_WEIGHT: Final = 2.5  # what an identical stored correction adds
MAX_CANDIDATES: Final = 4
_CACHE_LIMIT: Final = 200_000
_ARTICLES: Final = frozenset({"the", "a", "an", "our", "my"})

EvidenceKind = Literal["keyword", "context", "example", "negated"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason behind a score: a phrase found (or found but negated), or a stored example."""

    agency: str
    phrase: str
    weight: float
    kind: EvidenceKind


@dataclass(frozen=True, slots=True)
class RouteResult:
    opd: str | None  # None: not sure enough, the report goes to triage
    confidence: float  # 0..1
    matched: tuple[str, ...] = ()  # catalog phrases found, best first: the explanation
    candidates: tuple[str, ...] = ()  # agency codes ranked best first (for triage buttons)
    scores: dict[str, float] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()  # every phrase and example that counted, best first


@dataclass(frozen=True, slots=True)
class _Phrase:
    agency: str
    text: str  # as the catalog writes it
    words: tuple[str, ...]
    weight: float
    context: bool


@dataclass(frozen=True, slots=True)
class _Hit:
    at: tuple[int, ...]  # where each of the phrase's words is in the message
    phrase: _Phrase

    @property
    def gaps(self) -> int:
        return self.at[-1] - self.at[0] + 1 - len(self.at)


class Router:
    """Routes texts against one catalog; build once, call `route` from any coroutine."""

    def __init__(
        self,
        catalog: Catalog,
        examples: Iterable[tuple[str, str]] = (),
        *,
        stemmer: Stemmer | None = None,
    ) -> None:
        self.catalog = catalog
        phrases = list(_catalog_phrases(catalog))
        self.analyzer = Analyzer((w for p in phrases for w in p.words), stemmer)
        self._by_first: dict[str, list[_Phrase]] = {}
        for phrase in phrases:
            self._by_first.setdefault(phrase.words[0], []).append(phrase)
        self.examples: list[tuple[str, str]] = []
        self.skipped_examples: list[tuple[str, str]] = []  # their agency is not in the catalog
        self._example_texts: list[str] = []
        for text, code in examples:
            if code in catalog.by_code:
                self.add_example(text, code)
            else:
                self.skipped_examples.append((text, code))

    def add_example(self, text: str, code: str) -> None:
        """Remember that `text` belongs to `code` (a correction); later look-alikes follow it."""
        self.catalog.agency(code)  # CatalogError for a code the catalog does not have
        analysed = " ".join(w for w in self.analyzer.analyze(text) if w != BOUNDARY)
        if analysed:
            self.examples.append((text, code))
            self._example_texts.append(analysed)

    def route(self, text: str) -> RouteResult:
        words = self.analyzer.analyze(text)
        if len(self.analyzer._cache) > _CACHE_LIMIT:
            self.analyzer._cache.clear()
        evidence = self._phrase_evidence(words)
        if self._example_texts:
            evidence.extend(self._example_evidence(words))
        return _decide(evidence)

    def _phrase_evidence(self, words: list[str]) -> list[Evidence]:
        hits: list[_Hit] = []
        for start, word in enumerate(words):
            for phrase in self._by_first.get(word, ()):
                at = _match_rest(words, start, phrase.words)
                if at is not None:
                    hits.append(_Hit(at, phrase))
        found: dict[tuple[str, str], Evidence] = {}
        for hit in _claim_words(hits):
            phrase = hit.phrase
            key = (phrase.agency, phrase.text)
            if _negated(words, hit.at[0], hit.at[-1], len(phrase.words)):
                found.setdefault(key, Evidence(phrase.agency, phrase.text, 0.0, "negated"))
                continue
            weight = phrase.weight * _place_factor(words, hit.at[0])
            kind: EvidenceKind = "context" if phrase.context else "keyword"
            old = found.get(key)
            if old is None or old.weight < weight:
                found[key] = Evidence(phrase.agency, phrase.text, weight, kind)
        return list(found.values())

    def _example_evidence(self, words: list[str]) -> list[Evidence]:
        query = " ".join(w for w in words if w != BOUNDARY)
        best: dict[str, Evidence] = {}
        for _, similarity, index in process.extract(
            query,
            self._example_texts,
            scorer=fuzz.token_sort_ratio,
            limit=3,
            score_cutoff=EXAMPLE_MIN_SIMILARITY,
        ):
            text, code = self.examples[index]
            share = (similarity - EXAMPLE_MIN_SIMILARITY) / (100.0 - EXAMPLE_MIN_SIMILARITY)
            weight = EXAMPLE_WEIGHT * (0.25 + 0.75 * share)
            if code not in best or best[code].weight < weight:
                best[code] = Evidence(code, text, round(weight, 3), "example")
        return list(best.values())


def _catalog_phrases(catalog: Catalog) -> Iterable[_Phrase]:
    """Every phrase once per agency and kind (the heaviest, if written twice)."""
    best: dict[tuple[str, tuple[str, ...], bool], _Phrase] = {}
    for phrase in _all_phrases(catalog):
        key = (phrase.agency, phrase.words, phrase.context)
        if key not in best or best[key].weight < phrase.weight:
            best[key] = phrase
    return best.values()


def _all_phrases(catalog: Catalog) -> Iterable[_Phrase]:
    for agency in catalog.agencies:
        for kw in agency.keyword_list():
            words = tuple(normalize(kw.phrase).split())
            if words:
                weight = kw.weight if kw.weight is not None else DEFAULT_WEIGHT
                yield _Phrase(agency.code, kw.phrase, words, weight, context=False)
        for kw in agency.context_list():
            words = tuple(normalize(kw.phrase).split())
            if words:
                weight = kw.weight if kw.weight is not None else DEFAULT_CONTEXT_WEIGHT
                yield _Phrase(agency.code, kw.phrase, words, weight, context=True)


def _match_rest(words: list[str], start: int, phrase: tuple[str, ...]) -> tuple[int, ...] | None:
    """Where the phrase's words are: in order, at most MAX_GAP other words between them."""
    at = [start]
    for wanted in phrase[1:]:
        for probe in range(at[-1] + 1, min(at[-1] + 2 + MAX_GAP, len(words))):
            word = words[probe]
            if word == wanted:
                at.append(probe)
                break
            if word == BOUNDARY:
                return None
        else:
            return None
    return tuple(at)


def _claim_words(hits: list[_Hit]) -> list[_Hit]:
    """Each word of the message counts for one phrase: the longest, then tightest, then
    heaviest ("pohon besar tumbang" is one fallen tree; "lampu merah perempatan jalan" is a
    traffic light, not "lampu ... jalan").
    A phrase two agencies share counts for both, at their own weights. Context
    phrases take only words no keyword took."""
    taken: set[int] = set()
    kept: list[_Hit] = []
    for context in (False, True):
        group = sorted(
            (h for h in hits if h.phrase.context is context),
            key=lambda h: (-len(h.phrase.words), h.gaps, -h.phrase.weight),
        )
        claimed_now: set[tuple[int, ...]] = set()
        for hit in group:
            if hit.at in claimed_now or taken.isdisjoint(hit.at):
                kept.append(hit)
                claimed_now.add(hit.at)
                taken.update(hit.at)
    return kept


def _negated(words: list[str], start: int, end: int, size: int) -> bool:
    """ "bukan banjir sungai", "not a blackout", "lampu jalan aman", and "tidak" right before a
    phrase of several words ("mboten mati listrik"); before one word "tidak" is usually the
    complaint itself ("sampah tidak diangkut")."""
    if size > 1 and start > 0 and words[start - 1] == "tidak":
        return True
    for back in (start - 1, start - 2):
        if back < 0 or words[back] == BOUNDARY:
            break
        if words[back] in lexicon.NEGATORS:
            return True
    for ahead in (end + 1, end + 2):
        if ahead >= len(words) or words[ahead] == BOUNDARY:
            break
        if words[ahead] in lexicon.FINE_STATES:
            after = words[ahead + 1] if ahead + 1 < len(words) else BOUNDARY
            return after not in lexicon.NOT_FINE_AFTER
    return False


def _place_factor(words: list[str], start: int) -> float:
    if start > 1 and words[start - 1] in _ARTICLES:  # "near the market"
        start -= 1
    before = words[start - 1] if start > 0 else BOUNDARY
    if before in lexicon.LOCATIVES or before in lexicon.RISK_MARKERS:
        return PLACE_FACTOR
    if before == "di":
        return AT_FACTOR
    return 1.0


def _decide(evidence: list[Evidence]) -> RouteResult:
    scores: dict[str, float] = {}
    for ev in evidence:
        if ev.kind in ("keyword", "example"):
            scores[ev.agency] = scores.get(ev.agency, 0.0) + ev.weight
    for ev in evidence:
        if ev.kind == "context" and ev.agency in scores:
            scores[ev.agency] += ev.weight
    scores = {code: round(score, 3) for code, score in scores.items() if score > 0}
    ranked = sorted(scores, key=lambda code: -scores[code])
    ordered = sorted(
        evidence,
        key=lambda ev: (ranked.index(ev.agency) if ev.agency in scores else 99, -ev.weight),
    )
    matched = tuple(dict.fromkeys(ev.phrase for ev in ordered if ev.kind in ("keyword", "context")))
    if not ranked:
        return RouteResult(None, 0.0, matched, (), {}, tuple(ordered))
    best = scores[ranked[0]]
    runner_up = scores[ranked[1]] if len(ranked) > 1 else 0.0
    confidence = round(best / (best + runner_up + PRIOR), 3)
    opd = ranked[0] if confidence >= ABSTAIN_BELOW else None
    candidates = tuple(ranked[:MAX_CANDIDATES])
    return RouteResult(opd, confidence, matched, candidates, scores, tuple(ordered))
