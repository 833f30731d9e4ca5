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
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Literal, NamedTuple

from rapidfuzz import fuzz, process

from routing import frames, lexicon, ngrams, smalltalk
from routing.catalog import DEFAULT_CONTEXT_WEIGHT, DEFAULT_WEIGHT, Catalog
from routing.lookalikes import LookAlikes
from routing.normalize import BOUNDARY, Analyzer, Stemmer, normalize, split

ABSTAIN_BELOW: Final = (
    0.5  # confidence under which the report goes to triage (bench: threshold curve)
)
PRIOR: Final = 0.35  # evidence a lone weak phrase must outweigh: keeps one faint hit unsure
PROBLEM_SIGN: Final = 1.0  # a keyword this heavy keeps a message from being taken for small talk
MAX_GAP: Final = 2  # words allowed between two words of a phrase ("pipa PDAM bocor")
TOGETHER: Final = " + "  # in a catalog phrase: its words in one clause, in any order
PLACE_FACTOR: Final = 0.35  # "dekat pasar": the phrase says where, not what
AT_FACTOR: Final = 0.6  # "di pasar": weaker hint of a place
# A problem put aside ("X memang ..., tapi yang paling ..."): corpus held out 89.1% right at
# 1.0 (only the model reads the main part), 89.4% at 0.3, 89.3% at 0.1.
ASIDE_FACTOR: Final = 0.3
# "Selokannya belakangan saja" names the problem it puts off in a word or two; a clause that
# tells a whole story before "sudah lapor polisi" points back to nothing ("petugas bansos" in
# it is not the bansos complained of before).
NAMED_BACK_MAX: Final = 2
ASKED_WITHIN: Final = 3  # "Sekarang kami mau minta ...": words after "sekarang" to the ask
CHOICE_WITHIN: Final = 3  # "kalau harus pilih salah satu,": words around the choosing
MAIN_WITHIN: Final = 4  # words after "tapi" where "paling", "utama"... say the main problem comes
EXAMPLE_MIN_SIMILARITY: Final = 72.0  # rapidfuzz ratio on sorted analysed words
EXAMPLE_WEIGHT: Final = 2.5  # what an identical stored correction adds
MAX_CANDIDATES: Final = 4
_ARTICLES: Final = frozenset({"the", "a", "an", "our", "my"})
_NOT_CONTENT: Final = lexicon.STOPWORDS | lexicon.ENGLISH_COMMON

