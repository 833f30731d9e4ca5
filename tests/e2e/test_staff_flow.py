"""The staff workflow end to end: webhook in, the real inbox, handlers and outbox, PTB's client
out to the fake Bot API. A resident reports; officers work the ticket from their groups."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import col

from db.tables import RoutingExample, Ticket
from tests.conftest import Database
from tests.e2e.staff_world import (
    DLHKP_CHAT,
    DLHKP_OFFICER,
    OFFICER,
    OTHER_GROUP,
    STRANGER,
    SUPERVISORS_CHAT,
    TRIAGE_OFFICER,
    card,
    newest,
    reply,
    staff_catalog,
    tap,
    tap_data,
    toasts,
)
from tests.e2e.telegram_world import (
    PUPR_CHAT,
    RESIDENT,
    TRIAGE_CHAT,
    World,
    button_data,
    open_world,
    settings_for,
)
from tests.fakes.telegram_api import FakeBotApi

REF = re.compile(r"KDR-\d{2}-\d{6}")
POTHOLE = "jalan berlubang besar dan aspal rusak di Jl. Hayam Wuruk"


@pytest.fixture
async def staff_world(
    database: Database, api: FakeBotApi, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[World]:
    officers = getattr(request, "param", None)
    settings = await settings_for(
        database, api, tmp_path, catalog_path=staff_catalog(tmp_path, officers=officers)
    )
    world, client = await open_world(settings, api)
    try:
        yield world
    finally:
        await client.close()


async def report(world: World, text: str = POTHOLE) -> str:
    await world.post(world.text(text))
    last = world.to_resident()[-1]
    if "Ya" in [
        b["text"] for row in last.get("reply_markup", {}).get("inline_keyboard", []) for b in row
    ]:
        await world.post(world.tap("Ya"))
    else:
        await world.post(world.tap("Lewati"))
    await world.post(world.tap("Lewati"))  # no photo
    await world.post(world.tap("Kirim"))
    match = REF.search(world.to_resident()[-1]["text"])
    assert match, world.to_resident()[-1]["text"]
    return match.group()


async def stored(world: World, ref: str) -> Ticket:
    async with world.services.sessions() as session:
        found: Ticket = (
            await session.execute(sa.select(Ticket).where(col(Ticket.ref) == ref))
        ).scalar_one()
    return found


def resident_said(world: World) -> str:
    return str(world.to_resident()[-1]["text"])


def card_sends(world: World, chat_id: int, ref: str) -> int:
    """How many new messages carried this ticket's card: one per group, edits aside."""
    return sum(
        1
        for m in world.to_chat(chat_id)
        if str(m.get("text", "")).startswith("Status:") and f"Laporan baru {ref}" in m["text"]
    )


async def test_a_ticket_from_report_to_rating(staff_world: World) -> None:
    world = staff_world
    ref = await report(world)
    card_id, shown = card(world, PUPR_CHAT, ref)
    assert "Status: Diteruskan" in shown["text"]
    assert str(RESIDENT) not in shown["text"] and "Siti" not in shown["text"]

    await world.post(tap(world, PUPR_CHAT, card_id, "Terima"))
    assert "sudah diterima oleh Dinas PUPR" in resident_said(world)
    assert "Status: Diterima" in world.api.messages[(PUPR_CHAT, card_id)]["text"]

    await world.post(reply(world, PUPR_CHAT, card_id, "Tim kami ke lokasi besok pagi"))
    assert "Tim kami ke lokasi besok pagi" in resident_said(world)
    assert "Dinas PUPR" in resident_said(world) and "Agus" not in resident_said(world)

    await world.post(tap(world, PUPR_CHAT, card_id, "Minta info"))
    prompt_id, _ = newest(world, PUPR_CHAT, "Pertanyaan untuk pelapor")
    await world.post(reply(world, PUPR_CHAT, prompt_id, "Lubangnya di sisi utara atau selatan?"))
    assert "sisi utara atau selatan" in resident_said(world)
    assert (await stored(world, ref)).status == "waiting_citizen"

    await world.post(world.text("Sisi selatan, depan warung"))
    newest(world, PUPR_CHAT, "Sisi selatan, depan warung")
    sent = next(m for m in world.to_chat(PUPR_CHAT) if "Sisi selatan" in str(m.get("text", "")))
    assert sent["reply_parameters"]["message_id"] == card_id  # under the card
    assert (await stored(world, ref)).status == "acknowledged"

    await world.post(tap(world, PUPR_CHAT, card_id, "Selesai"))
    prompt_id, _ = newest(world, PUPR_CHAT, "Menutup")
    await world.post(reply(world, PUPR_CHAT, prompt_id, "Sudah ditambal hari ini"))
    assert "Sudah ditambal hari ini" in resident_said(world)
    await world.post(world.tap("Ya, sudah"))
    assert (await stored(world, ref)).status == "closed"
    await world.post(world.tap("5"))
    await world.post(world.text("Cepat sekali, terima kasih"))
    ticket = await stored(world, ref)
    assert (ticket.rating, ticket.rating_comment) == (5, "Cepat sekali, terima kasih")

    final = world.api.messages[(PUPR_CHAT, card_id)]
    assert "Status: Ditutup" in final["text"] and "Penilaian pelapor: 5/5" in final["text"]
    assert "reply_markup" not in final  # nothing left to tap
    assert card_sends(world, PUPR_CHAT, ref) == 1  # edited in place, never posted again
    assert len(world.api.edits) >= 6


