"""The learned layer: a Complement Naive Bayes model over character n-grams of the analysed
words, trained from labelled examples (the corpus shipped in routing/corpus, the catalog's
own phrases, officers' corrections).

Why this model: it finds the agency of messages that describe a situation without the
catalog's words ("kran cuma keluar angin", "ngintip anak perempuan"); character n-grams carry
over affixes, Javanese forms and typos that whole words miss. Complement NB is plain counts,
so it trains in a fraction of a second at start-up (nothing binary is shipped) and an officer's
correction is added with `add` at once, no retraining. A logistic regression on the same
features (bench/routing.py prints both) routes a point or two more right when it must always
answer, but trains in half a minute, routes a seventh as fast and sends more non-complaints
and, on most new sets, more complaints to a wrong agency (round 8).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

CORPUS_DIR: Final = Path(__file__).resolve().parent / "corpus"
# The label of corpus lines that are no complaint (greetings, thanks, tests, spam, jokes): the
# model learns them as one more class, so that chat has somewhere to go besides an agency.
CHAT: Final = "-"
GRAM_SIZES: Final = (3, 4, 5)
ALPHA: Final = 0.3  # smoothing: the tuning half liked 0.3 (0.1 and 1.0 lost a point or two)
_START_ROWS: Final = 4096

Floats = npt.NDArray[np.float64]


@lru_cache(maxsize=100_000)
def word_grams(word: str) -> tuple[str, ...]:
    """Character n-grams of one word, padded so that its start and end count: " lampu "."""
    padded = f" {word} "
    return tuple(padded[i : i + n] for n in GRAM_SIZES for i in range(len(padded) - n + 1))


@dataclass(frozen=True, slots=True)
class Guess:
    """The model's ranking: agency codes best first, with a share of belief that sums to 1."""

    ranked: tuple[str, ...]
    shares: tuple[float, ...]

    @property
    def best(self) -> str:
        return self.ranked[0]

    @property
    def margin(self) -> float:
        return self.shares[0] - (self.shares[1] if len(self.shares) > 1 else 0.0)