LEARNED_WEIGHT: Final = 1.0  # a word seen only in one agency's corrections, each time
LEARN_AFTER: Final = 2  # corrections a word needs before it counts (one is an anecdote)
# The learned layer (routing.ngrams): how sharp its shares are, how much they count beside the
# keywords' share (both 0..1), and what an officer's correction counts against one corpus line.
# Round 6 (4,800 corpus lines; a second author's tuning half): at 1.0 the catalog's phrases
# overruled the model on messages told in other words (holdout4-a 90.0% right, 5.5% wrong; the
# corpus held out 87.9% / 4.1%); at 2.0, and 3.0 where the catalog alone cannot choose, 93.0% /
# 2.5% and 90.5% / 4.5%, every boundary test kept (3.0 throughout: 96.0% / 2.5%, but a violent
# parking attendant went to transport). Round 7 (6,900 lines): 3.0 beside a found agency
# (2.0: holdout5-a 94.6% / 2.5%, twomain 88.7% / 5.3%, the corpus held out 89.1% / 5.7%; 3.0:
# 96.6% / 2.0%, 92.0% / 5.0%, 90.0% / 5.4%; 3.5 and 4.0 sent more of the tuning sets' to a
# wrong agency). Asking whenever the model overturned the catalog below 0.55-0.65 lost 1-4
# points for half a point of misroutes: dropped. Round 8 (9,900 lines): 3.5 (2.5: the corpus
# held out 91.8% / 3.9%, twomain 95.0% / 3.0%, holdout4-a 97.5%; 3.0: 92.4% / 3.7%, 95.3% /
# 3.0%, 98.5%; 3.5: 92.8% / 3.6%, 96.0% / 3.0%, 99.5%; 4.0: 92.9% / 3.7%, 95.7% / 3.0%,
# 99.0%). Asking whenever two agencies each had a strong phrase lost 2-22 points for a point
# of misroutes: dropped. bench/routing.py prints the figures.
TEMPERATURE: Final = 0.02  # the corpus held out: lowest log loss of the model alone (0.39)
MODEL_WEIGHT: Final = 3.5
UNSURE_MODEL_WEIGHT: Final = 3.5
STRONG_PHRASE: Final = 2.5  # a phrase that alone names an agency ("ktp hilang", "pbb")
MODEL_FLOOR: Final = 0.05  # shares below this are noise, not a candidate
DAMPING: Final = 1.0  # how far a strong catalog phrase quiets the model
FULL_COVERAGE: Final = 0.8  # the model counts fully when it knows this much of the message
BLEND_PRIOR: Final = 0.25  # belief a winner must outweigh besides its runner-up
CORRECTION_WEIGHT: Final = 3.0
# Conflicting context, calibrated on the corpus held out fold by fold (bench --calibrate), never
# on an evaluation set: below CONFLICT_BELOW a keyword answer is checked against the learned
# layer, and when that is nearly sure of another agency the resident chooses between the two
# (asked, it is right about as often as the keyword: a question costs minutes, a wrong agency
# days). A guess of the model alone, with no catalog phrase, must reach MODEL_ALONE_BELOW.
CONFLICT_BELOW: Final = 0.85
CONFLICT_SHARE: Final = 0.9
MODEL_ALONE_BELOW: Final = 0.65
# The model's "no complaint" class (corpus lines labelled `-`): with no catalog phrase, a message
# it takes for chat with CHAT_ALONE routes nowhere; a lone one-word phrase ("pln", "wifi") in
# what it takes for chat with CHAT_OVER_LONE_WORD goes to triage, and a lone word the model
# gives to another agency with LONE_WORD_CONFLICT_SHARE becomes a question between the two.
CHAT_ALONE: Final = 0.5
# ... and with CHAT_MARK it is named small talk ("other": the dialog asks what the problem is):
# on the tuning sets and the corpus held out, 0.99 marks 80% and 65% of their non-complaints
# (57% and 51% without) and not one complaint more.
CHAT_MARK: Final = 0.99
# What one chat line counts in training against a complaint line: chat lines were few and short,
# and at 1 the class hardly ever won (86 lines: 10 was best; 142: 7). Round 10 brought 620 more
# that name problems: at 7 they sent complaints of four tuning sets to a question; 1.5 keeps
# those sets' complaints within a message of round 9 (1.0 and 2.0 were no better).
CHAT_EXAMPLE_WEIGHT: Final = 1.5
CHAT_OVER_LONE_WORD: Final = 0.7
# ... unless that word alone names the agency ("PBB-ku munggah 200%, ... It's too much": the
# English tail reads as chat): then only with this much (0.9-0.95: holdout4-a 98.0 -> 98.5%
# right, nothing else changed; 0.99 lost a non-complaint of the corpus held out).
CHAT_OVER_STRONG_WORD: Final = 0.95
# A message small talk lets through routes nowhere when the frame model (routing/frames.py)
# gives it these log-odds of being no complaint (bench: frame curve). On the tuning sets, 2.0
# took 54 of their non-complaints and 7 of their complaints (the corpus held out: 171 and 15
# of 11,626); 1.5 took 3 more of each.
FRAME_CHAT_ODDS: Final = 2.0
LONE_WORD_CONFLICT_SHARE: Final = 0.9
EvidenceKind = Literal["keyword", "context", "example", "learned", "negated", "model", "frame"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason behind a score: a phrase found (or found but negated), or a stored example."""

    agency: str
    phrase: str
    weight: float
    kind: EvidenceKind
    at: tuple[int, ...] = ()  # a phrase's word positions in the analysed message


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
    together: bool = False  # "suami + memukul": the words in one clause, in any order

    @property
    def later_words(self) -> frozenset[str]:
        return frozenset(self.words[1:])


class _Hit(NamedTuple):  # made for every phrase found: a tuple is built fastest
    at: tuple[int, ...]  # where each of the phrase's words is in the message
    phrase: _Phrase


_PhraseIndex = dict[str, tuple[tuple[str, ...], ...]]  # lexicon phrases by their first word


class Router:
    """Routes texts against one catalog; build once, call `route` from any coroutine."""

    def __init__(
        self,
        catalog: Catalog,
        examples: Iterable[tuple[str, str]] = (),
        *,
        stemmer: Stemmer | None = None,
        learned: bool = True,
        corpus: Sequence[tuple[str, str]] | None = None,
    ) -> None:
        """`learned`: use the n-gram model besides the catalog's phrases (False: phrases and
        corrections only, as the bench compares). `corpus`: (text, code) pairs the model
        learns from instead of the shipped corpus (the bench holds a set out of it)."""
        self.catalog = catalog
        phrases = list(_catalog_phrases(catalog))
        self.analyzer = Analyzer((w for p in phrases for w in p.words), stemmer)
        self.model = _trained_model(catalog, self.analyzer, corpus).copy() if learned else None
        self._asides = _AsideMarkers(
            self._analysed(lexicon.DEFERRALS),
            self._analysed(lexicon.ADD_ONS),
            self._analysed(lexicon.SETTLED),
            self._analysed(lexicon.THANKS),
        )
        self._offices = lexicon.OFFICE_NICKNAMES | frozenset(
            agency.code.casefold() for agency in catalog.agencies
        )
        self._courtesy = self._analysed(smalltalk.courtesies(thanks=False))
        self._thanks = self._analysed(smalltalk.courtesies(thanks=True))
        self._by_first: dict[str, list[tuple[_Phrase, frozenset[str]]]] = {}
        self._words_of = {phrase.text: phrase.words for phrase in phrases}
        for phrase in phrases:
            self._by_first.setdefault(phrase.words[0], []).append((phrase, phrase.later_words))
        self.frames = self._trained_frames(phrases, corpus) if learned else None
        self.examples: list[tuple[str, str]] = []
        self.skipped_examples: list[tuple[str, str]] = []  # their agency is not in the catalog
        self._example_texts: list[str] = []
        self._learned_words: dict[str, Counter[str]] = {}
        self._lookalikes = LookAlikes()  # stored corrections by signature: no scan
        for text, code in examples:
            if code in catalog.by_code:
                self.add_example(text, code)
            else:
                self.skipped_examples.append((text, code))

    def _analysed(self, phrases: Iterable[str]) -> _PhraseIndex:
        return _phrase_index(self.analyzer, phrases)

    def learn(self, text: str, code: str) -> None:
        """Remember that `text` belongs to `code` (an officer's correction), at once: the next
        look-alike follows it. Cheap enough to call inside a request (a few index updates)."""
        self.add_example(text, code)

    def add_example(self, text: str, code: str) -> None:
        """Remember that `text` belongs to `code` (a correction); later look-alikes follow it."""
        self.catalog.agency(code)  # CatalogError for a code the catalog does not have
        analysed = self.analyzer.analyze(text)
        words = [w for w in analysed if w != BOUNDARY]
        if words:
            if self.model is not None:
                hidden = _courteous(analysed, self._courtesy, self._thanks)
                self.model.add(_model_words(analysed, hidden), code, CORRECTION_WEIGHT)
            self.examples.append((text, code))
            index = len(self._example_texts)
            self._example_texts.append(" ".join(sorted(words)))
            self._lookalikes.add(_content(words), index)
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
        tokens = split(text)
        words = self.analyzer.analyze_split(tokens)
        denied: set[int] = set()
        aside = _put_aside(words, self._asides)
        main = _main_from(words, aside)
        evidence = self._phrase_evidence(words, denied, main, aside)
        found = {  # a hint alone ("beneran") is no sign of a problem small talk could not explain
            w
            for ev in evidence
            if ev.kind == "keyword" and ev.weight >= PROBLEM_SIGN
            for w in self._words_of[ev.phrase]
        }
        named = {ev.agency for ev in evidence if ev.kind == "keyword" and ev.weight >= PROBLEM_SIGN}
        chat = smalltalk.small_talk(
            text, tokens, found, self.analyzer.knows, len(named), self._offices
        )
        if chat:
            return RouteResult(None, 0.0, small_talk=chat)
        if self._example_texts:
            evidence.extend(self._example_evidence(words))
        if self.frames is not None and not any(ev.kind == "example" for ev in evidence):
            told = self._only_told(self.frames, text, tokens, words, evidence, bool(named))
            if told is not None:
                return told  # a stored correction is an officer's word: no model overrules it
        result = _decide(evidence)
        if result.opd is None and self._example_texts:
            result = self._with_learned_words(result, evidence, words)
        if self.model is None:
            return result
        if _two_problems(result, words):
            return result  # the resident chooses: no model can tell which of two matters more
        denied.update(_passing_places(result, words))
        denied.update(_courteous(words, self._courtesy, self._thanks))
        said = _model_words(words[main:], {i - main for i in denied if i >= main})
        if self._model_cannot_overturn(result):
            if result.confidence >= CONFLICT_BELOW and not _lone_word(result):
                return result
            return _unless_contradicted(result, self.model.guess(said, TEMPERATURE))
        guess = self.model.guess(said, TEMPERATURE)
        return _blend(result, guess, self._coverage(said))

    @staticmethod
    def _only_told(
        model: frames.FrameModel,
        text: str,
        tokens: list[str],
        words: list[str],
        evidence: list[Evidence],
        named: bool,
    ) -> RouteResult | None:
        """A message that names a problem in the frame of a thanks, a joke, a story or an
        errand (`frames`), or chat small talk's shapes do not know: no complaint, answered in
        kind; None when it may ask something."""
        frame = frames.frame_of(words, _topic(evidence))
        if smalltalk.requests(frame) or frames.asks(frame):
            return None  # "terima kasih sebelumnya, tolong ...": asked, however it opens
        if not named and smalltalk.troubled(tokens):
            return None  # "tandon ngadat lagi, warga antre": trouble, in words no phrase has
        odds = model.chat_odds(frame)
        if odds < FRAME_CHAT_ODDS:
            return None
        said = Evidence(ngrams.CHAT, "frame", round(float(odds), 3), "frame")
        return RouteResult(
            None, 0.0, evidence=(*evidence, said), small_talk=smalltalk.told(text, tokens)
        )

    def _trained_frames(
        self, phrases: Iterable[_Phrase], corpus: Sequence[tuple[str, str]] | None
    ) -> frames.FrameModel:
        """The frame model of this catalog's phrases and corpus: once per process, as the
        n-gram model (`_trained_model`)."""
        key = (
            tuple(sorted((p.agency, p.words, p.weight, p.context, p.together) for p in phrases)),
            type(self.analyzer.stemmer).__name__,
            None if corpus is None else tuple(corpus),
        )
        model = _FRAMES.get(key)
        if model is None:
            given = ngrams.corpus_examples() if corpus is None else corpus
            model = _FRAMES[key] = frames.FrameModel.trained(
                (self._frame(text), code == ngrams.CHAT) for text, code in given
            )
        return model

    def _frame(self, text: str) -> list[str]:
        words = self.analyzer.analyze_split(split(text))
        return frames.frame_of(words, _topic(self._phrase_evidence(words)))

    @staticmethod
    def _model_cannot_overturn(keywords: RouteResult) -> bool:
        """The catalog decided with a lead the model's whole share could not close (see
        `_blend`): asking the model would change nothing but the runner-up buttons."""
        if keywords.opd is None:
            return False
        ranked = sorted(keywords.scores.values(), reverse=True)
        total = sum(ranked) + PRIOR
        lead = (ranked[0] - (ranked[1] if len(ranked) > 1 else 0.0)) / total
        return lead > _model_weight(keywords)

    def _coverage(self, words: list[str]) -> float:
        """The part of the message's content words that some labelled example had: a model
        guess about words it never saw ("does that money reach the city") is worth little."""
        content = [w for w in words if w not in _NOT_CONTENT]
        if not content or self.model is None:
            return 0.0
        known = sum(1 for w in content if self.model.knows_word(w))
        if known < 2:
            return 0.0  # one known word is an anecdote ("lebar sekali")
        return known / len(content)

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

    def _phrase_evidence(
        self,
        words: list[str],
        denied: set[int] | None = None,
        main: int = 0,
        aside: Collection[int] = (),
    ) -> list[Evidence]:
        """Catalog phrases found; the positions of negated ones go into `denied`. Phrases
        before `main` (the problem the resident says matters most starts there) count less,
        and so do those `aside` (put off or added in passing) when a phrase elsewhere names
        another problem; their words then go into `denied` too, hidden from the model."""
        hits: list[_Hit] = []
        present = set(words)
        by_first = self._by_first
        for start, word in enumerate(words):
            for phrase, later in by_first.get(word, ()):
                if not later <= present:
                    continue  # most phrases fail here, before the word-by-word walk
                if phrase.together:
                    at = _match_together(words, start, phrase.words)
                else:
                    at = _match_rest(words, start, phrase.words)
                if at is not None:
                    hits.append(_Hit(at, phrase))
        found: dict[tuple[str, str], Evidence] = {}
        claimed = _claim_words(hits)
        negated = [_negated(words, hit.at) for hit in claimed]
        if all(no or _aside_of(hit.at, aside) for hit, no in zip(claimed, negated, strict=True)):
            aside = ()  # nothing else was told: what is put aside is all there is
        elif denied is not None:
            denied.update(aside)
        for hit, no in zip(claimed, negated, strict=True):
            phrase = hit.phrase
            key = (phrase.agency, phrase.text)
            if no:
                if denied is not None:
                    denied.update(hit.at)
                found.setdefault(key, Evidence(phrase.agency, phrase.text, 0.0, "negated"))
                continue
            weight = phrase.weight * _place_factor(words, hit.at[0])
            if hit.at[-1] < main and not _named_again(
                words, hit.at, main, _elsewhere(claimed, phrase.agency, aside)
            ):
                weight *= ASIDE_FACTOR
            elif _aside_of(hit.at, aside):
                weight *= ASIDE_FACTOR
            kind: EvidenceKind = "context" if phrase.context else "keyword"
            old = found.get(key)
            if old is None or old.weight < weight:
                found[key] = Evidence(phrase.agency, phrase.text, weight, kind, hit.at)
        return list(found.values())

    def _example_evidence(self, words: list[str]) -> list[Evidence]:
        """The nearest stored corrections: only those the look-alike index offers (a few,
        however many are stored) are compared word by word."""
        nearby = self._lookalikes.near(_content(words))
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


def _main_from(words: list[str], aside: Collection[int] = ()) -> int:
    """Where the problem that matters most starts, when the resident says so: after "tapi yang
    paling ..." ("jalannya bergelombang, tapi yang paling kami butuhkan lampu jalan"), after
    the clause of "selain ..." ("selain got bau, lampu jalan mati"); 0 when nothing is put
    aside. `aside`: clauses put off, which a pointer back ("..., nanti saja, ini yang darurat")
    passes over."""
    if words and words[0] in lexicon.BESIDES:
        for at, word in enumerate(words):
            if word == BOUNDARY:
                return at + 1
    if _MAIN_MARKERS.isdisjoint(words):
        return 0  # most messages: nothing said to matter most
    for at, word in enumerate(words):
        if word not in _MAIN_MARKERS:
            continue
        window = words[at + 1 : at + 1 + MAIN_WITHIN]
        if word in lexicon.CHOOSING and _chooses(words, at):
            return words.index(BOUNDARY, at) + 1
        if (
            word in lexicon.CONTRASTS
            and (
                _emphasised(words, at + 1, min(at + 1 + MAIN_WITHIN, len(words)))
                or ("yang" in window and not lexicon.MAIN_VERBS.isdisjoint(window))
            )
            and _names_something(words, at + 1)
        ):
            return at + 1
        if (
            (word == "yang" and not lexicon.ASKED_FOR.isdisjoint(window))
            or word in lexicon.THE_PROBLEM
        ) and _opens_clause(words, at):
            return at  # "Yang saya butuhkan ...", "Sekarang masalahnya ..."
        if (
            word in lexicon.SHIFTS
            and at > 0
            and words[at - 1] == BOUNDARY
            and not lexicon.ASKED_FOR.isdisjoint(words[at + 1 : at + 1 + ASKED_WITHIN])
        ):
            return at  # "... sudah lapor polisi. Sekarang saya minta lampu jalan ..."
        if word in lexicon.COMPARATIVES and _emphasised(words, at + 1, min(at + 3, len(words))):
            said = _said_to_matter(words, at)
            if said is not None and said not in aside:
                return said
        if word in lexicon.REQUESTS and at > 0:
            clause = words[at + 1 : words.index(BOUNDARY, at) if BOUNDARY in words[at:] else None]
            if not lexicon.FIRST.isdisjoint(clause):
                told = _told_first(words, at)
                if told is not None:
                    return told
    return 0


# The words `_main_from` acts on; any other word it passes over.
_MAIN_MARKERS: Final = frozenset(
    lexicon.CHOOSING | lexicon.CONTRASTS | {"yang"} | lexicon.THE_PROBLEM | lexicon.SHIFTS
    | lexicon.COMPARATIVES | lexicon.REQUESTS
)  # fmt: skip


def _chooses(words: list[str], at: int) -> bool:
    """ "Kalau harus pilih satu, air dulu", "if I had to choose, the water": the clause after a
    choice the resident is asked to make names the problem that matters most."""
    return (
        words[at] in lexicon.CHOOSING
        and not lexicon.CHOOSING_IF.isdisjoint(words[max(0, at - CHOICE_WITHIN) : at])
        and BOUNDARY in words[at + 1 : at + 1 + CHOICE_WITHIN]
        and words.index(BOUNDARY, at) + 1 < len(words)
    )


def _points_past(words: list[str], at: int) -> bool:
    """ "ODGJ ..., pasarnya juga becek, tapi ini bahaya": a contrast that only says "this
    matters more" puts the problem it follows aside, as "..., tapi itu bisa nanti" does."""
    return (
        words[at] in lexicon.CONTRASTS
        and _emphasised(words, at + 1, min(at + 1 + MAIN_WITHIN, len(words)))
        and not _names_something(words, at + 1)
    )


