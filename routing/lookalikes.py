"""Stored corrections found again by look-alike, at a cost that does not grow with their number.

Each stored text gets a MinHash signature of its words' character 3-grams (typos and affixes
change few of them); the signature is cut into bands, and each band is a key into a bucket of
the texts that share it (locality-sensitive hashing). A message looks in its own buckets only:
a handful of dictionary look-ups and at most NEAREST texts to compare word by word, whether 20
or 200,000 corrections are stored. Texts whose 3-grams overlap by half share a bucket 99 times
in 100, by a tenth 15 times in 100; those sharing the most bands are compared first.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable
from itertools import chain, repeat
from typing import Final

import numpy as np
import numpy.typing as npt

BANDS: Final = 16
ROWS: Final = 2  # hashes per band: two rows make a half-overlap a near-certain candidate
BUCKET: Final = 4  # texts kept per bucket, newest: the same complaint corrected again and again
NEAREST: Final = 24  # candidates handed to the caller's word-by-word comparison
_SEED: Final = 20240611
_random = np.random.default_rng(_SEED)
_MULTIPLIERS: Final = _random.integers(1, 2**63, size=BANDS * ROWS, dtype=np.uint64) | np.uint64(1)
_OFFSETS: Final = _random.integers(0, 2**63, size=BANDS * ROWS, dtype=np.uint64)
_SHIFT: Final = np.uint64(32)

Signature = list[int]
# A band's ROWS hashes (each below 2**32, kept as uint32; ROWS of 1 or 2) read as one integer:
# the bucket key, in one dictionary per band. One numpy view instead of a tuple per band.
_KEY: Final = np.dtype(f"u{4 * ROWS}")


def _word_signature(word: str) -> npt.NDArray[np.uint32]:
    """The MinHash signature of the 3-grams of " word " (crc32, the same in every process;
    multiply-shift hashing in wrapping uint64). A text's signature is the element-wise
    minimum of its words': computed once per word (`_WordRows`), not once per message."""
    padded = f" {word} ".encode()
    grams = np.array(
        [zlib.crc32(padded[i : i + 3]) for i in range(len(padded) - 2)], dtype=np.uint64
    )
    mixed = (_MULTIPLIERS[:, None] * grams[None, :] + _OFFSETS[:, None]) >> _SHIFT
    result: npt.NDArray[np.uint32] = mixed.min(axis=1).astype(np.uint32)
    return result


class _WordRows(dict[str, int]):
    """Word -> its row of `table`, which holds the word's signature: a text's minimum is then
    taken over rows of one array, not over arrays stacked first; a word seen for the first
    time gets its row in `__missing__`, so the look-ups of a message run in C."""

    LIMIT: Final = 100_000  # words remembered; then forgotten all at once, between messages

    def __init__(self) -> None:
        super().__init__()
        self.table: npt.NDArray[np.uint32] = np.empty((1024, BANDS * ROWS), dtype=np.uint32)

    def __missing__(self, word: str) -> int:
        row = len(self)
        if row == len(self.table):
            self.table = np.concatenate([self.table, np.empty_like(self.table)])
        self.table[row] = _word_signature(word)
        self[word] = row
        return row

    def min_hashes(self, words: Iterable[str]) -> npt.NDArray[np.uint32] | None:
        """The element-wise minimum of the words' signatures; None for no words."""
        if len(self) > self.LIMIT:
            self.clear()  # never within a message: the rows it took stay its words' own
        rows = list(map(self.__getitem__, words))
        if not rows:
            return None
        found: npt.NDArray[np.uint32] = np.minimum.reduce(self.table.take(rows, axis=0))
        return found


# One table for every index: a word's signature is the same in any of them.
_min_hashes: Final = _WordRows().min_hashes


def signature(words: Iterable[str]) -> Signature | None:
    """The MinHash signature of the words' 3-grams; None for no words."""
    found = _min_hashes(words)
    return None if found is None else found.tolist()


def _keys(hashes: npt.NDArray[np.uint32]) -> list[int]:
    """One key per band, in band order: its ROWS hashes as one integer (the same buckets as
    keying by the hashes themselves, without building tuples)."""
    keys: list[int] = hashes.view(_KEY).tolist()
    return keys


class LookAlikes:
    """An index of stored texts by their signature's bands; `near` gives candidate indexes."""

    def __init__(self) -> None:
        # per band, key -> the newest BUCKET indexes, oldest first (tuples: iterated faster
        # than deques, and a look-up's miss is an empty one)
        self._bands: list[dict[int, tuple[int, ...]]] = [{} for _ in range(BANDS)]

    def add(self, words: Iterable[str], index: int) -> None:
        hashes = _min_hashes(words)
        if hashes is None:
            return
        for buckets, key in zip(self._bands, _keys(hashes), strict=True):
            buckets[key] = (*buckets.get(key, ()), index)[-BUCKET:]

    def near(self, words: Iterable[str]) -> list[int]:
        """Indexes of at most NEAREST stored texts sharing a band with these words, those
        sharing the most bands first (the share of bands estimates the overlap)."""
        hashes = _min_hashes(words)
        if hashes is None:
            return []
        found = list(chain.from_iterable(map(dict.get, self._bands, _keys(hashes), repeat(()))))
        first = dict.fromkeys(found)  # in order of first appearance
        if len(first) <= NEAREST:
            return list(first)  # most messages: no need to count bands shared
        shared = Counter(found)
        # sorted() is stable: ties stay in order of first appearance, as most_common() keeps them
        return sorted(shared, key=shared.__getitem__, reverse=True)[:NEAREST]
