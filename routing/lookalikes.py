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
from collections import Counter, deque
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain
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


@lru_cache(maxsize=100_000)
def _word_signature(word: str) -> npt.NDArray[np.uint64]:
    """The MinHash signature of the 3-grams of " word " (crc32, the same in every process;
    multiply-shift hashing in wrapping uint64). A text's signature is the element-wise
    minimum of its words': computed once per word, not once per message."""
    padded = f" {word} ".encode()
    grams = np.array(
        [zlib.crc32(padded[i : i + 3]) for i in range(len(padded) - 2)], dtype=np.uint64
    )
    mixed = (_MULTIPLIERS[:, None] * grams[None, :] + _OFFSETS[:, None]) >> _SHIFT
    result: npt.NDArray[np.uint64] = mixed.min(axis=1)
    return result


def signature(words: Iterable[str]) -> Signature | None:
    """The MinHash signature of the words' 3-grams; None for no words."""
    sigs = [_word_signature(word) for word in words]
    if not sigs:
        return None
    found: list[int] = np.minimum.reduce(sigs).tolist() if len(sigs) > 1 else sigs[0].tolist()
    return found


def _keys(sig: Signature) -> list[tuple[int, ...]]:
    """One key per band: the band's number and its hashes."""
    return list(zip(range(BANDS), *(sig[row::ROWS] for row in range(ROWS)), strict=True))


class LookAlikes:
    """An index of stored texts by their signature's bands; `near` gives candidate indexes."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[int, ...], deque[int]] = {}

    def add(self, words: Iterable[str], index: int) -> None:
        sig = signature(words)
        if sig is None:
            return
        for key in _keys(sig):
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = deque(maxlen=BUCKET)
            bucket.append(index)

    def near(self, words: Iterable[str]) -> list[int]:
        """Indexes of at most NEAREST stored texts sharing a band with these words, those
        sharing the most bands first (the share of bands estimates the overlap)."""
        sig = signature(words)
        if sig is None:
            return []
        get = self._buckets.get
        found = [bucket for key in _keys(sig) if (bucket := get(key)) is not None]
        unique = dict.fromkeys(chain.from_iterable(found))
        if len(unique) <= NEAREST:
            return list(unique)  # most messages: no need to rank by bands shared
        shared = Counter(chain.from_iterable(found))
        return [index for index, _ in shared.most_common(NEAREST)]
