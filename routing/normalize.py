"""Text normalisation: residents' spelling brought to the catalog's, one word at a time.

`fold` and `split` know nothing of the catalog. `Analyzer` is built over the catalog's words:
it expands slang and Javanese, strips affixes only when that lands on a word the catalog or the
lexicon knows ("selokannya" -> "selokan", "dalane" -> "dalan" -> "jalan"), and corrects a typo
only towards a catalog word of similar length with the same first letter, never a short word.
What voice recognition cuts apart it puts back when the whole is a catalog word ("te pe es" ->
tps, "sam pah" -> sampah), and an unknown word made of two catalog words is read as both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cache, lru_cache
from itertools import chain
from typing import Final, Protocol

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory  # type: ignore[import-untyped]

from routing import lexicon

BOUNDARY: Final = "|"  # a clause break: phrases never match across one
DICTATED_MIN_WORDS: Final = 15  # a message this long without a mark was dictated

_NOT_TEXT = re.compile(r"[^a-z0-9\s,.;:!?()\-&+/|]")
_REPEATS = re.compile(r"([a-z])\1\1+")
_TRIPLES = re.compile(r"(.)\1\1")  # cheaper than _REPEATS, which it finds a superset of
_TOKENS = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*|[,;:!?()\n|]|\.(?=\s|$)")
_REDUPLICATED = re.compile(r"^([a-z]{2,})2$")
_DOUBLES = re.compile(r"([a-z])\1")
_ENGLISH_DOUBLE_ENDINGS: Final = "eolsf"  # "free", "too", "small", "less", "staff"
_IDIOMS = re.compile(
    r"\b(?:" + "|".join(r"\s+".join(map(re.escape, k.split())) for k in lexicon.IDIOMS) + r")\b"
)

# _IDIOMS matches only where one of these ends a piece of text between white space.
_IDIOM_STARTS: Final = tuple(sorted({k.split()[0] for k in lexicon.IDIOMS}))

_EMOJI = re.compile("|".join(map(re.escape, lexicon.EMOJI_WORDS)))

# Voice recognition spells an acronym out letter by letter: "pe de a em" -> "pdam".
LETTER_NAMES: Final[dict[str, str]] = {
    "a": "a", "be": "b", "ce": "c", "de": "d", "e": "e", "ef": "f", "ge": "g", "ha": "h",
    "i": "i", "je": "j", "ka": "k", "el": "l", "em": "m", "en": "n", "o": "o", "pe": "p",
    "ki": "q", "er": "r", "es": "s", "te": "t", "u": "u", "ve": "v", "fe": "v", "we": "w",
    "eks": "x", "ye": "y", "zet": "z",
}  # fmt: skip
MAX_SPELLED: Final = 5  # letters of the longest acronym spelled out ("ce ce te ve")
MIN_SPLIT_PART: Final = 3  # "lampujalan" -> lampu jalan; no part shorter than this

CACHE_LIMIT: Final = 200_000  # distinct words remembered; a long-running bot sees many typos
MIN_FUZZY_LENGTH: Final = 5  # shorter words match exactly or not at all: "api" is not "apa"


def fold(text: str) -> str:
    """Lower case, plain Latin letters, no emoji or apostrophes, "rusaaak" -> "rusak"."""
    if text.isascii():  # most messages: nothing to decompose
        text = text.lower()
    else:
        text = _EMOJI.sub(lambda m: f" {lexicon.EMOJI_WORDS[m.group(0)]} ", text)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = unicodedata.normalize("NFKC", text).casefold()
    text = _fold_letters(text)
    if not any(map(text.__contains__, _IDIOM_STARTS)) or _IDIOMS.search(text) is None:
        return text  # most texts hold no idiom's first word: no search
    return _IDIOMS.sub(lambda m: lexicon.IDIOMS[" ".join(m.group(0).split())], text)


def _fold_letters(text: str) -> str:
    """`fold` after lower case, idioms aside. Nothing here reaches across white space (none is
    removed, a held letter is a run of one letter), so `split` may fold text piece by piece."""
    text = text.replace("'", "").replace("’", "").replace("&", " dan ").replace("+", " dan ")
    text = _NOT_TEXT.sub(" ", text)
    if _TRIPLES.search(text) is not None:  # rare: "rusaaak"
        text = _REPEATS.sub(r"\1", text)
    return text


def _may_start_idiom(piece: str) -> bool:
    """Whether a piece of text between white space ends on an idiom's first word ("tak" in
    "wis tak transfer", not "takut"): only then may the idiom run on into the next piece."""
    return piece.endswith(_IDIOM_STARTS)


# By piece of lower-cased text between white space: its words when its first token is a word
# (then they do not depend on what came before), else its tokens (None: an idiom may start
# there). And by word token, its words.
_WORD_PIECES: dict[str, tuple[str, ...]] = {}
_PIECES: dict[str, tuple[str, ...] | None] = {}
_TOKEN_WORDS: dict[str, tuple[str, ...]] = {}


def split(text: str) -> list[str]:
    """Words of folded text, reduplication collapsed ("anak2", "bolong-bolong"), clause
    breaks kept as `BOUNDARY`."""
    if len(_WORD_PIECES) > CACHE_LIMIT or len(_PIECES) > CACHE_LIMIT:
        _WORD_PIECES.clear()
        _PIECES.clear()
    if len(_TOKEN_WORDS) > CACHE_LIMIT:
        _TOKEN_WORDS.clear()
    words: list[str] = []
    # No token spans white space, nor does `_fold_letters`: ASCII text without a newline (a
    # token itself) is read piece by piece, each piece folded once; an idiom spans pieces.
    if not (text.isascii() and "\n" not in text and _read_pieces(text.lower(), words)):
        words.clear()
        _read_tokens(_TOKENS.findall(fold(text)), words)
    if len(words) >= DICTATED_MIN_WORDS and BOUNDARY not in words:
        words = _spoken_breaks(words)
    while words and words[-1] == BOUNDARY:
        words.pop()
    return words


def _spoken_breaks(words: list[str]) -> list[str]:
    """A long message without a mark was dictated: voice typing writes the "titik" and "koma"
    the resident said ("... ada lubang besar titik tolong diperbaiki koma listrik ...")."""
    broken: list[str] = []
    for at, word in enumerate(words):
        if word in lexicon.SPOKEN_BREAKS and 0 < at < len(words) - 1:
            if broken[-1] != BOUNDARY:
                broken.append(BOUNDARY)
        else:
            broken.append(word)
    return broken


def _read_pieces(text: str, words: list[str]) -> bool:
    """`split` of lower-cased ASCII text without newlines into `words`, by piece; False (and
    `words` unfinished) when an idiom may be in it: only the whole text tells."""
    word_pieces, pieces = _WORD_PIECES, _PIECES
    for piece in text.split():
        found = word_pieces.get(piece)
        if found is not None:
            words += found
            continue
        if piece in pieces:
            tokens = pieces[piece]
        else:
            folded = _fold_letters(piece)
            tokens = None if _may_start_idiom(folded) else tuple(_TOKENS.findall(folded))
            if tokens and tokens[0][0].isalnum():
                own: list[str] = []
                _read_tokens(tokens, own)
                found = word_pieces[piece] = tuple(own)
                words += found
                continue
            pieces[piece] = tokens
        if tokens is None:
            return False
        _read_tokens(tokens, words)
    return True


def _read_tokens(tokens: Iterable[str], words: list[str]) -> None:
    """Tokens of folded text into `words`: a full stop after a word that is no abbreviation,
    and punctuation, make a clause break."""
    for raw in tokens:
        if raw == ".":
            if words and words[-1] not in lexicon.ABBREVIATIONS and len(words[-1]) > 1:
                words.append(BOUNDARY)
        elif not raw[0].isalnum():
            if words and words[-1] != BOUNDARY:
                words.append(BOUNDARY)
        else:
            words += _words_of_token(raw)


def _words_of_token(raw: str) -> tuple[str, ...]:
    """`_token_words`, remembered: a word comes again and again."""
    found = _TOKEN_WORDS.get(raw)
    if found is None:
        found = _TOKEN_WORDS[raw] = _token_words(raw)
    return found


def _token_words(raw: str) -> tuple[str, ...]:
    """A word token's words: "anak2" and "bolong-bolong" are one, "rt-rw" two."""
    parts = raw.split("-")
    if len(parts) == 2 and parts[0] == parts[1]:
        parts = [lexicon.REDUPLICATED_SENSES.get(parts[0], parts[0])]
    return tuple(_collapsed(part) for part in parts)