class NgramModel:
    """Complement NB counts, one row per n-gram, one column per agency; grows as it learns.

    The weights are kept in two parts so that a correction costs only its own rows: a per-row
    part, -log(complement count), updated for the rows a correction touches, and a per-agency
    part, log(complement total), added once per message. A copy shares the arrays of the
    model it was copied from until it first learns (copy on write): routers built over one
    trained model cost nothing until an officer corrects one."""

    def __init__(self, classes: Sequence[str], *, alpha: float = ALPHA) -> None:
        self.classes = tuple(classes)
        self._column = {code: i for i, code in enumerate(self.classes)}
        self._rows: dict[str, int] = {}
        self._counts: Floats = np.zeros((_START_ROWS, len(self.classes)))
        self._class_totals: Floats = np.zeros(len(self.classes))
        self.alpha = alpha
        self._local: Floats | None = None  # -log(complement) per row; None: to compute
        self._per_class: Floats = np.zeros(len(self.classes))  # log(complement total)
        self._by_word: dict[str, tuple[Floats, int]] = {}
        self._shared = False  # arrays belong to the model this one was copied from
        self._word_rows: dict[str, npt.NDArray[np.intp]] = {}  # a word's n-gram rows

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, words: Sequence[str], code: str, weight: float = 1.0) -> None:
        """Count one labelled example (its analysed words); cost grows with its length only,
        not with the number of examples already counted."""
        self.add_many([(words, code)], weight)

    def add_many(self, examples: Iterable[tuple[Sequence[str], str]], weight: float = 1.0) -> None:
        """Count many labelled examples (analysed words) in one numpy update (start-up
        training). A word's feature rows are looked up once, then reused."""
        self._own_arrays()
        found: list[npt.NDArray[np.intp]] = []
        columns: list[npt.NDArray[np.intp]] = []
        for words, code in examples:
            rows = self._example_rows(words)
            found.append(rows)
            columns.append(np.full(len(rows), self._column[code], dtype=np.intp))
            self._class_totals[self._column[code]] += weight * len(rows)
        if not found:
            return
        if len(self._rows) > len(self._counts):
            size = max(len(self._rows), 2 * len(self._counts))
            self._counts = _grown(self._counts, size)
            if self._local is not None:
                self._local = _grown(self._local, size)
        at = (np.concatenate(found), np.concatenate(columns))
        self._by_word.clear()
        if len(at[0]) < 10_000:  # one correction: touch only its cells and their weights
            np.add.at(self._counts, at, weight)
            if self._local is not None:
                touched = np.unique(at[0])
                self._local[touched] = self._row_weights(self._counts[touched])
                self._per_class = self._class_weights()
            return
        width = len(self.classes)  # a corpus: one pass over the whole table is faster
        added = np.bincount(at[0] * width + at[1], minlength=self._counts.size) * weight
        self._counts += added.reshape(-1, width)
        self._local = None

    def _example_rows(self, words: Sequence[str]) -> npt.NDArray[np.intp]:
        """The feature rows of an example, new features given new rows: each word whole and
        its character n-grams, and each pair of words that follow each other ("lampu merah"
        is not "lampu" and "merah")."""
        index = self._rows
        parts = []
        previous = ""
        pairs: list[int] = []
        for word in words:
            rows = self._word_rows.get(word)
            if rows is None:
                ids = [index.setdefault(g, len(index)) for g in (*word_grams(word), f"={word}")]
                rows = self._word_rows[word] = np.array(ids, dtype=np.intp)
            parts.append(rows)
            if previous:
                pairs.append(index.setdefault(f"{previous}+{word}", len(index)))
            previous = word
        parts.append(np.array(pairs, dtype=np.intp))
        return np.concatenate(parts)

    def copy(self) -> NgramModel:
        """A model with the same counts that learns on its own (arrays copied when it does)."""
        twin = NgramModel(self.classes, alpha=self.alpha)
        self._weights()
        twin._rows, twin._counts, twin._class_totals = self._rows, self._counts, self._class_totals
        twin._local, twin._per_class = self._local, self._per_class
        twin._by_word = self._by_word  # same weights, same per-word sums, until it learns
        twin._word_rows = self._word_rows
        twin._shared = True
        return twin

    def _own_arrays(self) -> None:
        if self._shared:
            self._rows = dict(self._rows)
            self._counts = self._counts.copy()
            self._class_totals = self._class_totals.copy()
            self._local = None if self._local is None else self._local.copy()
            self._by_word = {}
            self._word_rows = dict(self._word_rows)
            self._shared = False

    def guess(self, words: Sequence[str], temperature: float) -> Guess | None:
        """Rank the agencies for a message's words; None when it shares no feature with any
        example. The log-likelihoods are averaged per feature before the softmax, so that a
        long message is not more certain only for being long; `temperature` sets how sharp
        the shares are. Per-word sums are cached: a message costs a few vector additions."""
        local = self._weights()
        found: list[Floats] = []
        known = 0
        cache = self._by_word
        previous = ""
        for word in words:
            cached = cache.get(word)
            if cached is None:
                # a word some example had: its rows were listed when it was counted
                rows: npt.NDArray[np.intp] | list[int] | None = self._word_rows.get(word)
                if rows is None:
                    grams = (*word_grams(word), f"={word}")
                    rows = [r for r in map(self._rows.get, grams) if r is not None]
                cached = cache[word] = (local[rows].sum(axis=0), len(rows))
            if cached[1]:
                found.append(cached[0])
                known += cached[1]
            if previous:
                row = self._rows.get(f"{previous}+{word}")
                if row is not None:
                    found.append(local[row])
                    known += 1
            previous = word
        if not known:
            return None
        # ufuncs called directly and in place, read back with tolist(): on 20-odd agencies the
        # cost is the calls themselves (the same arithmetic as .max(), .sum(), np.argsort)
        shares = np.add.reduce(found) / known
        shares += self._per_class
        shares -= np.maximum.reduce(shares)
        shares /= temperature
        np.exp(shares, out=shares)
        shares /= np.add.reduce(shares)
        order: list[int] = (-shares).argsort()[:4].tolist()
        values: list[float] = shares.tolist()
        return Guess(tuple(self.classes[i] for i in order), tuple(values[i] for i in order))

    def _weights(self) -> Floats:
        """The per-row part of the weights, computed for the whole table after training."""
        if self._local is None:
            weighed = self._row_weights(self._counts[: len(self._rows)])
            self._local = _grown(weighed, len(self._counts))
            self._per_class = self._class_weights()
            self._by_word.clear()
        return self._local

    def _row_weights(self, counts: Floats) -> Floats:
        complement = counts.sum(axis=1, keepdims=True) - counts + self.alpha
        result: Floats = -np.log(complement)
        return result

    def _class_weights(self) -> Floats:
        totals = self._class_totals.sum() - self._class_totals + self.alpha * len(self._rows)
        result: Floats = np.log(totals)
        return result

    def knows_word(self, word: str) -> bool:
        """Whether some example had this word."""
        return f"={word}" in self._rows


def _grown(table: Floats, rows: int) -> Floats:
    """The table with room for `rows` rows (new rows zero)."""
    if len(table) >= rows:
        return table
    grown = np.zeros((rows, table.shape[1]))
    grown[: len(table)] = table
    return grown


def corpus_examples(directory: Path = CORPUS_DIR) -> Iterator[tuple[str, str]]:
    """(text, code) pairs of the shipped corpus: `CODE | text` lines in *.txt (# comments;
    `CHAT`, "-", for a line that is no complaint), and labelled `{"text", "opd"}` lines in
    *.jsonl."""
    for path in sorted(directory.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            code, sep, text = line.partition("|")
            if sep and not line.lstrip().startswith("#") and text.strip():
                yield text.strip(), code.strip()
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("opd"):
                    yield str(row["text"]), str(row["opd"])
