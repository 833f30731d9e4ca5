"""The learned layer finds the agency of a situation told without the catalog's words, learns
an officer's correction at once, and never outvotes a clear catalog phrase."""

from __future__ import annotations

import json

import pytest
from rapidfuzz import fuzz, process

from routing.catalog import Catalog
from routing.matcher import Router
from routing.ngrams import CHAT, CORPUS_DIR, NgramModel, corpus_examples
from tests.routing.paths import EVALUATION_SETS

# rapidfuzz ratio of lower-cased texts: every round's corpus writers dropped a line this near.
NEAR = 75


def test_a_situation_without_catalog_words_reaches_its_agency(router: Router) -> None:
    text = "sudah dua hari bak mandi tidak terisi sama sekali, ember-ember kosong"
    result = router.route(text)
    assert result.opd == "PDAM"
    assert not any(ev.kind == "keyword" for ev in result.evidence)
    assert any(ev.kind == "model" and ev.agency == "PDAM" for ev in result.evidence)


def test_without_the_model_the_same_situation_goes_to_triage(catalog: Catalog) -> None:
    text = "sudah dua hari bak mandi tidak terisi sama sekali, ember-ember kosong"
    assert Router(catalog, learned=False).route(text).opd is None


def test_a_clear_catalog_phrase_wins_over_the_model(router: Router) -> None:
    """n-grams of "lampu ... mati" lean to street lights; the phrase says traffic light."""
    assert router.route("lampu merah mati").opd == "DISHUB"


def test_a_correction_teaches_the_model_words_it_never_saw(catalog: Catalog) -> None:
    router = Router(catalog)
    taught = "embung kampung RW 4 jebol, sawah dan pekarangan warga kebanjiran"
    router.learn(taught, "BPBD")
    retold = "embung di RW 4 jebol lagi, pekarangan kebanjiran"
    result = router.route(retold)
    assert result.opd == "BPBD"


def test_the_model_ranks_by_shared_features_and_knows_when_it_knows_nothing() -> None:
    model = NgramModel(["PDAM", "PUPR", "DLHKP"])
    model.add(["air", "keruh", "bau"], "PDAM")
    model.add(["jalan", "berlubang"], "PUPR")
    model.add(["sampah", "numpuk"], "DLHKP")
    guess = model.guess(["airnya", "keruh"], temperature=0.05)
    assert guess is not None and guess.best == "PDAM"
    assert abs(sum(guess.shares) - 1.0) < 1e-9
    model.add(["jalan", "berlubang"], "PUPR")  # counts change: weights follow
    again = model.guess(["jalanan", "berlubang"], temperature=0.05)
    assert again is not None and again.best == "PUPR"
    assert model.guess(["zzzzqqq"], temperature=0.05) is None


def test_shipped_corpus_labels_are_catalog_codes(catalog: Catalog) -> None:
    examples = list(corpus_examples())
    assert len(examples) > 800
    assert {code for _, code in examples} <= set(catalog.by_code) | {CHAT}
    assert sum(1 for _, code in examples if code == CHAT) >= 50  # the "no complaint" class


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("lmpu jln mti di gg mlati", "PERKIM"),  # vowels dropped, as chat writes
        ("smpah blm diangkt 2 mggu", "DLHKP"),
        ("🚦 mati di simpang tiga", "DISHUB"),  # the emoji names the thing
        ("🐍 masuk dapur!!", "DAMKAR"),
    ],
)
def test_chat_shorthand_and_emoji_are_read(router: Router, text: str, agency: str) -> None:
    assert router.route(text).opd == agency


def test_a_correction_counted_at_once_weighs_as_if_trained_with_it() -> None:
    """Only the corrected rows are re-weighed; the shares equal a model trained from scratch."""
    examples = [
        (["air", "keruh", "bau"], "PDAM"),
        (["jalan", "berlubang", "besar"], "PUPR"),
        (["sampah", "numpuk", "bau"], "DLHKP"),
    ]
    base = NgramModel(["PDAM", "PUPR", "DLHKP"])
    base.add_many((words, code) for words, code in examples)
    live = base.copy()
    live.guess(["air"], temperature=0.05)  # weights computed before the correction
    live.add(["tandon", "kosong", "bau"], "PDAM", 3.0)
    scratch = NgramModel(["PDAM", "PUPR", "DLHKP"])
    scratch.add_many((words, code) for words, code in examples)
    scratch.add(["tandon", "kosong", "bau"], "PDAM", 3.0)
    for words in (["tandon", "bau"], ["jalan", "kosong"], ["sampah"]):
        got, want = live.guess(words, 0.05), scratch.guess(words, 0.05)
        assert got is not None and want is not None
        assert got.ranked == want.ranked
        assert got.shares == pytest.approx(want.shares)
    assert live.knows_word("tandon")
    assert not base.knows_word("tandon")  # the copy learned alone


