"""`lapor route --batch`: one output row per input line, bad lines reported, not fatal."""

from __future__ import annotations

import json
import re
from pathlib import Path

from routing.batch import explain, route_jsonl
from routing.catalog import Catalog
from routing.matcher import Router


def test_each_line_gets_id_opd_confidence_and_matched(router: Router) -> None:
    lines = [
        json.dumps({"id": "a1", "text": "sampah belum diangkut seminggu"}),
        json.dumps({"id": 2, "text": "halo min"}),
    ]
    rows = list(route_jsonl(router, lines))
    assert [row["id"] for row in rows] == ["a1", 2]
    assert rows[0]["opd"] == "DLHKP" and rows[0]["matched"]
    assert rows[1]["opd"] is None and rows[1]["matched"] == []
    for row in rows:
        assert 0.0 <= row["confidence"] <= 1.0
        json.dumps(row)  # every row can be written back as a JSON line


def test_bad_lines_become_error_rows_and_the_rest_still_routes(router: Router) -> None:
    lines = [
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "x"}),
        "",
        json.dumps({"id": "ok", "text": "lampu merah mati"}),
    ]
    rows = list(route_jsonl(router, lines))
    assert len(rows) == 4  # the blank line is skipped
    assert rows[0]["error"].startswith("not JSON") and rows[0]["line"] == 1
    assert "error" in rows[1]
    assert rows[2] == {"id": "x", "line": 3, "error": "no text to route"}
    assert rows[3]["opd"] == "DISHUB"


def test_explain_names_agency_phrases_and_runner_up(router: Router, catalog: Catalog) -> None:
    text = explain(router.route("lampu jalan di gang kami mati, gelap sekali"), catalog)
    assert text.startswith("→ Dinas Perkim (PERKIM)")
    assert '"lampu jalan"' in text


def test_explain_says_triage_and_offers_candidates(router: Router, catalog: Catalog) -> None:
    text = explain(router.route("KTP hilang dan PBB belum bayar"), catalog)
    assert text.startswith("→ triase")
    assert "DISPENDUKCAPIL" in text and "BAPENDA" in text


def test_explain_marks_external_agencies_and_negations(router: Router, catalog: Catalog) -> None:
    text = explain(router.route("bukan lampu jalan, listrik di rumah yang padam"), catalog)
    assert text.startswith("→ PLN") and "instansi luar" in text
    assert 'disangkal pelapor: "lampu jalan"' in text


def test_explain_with_nothing_recognised(router: Router, catalog: Catalog) -> None:
    assert "tidak ada kata kunci" in explain(router.route("qwerty"), catalog)


def test_rows_say_whether_the_message_is_a_complaint(router: Router) -> None:
    lines = [
        json.dumps({"id": 1, "text": "Assalamualaikum, pak mau lapor"}),
        json.dumps({"id": 2, "text": "selamat pagi, lampu jalan di gang 3 mati"}),
        json.dumps({"id": 3, "text": "qwerty asdf"}),
    ]
    salam, street_light, gibberish = route_jsonl(router, lines)
    assert salam["complaint"] is False and salam["small_talk"] == ["salam", "opener"]
    assert salam["opd"] is None and salam["candidates"] == []
    assert street_light["complaint"] is True and street_light["small_talk"] == []
    assert street_light["opd"] == "PERKIM"
    assert gibberish["complaint"] is False and gibberish["small_talk"] == ["other"]
    for row in (salam, street_light, gibberish):
        assert {"id", "opd", "confidence", "matched", "candidates"} <= row.keys()


def test_explain_says_small_talk_is_no_report(router: Router, catalog: Catalog) -> None:
    text = explain(router.route("Assalamualaikum, pak mau lapor"), catalog)
    assert text.startswith("→ bukan laporan (salam, opener)")


def test_explain_says_when_the_learned_layer_decided(router: Router, catalog: Catalog) -> None:
    text = explain(
        router.route("sudah dua hari bak mandi tidak terisi, ember-ember kosong"), catalog
    )
    assert text.startswith("→ ") and "PDAM" in text.splitlines()[0]
    assert "mirip contoh laporan untuk" in text


def test_explanations_come_from_the_message_catalogue() -> None:
    """What a person reads is in routing/catalog/explain.yaml, not in the code: every key the
    code says is in the catalogue, and none of its sentences is written in explain.py."""
    from routing import explain as module

    source = Path(module.__file__).read_text(encoding="utf-8")
    used = set(re.findall(r'"([a-z_]+)"', source)) & set(module.texts())
    keys = set(re.findall(r'_say\(\s*"([a-z_]+)"', source))
    keys |= {"routed", "routed_external", "candidates", "other_candidates"}
    assert keys <= set(module.texts())
    assert used
    for sentence in module.texts().values():
        fixed = sentence.split("{")[0].strip(' "→:')
        if len(fixed) > 6:
            assert fixed not in source


def test_explain_says_a_message_names_a_problem_without_asking(
    router: Router, catalog: Catalog
) -> None:
    """A story or an errand the frame model read: its keywords shown, and why they route
    nowhere, not "no keyword known"."""
    errand = (
        "Bu, nanti pulang kerja mampir Pasar Setonobetek beli cabai sama bawang ya, harganya"
        " lagi turun katanya."
    )
    text = explain(router.route(errand), catalog)
    assert text.startswith("→ bukan laporan")
    assert '"pasar"' in text and "tanpa meminta apa-apa" in text
