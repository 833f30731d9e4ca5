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

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Final, Literal

from rapidfuzz import fuzz, process

from routing import lexicon, smalltalk
from routing.catalog import DEFAULT_CONTEXT_WEIGHT, DEFAULT_WEIGHT, Catalog
from routing.normalize import BOUNDARY, Analyzer, Stemmer, normalize

ABSTAIN_BELOW: Final = 0.5  # confidence under which the report goes to triage
PRIOR: Final = 0.35  # evidence a lone weak phrase must outweigh: keeps one faint hit unsure
MAX_GAP: Final = 2  # words allowed between two words of a phrase ("pipa PDAM bocor")
PLACE_FACTOR: Final = 0.35  # "dekat pasar": the phrase says where, not what
AT_FACTOR: Final = 0.6  # "di pasar": weaker hint of a place
EXAMPLE_MIN_SIMILARITY: Final = 72.0  # rapidfuzz ratio on sorted analysed words
EXAMPLE_WEIGHT: Final = 2.5  # what an identical stored correction adds
MAX_CANDIDATES: Final = 4
_ARTICLES: Final = frozenset({"the", "a", "an", "our", "my"})

LEARNED_WEIGHT: Final = 1.0  # a word seen only in one agency's corrections, each time
LEARN_AFTER: Final = 2  # corrections a word needs before it counts (one is an anecdote)
EvidenceKind = Literal["keyword", "context", "example", "learned", "negated"]


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
    # What the message is when it is no complaint (`routing.smalltalk.TAGS`): () = may be one.
    small_talk: tuple[str, ...] = ()

    @property
    def complaint(self) -> bool:
        return not self.small_talk


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
        self._learned_words: dict[str, Counter[str]] = {}
        self._examples_with: dict[str, list[int]] = {}  # content word -> example indexes
        for text, code in examples:
            if code in catalog.by_code:
                self.add_example(text, code)
            else:
                self.skipped_examples.append((text, code))

    def learn(self, text: str, code: str) -> None:
        """Remember that `text` belongs to `code` (an officer's correction), at once: the next
        look-alike follows it. Cheap enough to call inside a request (a few index updates)."""
        self.add_example(text, code)

    def add_example(self, text: str, code: str) -> None:
        """Remember that `text` belongs to `code` (a correction); later look-alikes follow it."""
        self.catalog.agency(code)  # CatalogError for a code the catalog does not have
        words = [w for w in self.analyzer.analyze(text) if w != BOUNDARY]
        if words:
            self.examples.append((text, code))
            index = len(self._example_texts)
            self._example_texts.append(" ".join(sorted(words)))
            for word in set(words) - lexicon.STOPWORDS:
                self._examples_with.setdefault(word, []).append(index)
            for word in set(words):
                if self._learnable(word):
                    self._learned_words.setdefault(word, Counter())[code] += 1

    def _learnable(self, word: str) -> bool:
        """A content word the catalog does not already know: "tandon", "horeg"."""
        return (
            len(word) >= 4
            and word.isalpha()
            and word not in self._by_first
            and word not in lexicon.STOPWORDS
            and word not in lexicon.ENGLISH_COMMON
            and word not in lexicon.PLACES
        )

    def route(self, text: str) -> RouteResult:
        words = self.analyzer.analyze(text)
        evidence = self._phrase_evidence(words)
        found = tuple(normalize(ev.phrase) for ev in evidence if ev.kind == "keyword")
        chat = smalltalk.small_talk(text, found, self.analyzer.knows)
        if chat:
            return RouteResult(None, 0.0, small_talk=chat)
        if not self._example_texts:
            return _decide(evidence)
        evidence.extend(self._example_evidence(words))
        result = _decide(evidence)
        if result.opd is None:
            return self._with_learned_words(result, evidence, words)
        return result

    def _with_learned_words(
        self, unsure: RouteResult, evidence: list[Evidence], words: list[str]
    ) -> RouteResult:
        """Learned words only settle a choice the catalog could not make between its own
        candidates; pointing elsewhere they only add a button. Catalog answers never change."""
        learned = self._learned_evidence(words)
        if not learned:
            return unsure
        result = _decide(evidence + learned)
        if result.opd is not None and result.opd not in unsure.candidates:
            return replace(result, opd=None)
        return result

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
            if _negated(words, hit.at):
                found.setdefault(key, Evidence(phrase.agency, phrase.text, 0.0, "negated"))
                continue
            weight = phrase.weight * _place_factor(words, hit.at[0])
            kind: EvidenceKind = "context" if phrase.context else "keyword"
            old = found.get(key)
            if old is None or old.weight < weight:
                found[key] = Evidence(phrase.agency, phrase.text, weight, kind)
        return list(found.values())

    def _example_evidence(self, words: list[str]) -> list[Evidence]:
        """The nearest stored corrections: only those sharing a third of the message's content
        words are compared at all, so thousands of examples stay cheap."""
        content = {w for w in words if w != BOUNDARY} - lexicon.STOPWORDS
        shared: Counter[int] = Counter()
        for word in content:
            shared.update(self._examples_with.get(word, ()))
        needed = max(1, len(content) // 3)
        nearby = [i for i, n in shared.items() if n >= needed]
        if not nearby:
            return []
        query = " ".join(sorted(w for w in words if w != BOUNDARY))
        best: dict[str, Evidence] = {}
        for _, similarity, at in process.extract(
            query,
            [self._example_texts[i] for i in nearby],
            scorer=fuzz.ratio,  # on sorted words: token_sort_ratio, sorted once per example
            limit=3,
            score_cutoff=EXAMPLE_MIN_SIMILARITY,
        ):
            text, code = self.examples[nearby[at]]
            share = (similarity - EXAMPLE_MIN_SIMILARITY) / (100.0 - EXAMPLE_MIN_SIMILARITY)
            weight = EXAMPLE_WEIGHT * (0.25 + 0.75 * share)
            if code not in best or best[code].weight < weight:
                best[code] = Evidence(code, text, round(weight, 3), "example")
        return list(best.values())

    def _learned_evidence(self, words: list[str]) -> list[Evidence]:
        """Words that corrections keep attributing to one agency, and never to another."""
        found: list[Evidence] = []
        for word in dict.fromkeys(words):
            counts = self._learned_words.get(word)
            if counts is None or len(counts) != 1:
                continue
            ((code, seen),) = counts.items()
            if seen >= LEARN_AFTER:
                found.append(Evidence(code, word, LEARNED_WEIGHT, "learned"))
        return found


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


def _negated(words: list[str], at: tuple[int, ...]) -> bool:
    """ "bukan banjir sungai", "not a blackout", "lampu jalan aman", and "tidak" right before a
    phrase of several words ("mboten mati listrik"); before one word "tidak" is usually the
    complaint itself ("sampah tidak diangkut")."""
    start, end = at[0], at[-1]
    if len(at) > 1 and start > 0 and words[start - 1] == "tidak":
        return True
    gaps = (words[i] for i in range(start + 1, end) if i not in at)
    if any(w == "tidak" or w in lexicon.NEGATORS for w in gaps):
        return True  # "pohon tidak tumbang" is not "pohon tumbang"
    for back in (start - 1, start - 2):
        if back < 0 or words[back] == BOUNDARY:
            break
        if words[back] in lexicon.NEGATORS:
            return True
    for ahead in (end + 1, end + 2):
        if ahead >= len(words) or words[ahead] == BOUNDARY:
            break
        if words[ahead] == "tidak" or words[ahead] in lexicon.NEGATORS:
            break  # "lampu jalan tidak menyala", "PJU ora urup": the complaint itself
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
    if before in lexicon.STREET_WORDS and words[start] in lexicon.NAME_NOUNS:
        return PLACE_FACTOR  # "Jl. Pasar Baru", "Gg. Makam": a street's name, not the place
    if before == "di":
        return AT_FACTOR
    return 1.0


def _decide(evidence: list[Evidence]) -> RouteResult:
    scores: dict[str, float] = {}
    for ev in evidence:
        if ev.kind in ("keyword", "example", "learned"):
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