def test_the_corpus_is_kept_apart_from_every_evaluation_set() -> None:
    """A line we wrote for the model that retells an evaluation line would make that set's
    figures a lie (the project's development set is in the corpus on purpose)."""
    evaluation = [
        str(json.loads(line)["text"]).lower()
        for path in EVALUATION_SETS
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    written = sorted(CORPUS_DIR.glob("*.txt"))
    corpus = [
        line.partition("|")[2].strip().lower()
        for path in written
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#") and len(line.partition("|")[2].strip()) > 12
    ]
    assert len(corpus) > 1000
    scores = process.cdist(corpus, evaluation, scorer=fuzz.ratio, score_cutoff=NEAR, workers=1)
    rows, columns = scores.nonzero()
    close = [(corpus[r], evaluation[c]) for r, c in zip(rows, columns, strict=True)]
    assert close == []


# A corpus that knows one situation the catalog's words would send elsewhere: a man who sleeps
# at a bus stop is the social office's, though "halte" is a transport word.
SLEEPS_AT_THE_STOP = [
    ("bapak menginap di halte tiap malam", "DINSOS"),
    ("seorang bapak menginap di halte", "DINSOS"),
    ("menginap di halte kedinginan", "DINSOS"),
    ("halte bus atapnya bocor", "DISHUB"),
    ("lampu jalan mati", "PERKIM"),
    ("jalan berlubang", "PUPR"),
]


def test_a_situation_the_learned_layer_knows_overrules_a_lone_keyword(catalog: Catalog) -> None:
    """ "halte" alone is a transport word; a man who sleeps at the stop is the social office's,
    the catalog's agency the runner-up button."""
    result = Router(catalog, corpus=SLEEPS_AT_THE_STOP).route("bapak itu menginap di halte bus")
    assert result.opd == "DINSOS"
    assert result.candidates[:2] == ("DINSOS", "DISHUB")


def test_a_keyword_answer_the_learned_layer_contradicts_becomes_a_question(
    catalog: Catalog,
) -> None:
    """Conflicting context: a strong transport phrase, a situation the layer knows as social:
    the resident chooses between the two agencies, in plain words."""
    router = Router(catalog, corpus=SLEEPS_AT_THE_STOP)
    result = router.route("ada bapak menginap di halte bus, atap halte bocor")
    assert result.opd is None
    assert set(result.candidates[:2]) == {"DISHUB", "DINSOS"}  # the two buttons
    assert result.confidence < 0.5


def test_without_the_contradiction_the_keyword_answer_stands(catalog: Catalog) -> None:
    knows_nothing_of_it = Router(catalog, corpus=SLEEPS_AT_THE_STOP[3:])
    assert knows_nothing_of_it.route("bapak itu menginap di halte bus").opd == "DISHUB"
    taught = Router(catalog, corpus=SLEEPS_AT_THE_STOP)
    assert taught.route("halte bus rusak, atapnya bocor").opd == "DISHUB"


@pytest.mark.parametrize("text", ["salam kenal admin", "hari ini cerah sekali ya", "uji kirim"])
def test_chat_the_learned_layer_knows_routes_nowhere(router: Router, text: str) -> None:
    """No catalog phrase, and the model's "no complaint" class (corpus lines labelled `-`)
    believes it: no agency, no triage buttons from chance n-grams."""
    result = router.route(text)
    assert result.opd is None


def test_a_complaint_without_catalog_words_still_routes(router: Router) -> None:
    assert router.route("tiap malam gang kami gelap, tiang-tiang di pinggir jalan padam").opd == (
        "PERKIM"
    )


def test_chat_the_learned_layer_is_sure_of_is_named_small_talk(router: Router) -> None:
    """`route --batch` says `complaint: false`, and the dialog answers it as chat."""
    assert router.route("lagi nonton bola nih min").small_talk == ("other",)
    assert router.route("hari ini cerah ya min, enaknya jalan-jalan").small_talk == ("other",)