def _collapsed(part: str) -> str:
    """ "anak2" is "anak"; "minta2" begs, it does not ask (`lexicon.REDUPLICATED_SENSES`)."""
    match = _REDUPLICATED.match(part)
    if match is None:
        return part
    return lexicon.REDUPLICATED_SENSES.get(match.group(1), match.group(1))


class Stemmer(Protocol):
    """Proposes base forms of a word, most likely first; the analyzer keeps the first it knows."""

    def candidates(self, word: str) -> Iterable[str]: ...


_SUFFIXES: Final = (
    # Indonesian particles and possessives, Javanese -e/-ne/-ipun, derivation, English endings.
    "nipun", "ipun", "nya", "lah", "kah", "pun", "ne", "ku", "mu", "e",
    "kan", "ake", "ke", "aken", "ane", "an", "i", "in", "en",
    "ing", "ed", "es", "s",
)  # fmt: skip
# Prefixes kept as they are: the stem follows unchanged ("di-pangkas", "ke-banjir-an").
_PLAIN_PREFIXES: Final = (
    "dipun", "diper", "memper", "ber", "ter", "per", "di", "ke", "ka", "se", "be", "te", "me",
    "pe", "nge", "menge", "penge", "meng", "peng", "mem", "men", "pem", "pen", "ng",
)  # fmt: skip
# A nasal prefix before a vowel replaced the stem's first consonant: "menambal" <- tambal,
# "nyapu" <- sapu, "mengeruk" <- keruk (meng-/ng- may also sit before a vowel stem: "ngambil").
_NASAL_PREFIXES: Final = {
    "meny": "s", "peny": "s", "ny": "s", "men": "t", "pen": "t", "n": "t",
    "mem": "p", "pem": "p", "m": "p", "meng": "k", "peng": "k", "ng": "k",
}  # fmt: skip