def _names_something(words: list[str], start: int) -> bool:
    """The clause from `start` tells of something besides how much it matters: "tapi ini
    bahaya" after "pasarnya juga becek" points back past the clause it follows."""
    end = words.index(BOUNDARY, start) if BOUNDARY in words[start:] else len(words)
    told = _content(words[start:end]) - lexicon.POINTERS - lexicon.BACK_REFERENCES
    return bool(told - lexicon.EMPHASIS - lexicon.COMPARATIVES)


def _elsewhere(claimed: list[_Hit], agency: str, aside: Collection[int]) -> set[int]:
    """Where other agencies' phrases and what is put aside are: a word there points back to
    nothing ("yang got belakangan" puts the gutter off)."""
    return {i for hit in claimed if hit.phrase.agency != agency for i in hit.at} | set(aside)


def _opens_clause(words: list[str], at: int) -> bool:
    """At a clause's start, or after a word that only says "now" ("Sekarang yang saya minta")."""
    before = at - 1
    while before >= 0 and words[before] in lexicon.NOW:
        before -= 1
    return before < 0 or words[before] == BOUNDARY


def _said_to_matter(words: list[str], at: int) -> int | None:
    """Where the problem "yang lebih mendesak", "itu yang paling bahaya" points to starts: the
    words after it when it names one ("yang lebih mendesak listrik padam"), else its clause
    ("lampu merah itu lebih bahaya"), or the clause before when it only points back ("...,
    itu yang paling bahaya"). None in a message's first clause: nothing is told before it."""
    starts = [i + 1 for i in range(at) if words[i] == BOUNDARY]
    if not starts:
        return None
    start = starts[-1]
    before = words[start:at]
    if not before:
        return at + 1  # "yang lebih mendesak listrik padam"
    pointing = _content(before) - lexicon.INTENSIFIERS  # "itu jauh lebih bahaya"
    if not lexicon.POINTERS.isdisjoint(before) and pointing <= lexicon.BACK_REFERENCES:
        if not lexicon.CONTRASTS.isdisjoint(before):
            return None  # "..., tapi ini lebih penting" points past it (`_points_past`)
        return starts[-2] if len(starts) > 1 else 0  # "..., itu yang paling bahaya"
    return start