async def test_not_fixed_reopens_and_the_group_sees_it(staff_world: World) -> None:
    world = staff_world
    ref = await report(world)
    card_id, _ = card(world, PUPR_CHAT, ref)
    await world.post(tap(world, PUPR_CHAT, card_id, "Selesai"))
    prompt_id, _ = newest(world, PUPR_CHAT, "Menutup")
    await world.post(reply(world, PUPR_CHAT, prompt_id, "Sudah ditambal"))
    await world.post(world.tap("Belum"))
    assert (await stored(world, ref)).status == "in_progress"
    newest(world, PUPR_CHAT, "belum beres")
    await world.post(world.text("Tambalannya lepas lagi"))
    newest(world, PUPR_CHAT, "Tambalannya lepas lagi")
    assert "Status: Diproses" in world.api.messages[(PUPR_CHAT, card_id)]["text"]


async def test_reassignment_moves_the_card_and_the_router_learns(staff_world: World) -> None:
    world = staff_world
    ref = await report(world)
    card_id, _ = card(world, PUPR_CHAT, ref)
    await world.post(tap(world, PUPR_CHAT, card_id, "Alihkan"))
    prompt_id, _ = newest(world, PUPR_CHAT, "ke dinas mana")
    await world.post(tap(world, PUPR_CHAT, prompt_id, "DLHKP"))
    await world.post(reply(world, PUPR_CHAT, prompt_id, "Ini urusan kebersihan"))
    assert "diteruskan ke DLHKP" in resident_said(world)
    old = world.api.messages[(PUPR_CHAT, card_id)]
    assert "Dipindahkan ke DLHKP" in old["text"] and "reply_markup" not in old
    new_id, _ = card(world, DLHKP_CHAT, ref)
    assert (await stored(world, ref)).agency_code == "DLHKP"
    async with world.services.sessions() as session:
        examples = (await session.execute(sa.select(RoutingExample))).scalars().all()
    assert [(e.agency_code, e.source) for e in examples] == [("DLHKP", "reassign")]
    assert (POTHOLE, "DLHKP") in world.services.ctx.router.examples  # learned at once

    await world.post(tap(world, DLHKP_CHAT, new_id, "Terima", user=DLHKP_OFFICER))
    assert (await stored(world, ref)).status == "acknowledged"


async def test_rejection_with_a_preset_reason(staff_world: World) -> None:
    world = staff_world
    ref = await report(world)
    card_id, _ = card(world, PUPR_CHAT, ref)
    await world.post(tap(world, PUPR_CHAT, card_id, "Tolak"))
    prompt_id, prompt = newest(world, PUPR_CHAT, "pilih alasan")
    label = prompt["reply_markup"]["inline_keyboard"][0][0]["text"]
    await world.post(tap(world, PUPR_CHAT, prompt_id, label))
    assert (await stored(world, ref)).status == "rejected"
    said = resident_said(world)
    assert "Bukan wewenang Pemerintah Kota Kediri" in said and "keberatan" in said


