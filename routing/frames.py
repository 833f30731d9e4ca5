"""Whether a message asks an agency for something or only tells: a thanks that retells the
fix, news that a problem went away, a joke, a forward, an errand meant for home. Whatever
problem such a message names, no officer has anything to do.

The small-talk rules (`smalltalk.py`) know the common shapes; a message they let through is
asked of this model (one with a stored correction is not: an officer has spoken). It reads the
message's frame, not its topic: every catalog phrase found is masked to one token, `TOPIC`,
and numbers to `NUMBER`, so that "terima kasih § sudah dibenerin" and "tolong § dibenerin"
differ by what is said around the problem, not by the problem, which the corpus's complaints
would always win.

Why a logistic regression over words and word pairs: the frame is carried by whole words
("sudah", "kemarin", "tolong", "belum") and their order ("sudah §", "§ belum"); weights fitted
jointly do not add up over a long polite story as counts do (Naive Bayes on the same features
called every long thanks a complaint). It trains at start-up, on the corpus's `-` lines against
its complaints, by full-batch gradient descent in numpy (half a second; nothing binary is
shipped), and scores a message in a few microseconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from itertools import pairwise, repeat
from typing import Final

import numpy as np
import numpy.typing as npt

from routing import lexicon
from routing.normalize import BOUNDARY

TOPIC: Final = "§"  # the words of a catalog phrase found in the message, as one token
NUMBER: Final = "#"
MIN_SEEN: Final = 2  # a feature of one training line is that line's, not a frame's
LONG: Final = 8  # words per length bucket: a long story and a one-liner are told differently
STEPS: Final = 150  # Adam steps over the whole corpus: the tuning sets gained nothing after
RATE: Final = 0.05
L2: Final = 1e-4

Floats = npt.NDArray[np.float64]


def frame_of(words: Sequence[str], topic: Collection[int]) -> list[str]:
    """The analysed words with the catalog phrases found (their positions, `topic`) masked."""
    frame: list[str] = []
    for at, word in enumerate(words):
        if at in topic:
            if not frame or frame[-1] != TOPIC:
                frame.append(TOPIC)
        else:
            frame.append(NUMBER if word.isdigit() else word)
    return frame


Feature = str | tuple[str, str]  # a word, a pair of neighbours, or a "<...>" measure


def features(frame: Sequence[str]) -> set[Feature]:
    """Words, pairs of neighbours (with the message's start and end), a length bucket and
    how many problems are named."""
    found: set[Feature] = set(frame)
    found.update(pairwise(("^", *frame, "$")))
    said = len(frame) - frame.count(BOUNDARY)
    found.add(_LENGTHS[min(said // LONG, 6)])
    found.add(_TOPICS[min(frame.count(TOPIC), 3)])
    return found


_LENGTHS: Final = tuple(f"<len{n}>" for n in range(7))
_TOPICS: Final = tuple(f"<topics{n}>" for n in range(4))


# "apa bisa", "bisa dapat": asking whether something can be done or had.
_CAN_WE: Final = frozenset(
    tuple(pair.split())
    for pair in (
        "apa bisa, apakah bisa, apa boleh, apakah boleh, bisa dapat, bisa dapet, bisa minta,"
        " boleh minta, bisa dibantu, bisa diurus, could you, can you"
    ).split(",")
)
_CAN_IT: Final = frozenset("bisakah bolehkah".split())
_REPORT_ITSELF: Final = frozenset("laporan laporanku laporanipun status statusnya tiket".split())


def still_wrong(frame: Sequence[str]) -> bool:
    """ "Terima kasih, jalannya sudah diaspal. Tapi ...", "keren sih tamannya, cuma tempat
    sampahnya luber", "makasih, jalannya berlubang lagi", "lampunya masih mati", "sekarang ada
    sarang tawon": a problem after a turn, back again, still or now there, however grateful
    the rest ("cuma mau bilang makasih" only thanks, "nggak mampet lagi" is fixed, "harganya
    lagi turun" is now). The model, which weighs every word on its own, lost such complaints
    on the tuning sets."""
    for at, word in enumerate(frame):
        if word == TOPIC:
            before = frame[at - 1] if at else BOUNDARY
            after = frame[at + 1 : at + 3]
            denied = any(w == "tidak" or w in lexicon.NEGATORS for w in frame[max(at - 2, 0) : at])
            if at >= 2 and frame[at - 2] in lexicon.SHIFTS and before in lexicon.THERE_IS:
                return True  # "..., udah ketemu. nah sekarang ada sarang tawon": new now
            if before in lexicon.STILL_THERE or (
                after[:1]
                and after[0] in lexicon.AGAIN
                and after[1:] in ([], [BOUNDARY])
                and not denied  # "nggak ada yang kena DBD lagi": no more
            ):
                return True
        elif (
            word in lexicon.TURNS
            and TOPIC in frame[at + 1 :]
            and (at + 1 == len(frame) or frame[at + 1] not in lexicon.WANTS)
        ):
            return True
    return False


def asks_whether(frame: Sequence[str]) -> bool:
    """ "Mbah tanya apa bisa dapat bantuan ...", "bisakah ... dipangkas": whether the city
    can do something is asked of it, however long the story around it; whether one's report
    can be deleted or its status checked asks about the report, not for a service."""
    if not _REPORT_ITSELF.isdisjoint(frame):
        return False
    return any(pair in _CAN_WE for pair in pairwise(frame)) or not _CAN_IT.isdisjoint(frame)


_INFORMS: Final = frozenset("info informasi ngabari ngabarin kabari kabarin".split())


def informs(frame: Sequence[str]) -> bool:
    """ "Mau info aja, tiang PJU miring mau roboh": telling the city of a problem, in the
    words of a report ("want to let you know"), however friendly the opening; "Info:" opens
    notices and chains, which no wish to tell stands before."""
    return _before_topic(frame, _INFORMS, after=lexicon.WANTS)


_MATTERS: Final = frozenset("penting terpenting mendesak darurat urgent utama".split())
_MORE: Final = frozenset("lebih paling luwih more most".split())  # "yang penting ..." opines


def says_it_matters(frame: Sequence[str]) -> bool:
    """ "Ngga jadi lapor soal lampu merah. Yg lebih penting ini: angkot ngetem ...": a problem
    said to matter more is asked about, whatever was taken back before it."""
    return _before_topic(frame, _MATTERS, after=_MORE)


_HOW_WHERE: Final = frozenset("gimana bagaimana gmn caranya dimana dmn mana ngendi pundi".split())
_WISHES_FOR: Final = lexicon.WANTS - {"akan"}  # "akan didata untuk pajak" tells what will be


def asks_how_to(frame: Sequence[str]) -> bool:
    """ "Skrg sy mau pasang KB implan gratis, di kota kediri bisa dmn ya?": what the resident
    wants of a service, then how or where to have it, asks the office that gives it."""
    wanted = next(
        (at for at, w in enumerate(frame) if w in _WISHES_FOR and TOPIC in frame[at + 1 :]), None
    )
    return wanted is not None and not _HOW_WHERE.isdisjoint(frame[wanted + 1 :])


_WHY: Final = frozenset("kenapa mengapa knp napa kenopo why".split())
_LIKE: Final = frozenset("kayak kaya kyk kek seperti mirip bagai ibarat like".split())


def asks_why(frame: Sequence[str]) -> bool:
    """ "Sekarang mau tanya, kenapa pajak restoran warung saya dihitung 10%": why something
    is so is asked of the office that does it, whatever thanks came before; "kenapa lubang
    jalan kayak mantan?" is a riddle."""
    return _LIKE.isdisjoint(frame) and _before_topic(frame, _WHY)


def _before_topic(
    frame: Sequence[str], markers: frozenset[str], after: frozenset[str] | None = None
) -> bool:
    """One of `markers` (right after one of `after`, when given) with a problem named later."""
    return any(
        word in markers
        and (after is None or (at > 0 and frame[at - 1] in after))
        and TOPIC in frame[at + 1 :]
        for at, word in enumerate(frame)
    )


def asks(frame: Sequence[str]) -> bool:
    """Whatever the rest of the frame reads like, it asks something of an office: a problem
    still wrong or left, whether the city can help, why a problem is so, how or where to have
    a service, a wish to let the city know, a problem said to matter more."""
    return (
        still_wrong(frame)
        or asks_whether(frame)
        or asks_why(frame)
        or informs(frame)
        or says_it_matters(frame)
        or asks_how_to(frame)
    )


class FrameModel:
    """Log-odds that a message is no complaint, from its frame's features."""

    def __init__(self, weights: dict[Feature, float], bias: float) -> None:
        self._weights = weights
        self._bias = bias

    @classmethod
    def trained(cls, examples: Iterable[tuple[Sequence[str], bool]]) -> FrameModel:
        """Fitted on (frame, is chat) pairs, both classes weighted alike (chat lines are one
        in twelve of the corpus)."""
        rows = [(features(frame), chat) for frame, chat in examples]
        seen = Counter(f for found, _ in rows for f in found)
        index = {f: i for i, f in enumerate(f for f, n in seen.items() if n >= MIN_SEEN)}
        columns = [[index[f] for f in found if f in index] for found, _ in rows]
        chat = np.array([is_chat for _, is_chat in rows], dtype=np.float64)
        if not rows or chat.min() == chat.max():
            return cls({}, 0.0)  # one class only: nothing to tell apart
        weights = _fit(columns, chat, len(index))
        names = list(index)
        return cls({names[i]: float(w) for i, w in enumerate(weights[:-1]) if w}, weights[-1])

    def chat_odds(self, frame: Sequence[str]) -> float:
        return self._bias + sum(map(self._weights.get, features(frame), repeat(0.0)))


def _fit(columns: list[list[int]], chat: Floats, width: int) -> Floats:
    """Logistic regression weights (the bias last) by Adam on the mean balanced log-loss."""
    lengths = np.array([len(c) for c in columns], dtype=np.intp)
    flat = np.fromiter((i for c in columns for i in c), dtype=np.intp, count=int(lengths.sum()))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    filled = lengths > 0
    share = chat.mean()
    balance = np.where(chat == 1.0, 0.5 / share, 0.5 / (1.0 - share)) / len(chat)
    theta = np.zeros(width + 1)
    moment, square = np.zeros(width + 1), np.zeros(width + 1)
    for step in range(1, STEPS + 1):
        z = np.full(len(chat), theta[-1])
        z[filled] += np.add.reduceat(theta[flat], starts[filled])
        residual = (1.0 / (1.0 + np.exp(-z)) - chat) * balance
        gradient = np.empty(width + 1)
        gradient[:-1] = np.bincount(flat, np.repeat(residual, lengths), width) + L2 * theta[:-1]
        gradient[-1] = residual.sum()
        moment = 0.9 * moment + 0.1 * gradient
        square = 0.999 * square + 0.001 * gradient * gradient
        theta -= RATE * (moment / (1 - 0.9**step)) / (np.sqrt(square / (1 - 0.999**step)) + 1e-8)
    return theta