def _aside_of(at: Iterable[int], aside: Collection[int]) -> bool:
    return bool(aside) and all(i in aside for i in at)


@dataclass(frozen=True, slots=True)
class _AsideMarkers:
    """The lexicon's markers of a problem put aside, analysed as messages are."""

    deferrals: _PhraseIndex  # "bisa nanti", "nggak urgent", "urusan lain"
    add_ons: _PhraseIndex  # "sekalian", "btw", "oh iya"
    settled: _PhraseIndex  # "sudah ditangani", "sudah beres"
    thanks: _PhraseIndex  # "terima kasih", "matur nuwun"
    # The words one of them starts with, and the lexicon's markers `_put_aside` reads: most
    # messages have none of them.
    triggers: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        found = frozenset().union(
            self.deferrals, self.add_ons, self.settled, self.thanks, lexicon.LATER,
            lexicon.FIRST, lexicon.THAN, lexicon.CONTRASTS,
        )  # fmt: skip
        object.__setattr__(self, "triggers", found)  # frozen: derived once, at construction


def _put_aside(words: list[str], markers: _AsideMarkers) -> set[int]:
    """Where the resident puts a problem off ("sampah juga belum diangkut tapi nggak urgent",
    "..., tapi itu bisa nanti"), adds one in passing ("..., sekalian mau tanya fogging"),
    tells one already settled ("sarang tawon sudah diambil damkar, terima kasih") or asks for
    another first ("..., tapi tolong atapnya dulu"): the positions of those clauses. A clause
    runs between breaks; an add-on starts one."""
    if markers.triggers.isdisjoint(words):
        return set()  # the common case, decided with one set operation
    added = {
        at
        for at, w in enumerate(words)
        if w in markers.add_ons and _phrase_at(words, at, markers.add_ons)
    }
    put_off = [
        at
        for at, word in enumerate(words)
        if (
            word in markers.deferrals
            and _phrase_at(words, at, markers.deferrals)
            and (at + 1 >= len(words) or words[at + 1] not in lexicon.LATELY_AFTER)
        )
        or (
            word in markers.settled
            and _phrase_at(words, at, markers.settled)
            and not _still(words, at, markers.settled)
        )
        or (word in lexicon.LATER and at > 0 and words[at + 1 : at + 2] in ([], [BOUNDARY]))
    ]
    past = [at for at in range(len(words)) if _points_past(words, at)]
    thanked = [
        at
        for at, word in enumerate(words)
        if word in markers.thanks
        and _phrase_at(words, at, markers.thanks)
        and not _still(words, at, markers.thanks)
    ]
    first_asked = [
        at
        for at, w in enumerate(words)
        if w in lexicon.FIRST and at > 0 and words[at - 1] != BOUNDARY
    ]
    weighed = [at for at, word in enumerate(words) if word in lexicon.THAN]
    if not added and not put_off and not thanked and not first_asked and not past and not weighed:
        return set()  # the common case, decided cheaply
    clauses: list[tuple[int, int]] = []
    start = 0
    for at, word in enumerate([*words, BOUNDARY]):
        if word == BOUNDARY or (at > start and at in added):
            if at > start:
                clauses.append((start, at))
            start = at + 1 if word == BOUNDARY else at
    aside: set[int] = set()
    for number, (first, end) in enumerate(clauses):
        if _emphasised(words, first, end):
            continue
        if first in added and not _content(
            words[first + _phrase_length(words, first, markers.add_ons) : end]
        ):  # the marker alone: "Oh iya, PKL juga ..." adds the next clause, "..., sekalian
            # kalau bisa" the one before
            if number + 1 < len(clauses):
                aside.update(range(*clauses[number + 1]))
            elif number:
                aside.update(range(*clauses[number - 1]))
        if (first > 0 and first in added) or any(first <= at < end for at in thanked):
            aside.update(range(first, end))  # a thanks settles its own clause only
        deferral = next((at for at in put_off if first <= at < end), None)
        if deferral is None:
            continue
        aside.update(range(first, end))
        named = _content(words[first:deferral]) - lexicon.BACK_REFERENCES
        if number and not named:
            aside.update(range(*clauses[number - 1]))  # "..., tapi itu bisa nanti"
        if len(named) > NAMED_BACK_MAX:
            continue  # a problem told in full here, not pointed back to
        for a, b in clauses[:number]:  # "..., lubangnya menyusul": where the holes were told
            if not named.isdisjoint(words[a:b]):
                aside.update(range(a, b))
    for at in past:  # "..., pasarnya juga becek, tapi ini bahaya": what it follows is aside
        number, (first, _) = next((n, c) for n, c in enumerate(clauses) if c[0] <= at < c[1])
        if _content(words[first:at]):
            aside.update(range(first, at))
        elif number:
            aside.update(range(*clauses[number - 1]))
    for at in weighed:
        # "balap liar itu jauh lebih bahaya drpd marka jalan yg pudar": what it is weighed
        # against, to the end of its clause, is the lesser problem
        end = words.index(BOUNDARY, at) if BOUNDARY in words[at:] else len(words)
        aside.update(range(at + 1, end))
    for at in first_asked:
        aside |= _not_asked_first(words, clauses, at)
    for at in thanked:  # the model still reads a thanks: "terima kasih, motor sudah ketemu" is chat
        aside.difference_update(range(at, at + max(len(p) for p in markers.thanks[words[at]])))
    return aside