async def test_triage_assigns_to_an_agency(staff_world: World) -> None:
    world = staff_world
    await world.post(world.text("tolong dibantu pak, ada masalah di depan rumah saya"))
    while "Kirim" not in str(world.to_resident()[-1].get("reply_markup", "")):
        last = world.to_resident()[-1]
        labels = [
            b["text"]
            for row in last.get("reply_markup", {}).get("inline_keyboard", [])
            for b in row
        ]
        if "Tidak tahu" in labels:
            await world.post(world.tap("Tidak tahu"))
        elif "Lewati" in labels:
            await world.post(world.tap("Lewati"))
        else:
            await world.post(world.text("Jl. Dhoho 12"))
    await world.post(world.tap("Kirim"))
    ref = REF.search(resident_said(world))
    assert ref is not None
    triage_id, _ = card(world, TRIAGE_CHAT, ref.group())
    await world.post(tap(world, TRIAGE_CHAT, triage_id, "DLHKP", user=TRIAGE_OFFICER))
    assert (await stored(world, ref.group())).agency_code == "DLHKP"
    card(world, DLHKP_CHAT, ref.group())
    assert "diteruskan ke DLHKP" in resident_said(world)


async def test_refusals_change_nothing(staff_world: World) -> None:
    world = staff_world
    ref = await report(world)
    card_id, shown = card(world, PUPR_CHAT, ref)
    accept = button_data(shown, "Terima")

    # another agency's group: the same button data, tapped in DLHKP's group
    update = tap_data(world, PUPR_CHAT, card_id, accept, user=DLHKP_OFFICER)
    update["callback_query"]["message"]["chat"] = {
        "id": DLHKP_CHAT,
        "title": "DLHKP",
        "type": "supergroup",
    }
    await world.post(update)
    assert "ditangani grup lain" in toasts(world)[-1]
    assert (await stored(world, ref)).status == "assigned"

    # a private chat
    private = tap_data(world, PUPR_CHAT, card_id, accept)
    private["callback_query"]["message"]["chat"] = {
        "id": RESIDENT,
        "type": "private",
        "first_name": "Siti",
    }
    await world.post(private)
    assert toasts(world)[-1] == "Tombol petugas hanya bisa dipakai di grup staf."

    # a stale button
    await world.post(tap(world, PUPR_CHAT, card_id, "Proses"))
    await world.post(tap_data(world, PUPR_CHAT, card_id, accept))
    assert toasts(world)[-1] == "Kartu ini sudah berubah. Silakan pakai kartu yang terbaru."
    assert (await stored(world, ref)).status == "in_progress"

    # a reply to a card of a closed ticket
    await world.post(tap(world, PUPR_CHAT, card_id, "Tolak"))
    prompt_id, _ = newest(world, PUPR_CHAT, "pilih alasan")
    await world.post(reply(world, PUPR_CHAT, prompt_id, "Jalan provinsi"))
    before = len(world.to_resident())
    await world.post(reply(world, PUPR_CHAT, card_id, "masih ada yang bisa dibantu?"))
    assert len(world.to_resident()) == before
    assert "sudah selesai ditangani" in world.to_chat(PUPR_CHAT)[-1]["text"]


@pytest.mark.parametrize("staff_world", [[9001]], indirect=True)
async def test_a_user_not_on_the_allowlist_is_refused(staff_world: World) -> None:
    world = staff_world
    ref = await report(world)
    card_id, _ = card(world, PUPR_CHAT, ref)
    await world.post(tap(world, PUPR_CHAT, card_id, "Terima", user=STRANGER))
    assert "tidak terdaftar sebagai petugas" in toasts(world)[-1]
    assert (await stored(world, ref)).status == "assigned"
    await world.post(tap(world, PUPR_CHAT, card_id, "Terima", user=OFFICER))
    assert (await stored(world, ref)).status == "acknowledged"


async def test_supervisors_and_any_group(staff_world: World) -> None:
    world = staff_world
    ref = await report(world)
    boss = {"id": 1, "is_bot": False, "first_name": "Kepala"}
    await world.post(reply(world, SUPERVISORS_CHAT, None, "/ringkasan", user=boss, command=True))
    assert "Tiket terbuka: 1" in world.to_chat(SUPERVISORS_CHAT)[-1]["text"]
    await world.post(
        reply(
            world,
            SUPERVISORS_CHAT,
            None,
            f"/alihkan {ref} DLHKP salah dinas",
            user=boss,
            command=True,
        )
    )
    assert (await stored(world, ref)).agency_code == "DLHKP"
    card(world, DLHKP_CHAT, ref)
    await world.post(reply(world, SUPERVISORS_CHAT, None, f"/tiket {ref}", user=boss, command=True))
    assert "salah dinas" in world.to_chat(SUPERVISORS_CHAT)[-1]["text"]
    await world.post(reply(world, OTHER_GROUP, None, "/id", user=STRANGER, command=True))
    assert world.to_chat(OTHER_GROUP)[-1]["text"] == f"ID grup ini: {OTHER_GROUP}"