class AffixStripper:
    """A small Indonesian/Javanese affix stripper; cheap, and safe because the analyzer only
    accepts a stripped form that the catalog or the lexicon knows."""

    def candidates(self, word: str) -> Iterator[str]:
        """Every way to take affixes off, the least taken off first."""
        stems = [word, *_without_suffixes(word)]
        found = {*stems[1:], *(s for stem in stems for s in _without_prefix(stem))}
        found.discard(word)
        yield from sorted(found, key=lambda stem: (-len(stem), stem))


def _without_suffixes(word: str) -> Iterator[str]:
    for first in _SUFFIXES:
        if word.endswith(first) and len(word) - len(first) >= 3:
            base = word[: -len(first)]
            yield base
            for second in _SUFFIXES:
                if base.endswith(second) and len(base) - len(second) >= 3:
                    yield base[: -len(second)]


def _without_prefix(word: str) -> Iterator[str]:
    for prefix in _PLAIN_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            yield word[len(prefix) :]
    for prefix, consonant in _NASAL_PREFIXES.items():
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            rest = word[len(prefix) :]
            if rest[0] in "aiueo":
                yield consonant + rest


class SastrawiStemmer:
    """PySastrawi's dictionary stemmer, compared with `AffixStripper` in the bench."""

    def __init__(self) -> None:
        self._stem: Callable[[str], str] = StemmerFactory().create_stemmer().stem

    def candidates(self, word: str) -> Iterator[str]:
        yield self._stem(word)


class NoStemmer:
    def candidates(self, word: str) -> Iterator[str]:
        return iter(())


_LEXICON: Final = lexicon.lexicon()


@cache
def known_words() -> frozenset[str]:
    """Real words, never taken for typos: Sastrawi's Indonesian root list (about 30,000
    words), the lexicon on both sides, common English, Kediri's place names, and the common
    words and abbreviations the lexicon lists ("pak" is no vowel-less "pakai")."""
    roots = {w.strip() for w in StemmerFactory().get_words() if w.strip()}
    targets = {w for target in _LEXICON.values() for w in target.split()}
    listed = lexicon.PLACES | lexicon.ENGLISH_COMMON | lexicon.STOPWORDS | lexicon.ABBREVIATIONS
    return frozenset(roots | targets | _LEXICON.keys() | listed)


def expand(word: str) -> list[str]:
    """The lexicon's reading of one word ("gk" -> ["tidak"]), or the word itself."""
    target = _LEXICON.get(word)
    return target.split() if target is not None else [word]


def read_as(readings: Iterable[str]) -> frozenset[str]:
    """The words whose first reading is one of `readings` (they themselves, and "lpr" if it
    read "lapor"): a set to look for before reading a message word by word."""
    wanted = frozenset(readings)
    return wanted | frozenset(w for w, target in _LEXICON.items() if target.split()[0] in wanted)