def _still(words: list[str], at: int, phrases: _PhraseIndex) -> bool:
    """ "sudah diperbaiki tapi masih bocor": settled once, not now. "Lagi" right after the fix
    is the fix ("sudah nyala lagi"), not a relapse."""
    length = _phrase_length(words, at, phrases)
    end = words.index(BOUNDARY, at) if BOUNDARY in words[at:] else len(words)
    after = words[at + length : end]
    if after[:1] == ["lagi"]:
        after = after[1:]
    return not lexicon.STILL.isdisjoint(after)


def _not_asked_first(words: list[str], clauses: list[tuple[int, int]], asked: int) -> set[int]:
    """ "Tolong atapnya dulu", "websitenya dulu": the clauses other than the one where the
    problem asked for first was told; nothing when the request points back to none ("tolong
    dicek dulu")."""
    here = next(((a, b) for a, b in clauses if a <= asked < b), None)
    if here is None:
        return set()
    named = set(words[here[0] : asked]) - lexicon.FUNCTION_WORDS
    told = next(
        ((a, b) for a, b in clauses if b <= here[0] and not named.isdisjoint(words[a:b])), None
    )
    if told is None:
        return set()
    return {i for a, b in clauses if (a, b) not in (told, here) for i in range(a, b)}


def _courteous(words: list[str], courtesies: _PhraseIndex, thanks: _PhraseIndex) -> set[int]:
    """Where a salam or greeting is, and a thanks after a request (thanks in advance, not for
    a fix): hidden from the learned layer, which would take a krama complaint that opens "Nuwun
    sewu" and closes "Nyuwun tulung dipun dandosi. Matur nuwun" for chat. Small talk has
    already told a message of courtesies only."""
    found: set[int] = set()
    if courtesies.keys().isdisjoint(words) and thanks.keys().isdisjoint(words):
        return found  # most reports: no courtesy's first word
    asked = False
    for at, word in enumerate(words):
        asked = asked or word in lexicon.REQUESTS
        for phrase in (thanks if asked else courtesies).get(word, ()):
            if tuple(words[at : at + len(phrase)]) == phrase:
                found.update(range(at, at + len(phrase)))
    return found


def _phrase_at(words: list[str], at: int, phrases: _PhraseIndex) -> bool:
    return _phrase_length(words, at, phrases) > 0


def _phrase_length(words: list[str], at: int, phrases: _PhraseIndex) -> int:
    """How many words the longest of `phrases` found at `at` covers; 0 for none."""
    return max(
        (len(p) for p in phrases.get(words[at], ()) if tuple(words[at : at + len(p)]) == p),
        default=0,
    )


def _emphasised(words: list[str], first: int, end: int) -> bool:
    """The clause says it matters most ("btw yang paling penting ..."), not that it does not
    ("gak urgent")."""
    return any(
        words[at] in lexicon.EMPHASIS and (at == 0 or words[at - 1] != "tidak")
        for at in range(first, end)
    )


def _told_first(words: list[str], request: int) -> int | None:
    """Where the problem a request asks for first ("Tolong kabel itu dulu") was told: the start
    of the clause or listed item that named it ("..., dan kabel listrik putus"); None when the
    request points back to nothing ("tolong dicek dulu" is politeness)."""
    again = next((i for i in range(request) if _named_again(words, (i,), request)), None)
    if again is None:
        return None
    start = again
    while (
        start > 0 and words[start - 1] != BOUNDARY and words[start - 1] not in lexicon.CONJUNCTIONS
    ):
        start -= 1
    return start


def _named_again(
    words: list[str], at: Iterable[int], main: int, others: Collection[int] = ()
) -> bool:
    """A problem told before the main part and pointed back to in it ("kabel listrik putus ...
    Tolong kabel itu dulu") is the main problem, not one put aside ("tolong dicek dulu" points
    back to nothing: politeness, not a choice). `others`: where the main part names another
    agency's phrase ("lampu" of "lampu merah" does not point back to "lampu jalan")."""
    said = (w for i, w in enumerate(words[main:], main) if i not in others)
    later = set(said) - lexicon.STOPWORDS - lexicon.REQUESTS - lexicon.FIRST
    return any(words[i] in later for i in at if words[i] != BOUNDARY)


def _content(words: Iterable[str]) -> set[str]:
    """The words that say what a message is about (no clause breaks, no stopwords)."""
    return {w for w in words if w != BOUNDARY} - lexicon.STOPWORDS


def _passing_places(keywords: RouteResult, words: list[str]) -> set[int]:
    """Where another agency's phrase only says where ("ngemis di bangjo", "dekat pasar"): the
    catalog counts it for less, and the model does not read it, so that a place named in
    passing decides in neither layer."""
    lead = keywords.candidates[0] if keywords.candidates else None
    return {
        at
        for ev in keywords.evidence
        if ev.at and ev.agency != lead and _place_factor(words, ev.at[0]) < 1.0
        for at in ev.at
    }


def _two_problems(keywords: RouteResult, words: list[str]) -> bool:
    """Two problems listed side by side, each named by a strong phrase of its own agency, and
    neither said to matter most ("KTP hilang dan PBB belum bayar"): the catalog could not
    choose and no model can tell which matters more, so the resident chooses. A strong phrase
    told as the reason for the other ("fotokopi KTP buat bansos") is not a list."""
    if keywords.opd is None and len(keywords.candidates) >= 2:
        first, second = (
            next(
                (ev.at for ev in keywords.evidence
                 if ev.agency == code and ev.kind == "keyword" and ev.weight >= STRONG_PHRASE),
                (),
            )
            for code in keywords.candidates[:2]
        )  # fmt: skip
        if first and second:
            left, right = sorted((first, second))
            return any(w in lexicon.CONJUNCTIONS for w in words[left[-1] + 1 : right[0]])
    return False


def _lone_word(keywords: RouteResult) -> bool:
    """The catalog's answer rests on one phrase of one word and nothing else ("pln" in "minta
    kontak call center pln dong"): the learned layer is asked whether it is a complaint."""
    if keywords.opd is None:
        return False
    found = [ev for ev in keywords.evidence if ev.kind in ("keyword", "example", "learned")]
    return len(found) == 1 and found[0].kind == "keyword" and " " not in found[0].phrase.strip()


def _chat_share(guess: ngrams.Guess | None) -> float:
    """How sure the learned layer is that the message is no complaint at all."""
    if guess is None:
        return 0.0
    return next(
        (s for c, s in zip(guess.ranked, guess.shares, strict=True) if c == ngrams.CHAT), 0.0
    )


def _agencies(guess: ngrams.Guess | None) -> ngrams.Guess | None:
    """The learned layer's ranking of agencies only (its "no complaint" class left out, the
    shares as they were: belief in chat is belief in no agency)."""
    if guess is None or ngrams.CHAT not in guess.ranked:
        return guess
    kept = [(c, s) for c, s in zip(guess.ranked, guess.shares, strict=True) if c != ngrams.CHAT]
    if not kept:
        return None
    return ngrams.Guess(tuple(c for c, _ in kept), tuple(s for _, s in kept))