@lru_cache(maxsize=20_000)
def normalize(text: str) -> str:
    """Text as the catalog is written: folded, reduplication collapsed, slang and Javanese
    expanded. Used for catalog phrases (cached: the catalog's check and the router's build
    read the same ones) and stored examples; the matcher goes further with `Analyzer`."""
    return " ".join(w for word in split(text) if word != BOUNDARY for w in expand(word))


def skeleton(word: str) -> str:
    """The first letter and the consonants after it: "lampu" and "lmpu" are both "lmp"."""
    return word[0] + "".join(ch for ch in word[1:] if ch not in "aiueo")


def _shortens(short: str, long: str) -> bool:
    """Every letter of `short` appears in `long`, in order."""
    letters = iter(long)
    return all(ch in letters for ch in short)


class Analyzer:
    """Turns a message into catalog words; built once per catalog, caches every word it sees."""

    def __init__(self, vocabulary: Iterable[str], stemmer: Stemmer | None = None) -> None:
        self.vocabulary = frozenset(vocabulary)
        self.stemmer: Stemmer = stemmer if stemmer is not None else AffixStripper()
        self._known = self.vocabulary | known_words()
        by_initial: dict[str, list[str]] = {}
        for word in sorted(self.vocabulary):  # ties between look-alikes: alike in every process
            if len(word) >= MIN_FUZZY_LENGTH - 1 and word.isalpha():
                by_initial.setdefault(word[0], []).append(word)
        self._fuzzy_targets = by_initial
        by_skeleton: dict[str, set[str]] = {}
        for word in self.vocabulary:
            if len(word) >= 4 and word.isalpha():
                by_skeleton.setdefault(skeleton(word), set()).add(word)
        self._skeletons = {k: sorted(v) for k, v in by_skeleton.items()}
        self._cache: dict[str, tuple[str, ...]] = {}
        self._joinable = self.vocabulary | _LEXICON.keys()
        self._plain: set[str] = set()  # tokens found to be no spelled letter, no unknown word

    def analyze(self, text: str) -> list[str]:
        """Catalog-facing words of `text`, with `BOUNDARY` between clauses."""
        return self.analyze_split(split(text))

    def analyze_split(self, tokens: Iterable[str]) -> list[str]:
        """`analyze` for text already `split`."""
        cache = self._cache
        if len(cache) > CACHE_LIMIT or len(self._plain) > CACHE_LIMIT:
            cache.clear()
            self._plain.clear()
        words = self._rejoin(tokens if isinstance(tokens, list) else list(tokens))
        try:  # most messages: every word seen before, the look-ups all in C
            return list(chain.from_iterable(map(cache.__getitem__, words)))
        except KeyError:
            for word in words:
                if word not in cache:
                    cache[word] = tuple(self._resolve(word))
            return list(chain.from_iterable(map(cache.__getitem__, words)))

    def _rejoin(self, tokens: list[str]) -> list[str]:
        """Words voice recognition cut apart, put back when the whole is a catalog word:
        spelled letters ("te pe es" -> tps, "pe dam" -> pdam), a word in pieces ("sam pah")."""
        odd = self._odd_positions(tokens)
        if not odd:
            return tokens  # most messages: every word a real one, nothing spelled
        # Only a spelled letter or an unknown word joins a neighbour (a plain word is no letter,
        # and known if a word: known_words() holds the lexicon's), so the plain words before
        # the word ahead of an odd one are copied as they are; the rest is read word by word.
        out: list[str] = []
        joinable, known = self._joinable, self._known
        i, n = 0, len(tokens)
        for at in odd:
            if at < i:
                continue  # joined already
            start = max(i, at - 1)
            out += tokens[i:start]
            i = start
            while i <= at:
                word = tokens[i]
                if word in LETTER_NAMES and i + 1 < n:
                    i = self._spelled(tokens, i, out)
                    continue
                if i + 1 < n:
                    nxt = tokens[i + 1]
                    whole = word + nxt
                    if (
                        len(whole) >= MIN_FUZZY_LENGTH
                        and whole in joinable
                        and (word not in known or nxt not in known)
                        and word.isalpha()
                        and nxt.isalpha()
                    ):
                        out.append(whole)
                        i += 2
                        continue
                out.append(word)
                i += 1
        out += tokens[i:]
        return out

    def _spelled(self, tokens: list[str], i: int, out: list[str]) -> int:
        """`_rejoin` at a spelled letter, tokens[i], not the last: the acronym or the word
        it starts put in `out` (or the letter itself); where the next token to read is."""
        joinable = self._joinable
        n = len(tokens)
        word = tokens[i]
        letters = [word]
        while len(letters) < MAX_SPELLED and tokens[i + len(letters)] in LETTER_NAMES:
            letters.append(tokens[i + len(letters)])
            if i + len(letters) == n:
                break
        for k in range(len(letters), 1, -1):
            acronym = "".join(LETTER_NAMES[t] for t in letters[:k])
            if acronym in joinable:
                out.append(acronym)
                return i + k
        whole = LETTER_NAMES[word] + tokens[i + 1]
        if whole in joinable:
            out.append(whole)
            return i + 2
        out.append(word)
        return i + 1

    def _odd_positions(self, tokens: list[str]) -> list[int]:
        """Where the spelled letters and the words neither the catalog nor a dictionary knows
        are. Plain tokens are remembered: a message of known words costs one set comparison."""
        plain = self._plain
        if plain.issuperset(tokens):
            return []
        odd: list[int] = []
        for at, token in enumerate(tokens):
            if token in plain:
                continue
            if token in LETTER_NAMES or (
                token.isalpha() and token not in self._known and token not in _LEXICON
            ):
                odd.append(at)
            else:
                plain.add(token)
        return odd

    def _split_merged(self, word: str) -> list[str] | None:
        """Two catalog words run together ("lampujalan", "sampahnumpuk")."""
        if len(word) < 2 * MIN_SPLIT_PART + 1:
            return None
        vocabulary = self.vocabulary
        for cut in range(len(word) - MIN_SPLIT_PART, MIN_SPLIT_PART - 1, -1):
            left, right = word[:cut], word[cut:]
            if left in vocabulary and (right in vocabulary or right in _LEXICON):
                return [*expand(left), *expand(right)]
        return None

    def knows(self, word: str) -> bool:
        """A real word, the catalog's or a dictionary's, or a typo of a catalog word."""
        if word in self._known or word in _LEXICON:
            return True
        return self.analyze(word) != [word]

    def _resolve(self, word: str) -> list[str]:
        if word == BOUNDARY or word in _LEXICON or word in self.vocabulary:
            return expand(word)
        if word in self._known or not word.isalpha():
            return [word]
        single = _DOUBLES.sub(r"\1", word)
        if single != word:
            if single in _LEXICON or single in self.vocabulary:
                return expand(single)
            if word[-1] == word[-2] and word[-1] not in _ENGLISH_DOUBLE_ENDINGS:
                # chat's held last letter on a typo or a vowel-dropped word: "bnjirr", "gjii"
                resolved = self._resolve(single)
                if resolved != [single]:
                    return resolved
        real_word = False
        for stem in self.stemmer.candidates(word):
            if stem in self.vocabulary:
                return [stem]
            if stem in _LEXICON and word.startswith(stem):  # "omahe" -> omah; prefixes: no
                return expand(stem)
            if stem in self._known and len(stem) >= MIN_FUZZY_LENGTH + 1:
                return [word]  # "pegangannya" is pegang + affixes, not the catalog's "gang"
            real_word = real_word or stem in self._known
        if real_word:  # "keberatan" is berat + affixes, not a typo of "kesehatan"
            return [word]
        corrected = self._correct(word) or self._unabbreviate(word)
        if corrected is None and len(word) > 5:  # "jukrnya": the abbreviation, then a suffix
            for stem in _without_suffixes(word):
                corrected = self._unabbreviate(stem)
                if corrected:
                    break
        if corrected:
            return [corrected]
        return self._split_merged(word) or [word]

    def _unabbreviate(self, word: str) -> str | None:
        """Chat writes words without their vowels ("lmpu mti", "prkr"): the one catalog word
        with the same consonants in the same order, of which the word is a shortening."""
        if len(word) < 3 or not word.isalpha():
            return None
        fits = [
            target
            for target in self._skeletons.get(skeleton(word), ())
            if len(target) - len(word) <= 3 and _shortens(word, target)
        ]
        if len(fits) != 1:
            return None  # "mrah": merah or murah; "pdm": pdam or padam. No telling
        return fits[0]

    def _correct(self, word: str) -> str | None:
        """The catalog word one typo away (two for long words), same first letter."""
        if len(word) < MIN_FUZZY_LENGTH:
            return None
        choices = self._fuzzy_targets.get(word[0])
        if not choices:
            return None
        limit = 1 if len(word) < 8 else 2
        best = process.extractOne(
            word, choices, scorer=DamerauLevenshtein.distance, score_cutoff=limit
        )
        return best[0] if best else None