def _lone_word_in_chat(keywords: RouteResult, full: ngrams.Guess | None) -> RouteResult | None:
    """No agency when a lone word ("bos", "aplikasi") stands in what the learned layer is nearly
    sure is no complaint ("aku bosen nih, ngobrol yuk"); None when that is not the case."""
    chat = _chat_share(full)
    if not _lone_word(keywords):
        return None
    strong = max(keywords.scores.values(), default=0.0) >= STRONG_PHRASE
    if chat < (CHAT_OVER_STRONG_WORD if strong else CHAT_OVER_LONE_WORD):
        return None
    return replace(
        keywords,
        opd=None,
        confidence=round(min(keywords.confidence, 1.0 - chat), 3),
        evidence=(*keywords.evidence, Evidence(ngrams.CHAT, "model", round(chat, 3), "model")),
    )


def _unless_contradicted(keywords: RouteResult, full: ngrams.Guess | None) -> RouteResult:
    """The catalog's answer, or a question when the learned layer is nearly sure of another
    agency: "bus stop" is a transport word, "an old man sleeping at the bus stop" is not; or
    no agency when a lone word stands in what the layer is nearly sure is no complaint."""
    chatting = _lone_word_in_chat(keywords, full)
    if chatting is not None:
        return chatting
    guess = _agencies(full)
    if keywords.confidence >= CONFLICT_BELOW:
        share_needed = LONE_WORD_CONFLICT_SHARE
    else:
        share_needed = CONFLICT_SHARE
    if guess is None or guess.best == keywords.opd or guess.shares[0] < share_needed:
        return keywords
    candidates = (*keywords.candidates[:1], guess.best, *keywords.candidates[1:])
    evidence = (
        *keywords.evidence,
        Evidence(guess.best, "model", round(guess.shares[0], 3), "model"),
    )
    return replace(
        keywords,
        opd=None,
        confidence=round(min(keywords.confidence, 1.0 - guess.shares[0]), 3),
        candidates=tuple(dict.fromkeys(candidates))[:MAX_CANDIDATES],
        evidence=evidence,
    )


def _model_weight(keywords: RouteResult) -> float:
    """What the learned layer's shares count beside the catalog's: more where the catalog alone
    could not choose, less beside a strong phrase (phrases are precise, n-grams are not)."""
    strongest = max(keywords.scores.values(), default=0.0)
    base = MODEL_WEIGHT if keywords.opd is not None else UNSURE_MODEL_WEIGHT
    return base * (1.0 - DAMPING * strongest / (strongest + 1.0))


def _blend(keywords: RouteResult, full: ngrams.Guess | None, coverage: float) -> RouteResult:
    """The keywords' share of evidence and the model's share, each 0..1, added per agency.
    The model counts less beside a strong catalog phrase (phrases are precise, n-grams are
    not) and beside words it never saw. Confidence is the winner's part of the whole, less
    for a runner-up either layer believes in. With no catalog phrase, a message the model
    takes for chat routes nowhere."""
    chatting = _lone_word_in_chat(keywords, full)
    if chatting is not None:
        return chatting
    chat = _chat_share(full)
    if not keywords.scores and chat >= CHAT_ALONE:
        said = (*keywords.evidence, Evidence(ngrams.CHAT, "model", round(chat, 3), "model"))
        mark = (smalltalk.OTHER,) if chat >= CHAT_MARK else ()
        return replace(keywords, opd=None, confidence=0.0, evidence=said, small_talk=mark)
    guess = _agencies(full)
    total = sum(keywords.scores.values()) + PRIOR
    combined = {code: score / total for code, score in keywords.scores.items()}
    weight = _model_weight(keywords) * min(1.0, coverage / FULL_COVERAGE)
    evidence = list(keywords.evidence)
    if guess is not None and weight > 0:
        for code, share in zip(guess.ranked, guess.shares, strict=True):
            if share >= MODEL_FLOOR:
                combined[code] = combined.get(code, 0.0) + weight * share
        evidence.append(Evidence(guess.best, "model", round(guess.shares[0], 3), "model"))
    if not combined:
        return keywords
    ranked = sorted(combined, key=lambda code: -combined[code])
    best = combined[ranked[0]]
    runner_up = combined[ranked[1]] if len(ranked) > 1 else 0.0
    confidence = best / (best + runner_up + BLEND_PRIOR)
    if keywords.candidates and keywords.candidates[0] == ranked[0]:
        confidence = max(confidence, keywords.confidence)  # the model doubts, the catalog not
    confidence = round(confidence, 3)
    needed = ABSTAIN_BELOW if keywords.scores else MODEL_ALONE_BELOW
    return RouteResult(
        ranked[0] if confidence >= needed else None,
        confidence,
        keywords.matched,
        tuple(ranked[:MAX_CANDIDATES]),
        {code: round(combined[code], 3) for code in ranked},
        tuple(evidence),
    )


_MODELS: dict[tuple[object, ...], ngrams.NgramModel] = {}
_FRAMES: dict[tuple[object, ...], frames.FrameModel] = {}


def _topic(evidence: Iterable[Evidence]) -> set[int]:
    """Where the catalog's keywords were found: what the message is about, not how it is told."""
    return {at for ev in evidence if ev.kind == "keyword" for at in ev.at}


def _model_words(words: list[str], hidden: Collection[int]) -> list[str]:
    """What the learned layer reads of a message, in training, corrections and routing alike:
    no clause breaks, nothing `hidden`, no word that only ranks two problems ("yang penting
    lampu merah" is about a traffic light; "penting" told of street lights in the corpus)."""
    return [
        w
        for i, w in enumerate(words)
        if w != BOUNDARY and i not in hidden and w not in lexicon.RANKING
    ]


def _phrase_index(analyzer: Analyzer, phrases: Iterable[str]) -> _PhraseIndex:
    """Lexicon phrases in the form the router reads messages in ("gak" is "tidak"), by first
    word: most words of a message start none."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        words = tuple(analyzer.analyze_split(split(phrase)))
        if words and words not in index.get(words[0], []):
            index.setdefault(words[0], []).append(words)
    return {first: tuple(found) for first, found in index.items()}


def _train(
    phrases: tuple[tuple[str, str], ...],
    analyzer: Analyzer,
    corpus: tuple[tuple[str, str], ...] | None,
) -> ngrams.NgramModel:
    codes = sorted({code for code, _ in phrases})
    given = list(ngrams.corpus_examples() if corpus is None else corpus)
    if any(code == ngrams.CHAT for _, code in given):
        codes.append(ngrams.CHAT)  # no complaint: a class of its own, never an agency
    model = ngrams.NgramModel(codes)
    known = set(codes)
    examples = [(text, code) for text, code in given if code in known]
    examples.extend((text, code) for code, text in phrases)
    courtesy = _phrase_index(analyzer, smalltalk.courtesies(thanks=False))
    thanks = _phrase_index(analyzer, smalltalk.courtesies(thanks=True))

    def read(text: str, chat: bool) -> list[str]:
        """A complaint's courtesies are hidden as `Router.route` hides them: "Matur nuwun"
        closing a krama report teaches the model nothing about the report."""
        words = analyzer.analyze(text)
        return _model_words(words, set() if chat else _courteous(words, courtesy, thanks))

    for chat, weight in ((False, 1.0), (True, CHAT_EXAMPLE_WEIGHT)):
        model.add_many(
            ((read(text, chat), code) for text, code in examples if (code == ngrams.CHAT) is chat),
            weight,
        )
    return model


def _trained_model(
    catalog: Catalog, analyzer: Analyzer, corpus: Sequence[tuple[str, str]] | None = None
) -> ngrams.NgramModel:
    """The model trained on the corpus and the catalog's phrases: once per catalog content,
    stemmer and corpus in a process (tests and the bench build many routers over one)."""
    phrases = tuple((a.code, kw.phrase) for a in catalog.agencies for kw in a.keyword_list())
    given = None if corpus is None else tuple(corpus)
    key = (phrases, type(analyzer.stemmer).__name__, given)
    model = _MODELS.get(key)
    if model is None:
        model = _MODELS[key] = _train(phrases, analyzer, given)
    return model


def _catalog_phrases(catalog: Catalog) -> Iterable[_Phrase]:
    """Every phrase once per agency and kind (the heaviest, if written twice)."""
    best: dict[tuple[str, tuple[str, ...], bool, bool], _Phrase] = {}
    for phrase in _all_phrases(catalog):
        key = (phrase.agency, phrase.words, phrase.context, phrase.together)
        if key not in best or best[key].weight < phrase.weight:
            best[key] = phrase
    return best.values()


def _all_phrases(catalog: Catalog) -> Iterable[_Phrase]:
    for agency in catalog.agencies:
        for kw in agency.keyword_list():
            together = TOGETHER in kw.phrase
            words = _phrase_words(kw.phrase)
            if words:
                weight = kw.weight if kw.weight is not None else DEFAULT_WEIGHT
                yield _Phrase(agency.code, kw.phrase, words, weight, False, together)
        for kw in agency.context_list():
            words = tuple(normalize(kw.phrase).split())
            if words:
                weight = kw.weight if kw.weight is not None else DEFAULT_CONTEXT_WEIGHT
                yield _Phrase(agency.code, kw.phrase, words, weight, context=True)


def _phrase_words(phrase: str) -> tuple[str, ...]:
    """A phrase's words as messages are read; "suami + memukul" names two."""
    return tuple(w for part in phrase.split(TOGETHER) for w in normalize(part).split())


def _match_together(
    words: list[str], start: int, phrase: tuple[str, ...]
) -> tuple[int, ...] | None:
    """Where the words of a "together" phrase are: all in the clause of `start`, in any
    order ("bojoku saben nesu mesti ngantemi aku": a husband who hits, told at length)."""
    first = start
    while first > 0 and words[first - 1] != BOUNDARY:
        first -= 1
    end = words.index(BOUNDARY, start) if BOUNDARY in words[start:] else len(words)
    at = [start]
    for wanted in phrase[1:]:
        found = next((i for i in range(first, end) if words[i] == wanted and i not in at), None)
        if found is None:
            return None
        at.append(found)
    return tuple(sorted(at))


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
    A phrase two agencies share counts for both, at their own weights; one agency's two
    phrases on the same words ("izin usaha" and "usaha + izin") count once. Context phrases
    take only words no keyword took."""
    taken: set[int] = set()
    kept: list[_Hit] = []
    claimed_now: dict[tuple[int, ...], set[str]] = {}
    context = False
    # keywords first, then context phrases; within each, longest, tightest, heaviest (one sort)
    for hit in sorted(hits, key=_claim_order):
        if hit.phrase.context is not context:
            context, claimed_now = True, {}  # a context phrase shares no keyword's words
        sharing = claimed_now.get(hit.at)
        if (sharing is not None and hit.phrase.agency not in sharing) or taken.isdisjoint(hit.at):
            kept.append(hit)
            claimed_now.setdefault(hit.at, set()).add(hit.phrase.agency)
            taken.update(hit.at)
    return kept


def _claim_order(hit: _Hit) -> tuple[bool, int, int, float]:
    at, phrase = hit
    return phrase.context, -len(phrase.words), at[-1] - at[0] + 1 - len(at), -phrase.weight


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
    rank = {code: at for at, code in enumerate(ranked)}
    ordered = sorted(evidence, key=lambda ev: (rank.get(ev.agency, 99), -ev.weight))
    matched = tuple(dict.fromkeys(ev.phrase for ev in ordered if ev.kind in ("keyword", "context")))
    if not ranked:
        return RouteResult(None, 0.0, matched, (), {}, tuple(ordered))
    best = scores[ranked[0]]
    runner_up = scores[ranked[1]] if len(ranked) > 1 else 0.0
    confidence = round(best / (best + runner_up + PRIOR), 3)
    opd = ranked[0] if confidence >= ABSTAIN_BELOW else None
    candidates = tuple(ranked[:MAX_CANDIDATES])
    return RouteResult(opd, confidence, matched, candidates, scores, tuple(ordered))
