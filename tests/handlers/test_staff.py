"""Officers work a ticket from their group: the card, its buttons, replies, and who may act."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.queue.inbox import outbox_row
from db.engine import Sessions
from db.tables import OutboxRow, RoutingExample, TicketStatus
from handlers.messages import OutboundKind
from handlers.sla import sweep_batch
from tests.handlers.conftest import (
    DLHKP_CHAT,
    PUPR_CHAT,
    TRIAGE_CHAT,
    events_of,
)
from tests.handlers.staffdesk import (
    POTHOLE,
    STAFF_YAML,
    SUPERVISORS_CHAT,
    Desk,
    Officer,
    Resident,
    button_labels,
    desk,
    pupr,
    report,
    resident,
    staff_ctx,
    ticket,
    to_chat,
    toasts,
)

__all__ = ["desk", "pupr", "resident"]  # fixtures


def resident_texts(out: list, resident: Resident) -> str:  # type: ignore[type-arg]
    return "\n".join(o.text for o in to_chat(out, resident.user_id))


async def test_card_is_posted_once_and_edited_in_place(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await report(resident)
    card_id, card = desk.card(PUPR_CHAT, ref)
    assert "Status: Diteruskan" in card.text and "Dinas PUPR" in card.text
    assert "jalan berlubang" in card.text  # why it came here
    assert button_labels(card) == [
        "Terima",
        "Proses",
        "Minta info",
        "Selesai",
        "Alihkan",
        "Tolak",
        "Rujuk",
    ]
    for secret in ("Rina", "Wulandari", "5001"):
        assert secret not in card.text
    assert all(len(b.data.encode()) <= 64 for row in card.buttons for b in row)

    out = await pupr.tap(card_id, "Terima")
    assert toasts(out) == ["Tercatat."]
    assert "sudah diterima oleh Dinas PUPR" in resident_texts(out, resident)
    assert desk.cards(PUPR_CHAT, ref) == [(card_id, desk.screen[(str(PUPR_CHAT), card_id)])]
    card = desk.screen[(str(PUPR_CHAT), card_id)]
    assert "Status: Diterima" in card.text and "Diterima (Budi)" in card.text
    assert "Terima" not in button_labels(card)

    out = await pupr.tap(card_id, "Proses")
    assert "sedang dikerjakan" in resident_texts(out, resident)
    stored = await ticket(desk, ref)
    assert stored.status == TicketStatus.IN_PROGRESS and stored.first_response_at is not None
    events = await events_of(desk.sessions, stored.id)
    assert [(e.from_status, e.to_status, e.actor) for e in events][-2:] == [
        ("assigned", "acknowledged", "telegram:9001"),
        ("acknowledged", "in_progress", "telegram:9001"),
    ]
    assert len(desk.cards(PUPR_CHAT, ref)) == 1


async def test_stale_tap_is_a_toast_and_changes_nothing(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await report(resident)
    card_id, old_card = desk.card(PUPR_CHAT, ref)
    await pupr.tap(card_id, "Terima")
    before = await ticket(desk, ref)
    accept = next(b.data for row in old_card.buttons for b in row if b.label == "Proses")
    out = await pupr.tap_data(card_id, accept)  # the button as the old card showed it
    assert toasts(out) == ["Kartu ini sudah berubah. Silakan pakai kartu yang terbaru."]
    assert [o for o in out if o.kind != OutboundKind.CALLBACK_ANSWER] == []
    after = await ticket(desk, ref)
    assert (after.status, after.version) == (before.status, before.version)


async def test_officer_reply_reaches_the_resident_signed_by_the_agency(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await report(resident)
    card_id, _ = desk.card(PUPR_CHAT, ref)
    out = await pupr.reply(card_id, "Tim kami meninjau lokasi besok pagi.")
    to_resident = to_chat(out, resident.user_id)
    assert len(to_resident) == 1
    assert (
        "Dinas PUPR" in to_resident[0].text and "meninjau lokasi besok pagi" in to_resident[0].text
    )
    assert "Budi" not in to_resident[0].text
    assert to_resident[0].purpose == "status_update"
    stored = await ticket(desk, ref)
    assert stored.first_response_at == desk.now  # a reply is a first response
    assert "Balasan petugas (Budi)" in desk.screen[(str(PUPR_CHAT), card_id)].text


@pytest.mark.parametrize("how", ["#internal", "/catatan"])
async def test_internal_notes_stay_with_the_officers(
    desk: Desk, resident: Resident, pupr: Officer, how: str
) -> None:
    ref = await report(resident)
    card_id, _ = desk.card(PUPR_CHAT, ref)
    if how == "#internal":
        out = await pupr.reply(card_id, "#internal cek dulu anggaran pemeliharaan")
    else:
        out = await pupr.command("catatan", "cek dulu anggaran pemeliharaan", reply_to=card_id)
    assert to_chat(out, resident.user_id) == []
    card = desk.screen[(str(PUPR_CHAT), card_id)]
    assert "Catatan internal (Budi): cek dulu anggaran" in card.text


async def test_a_reply_to_any_other_message_is_ignored(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await report(resident)
    out = await pupr.reply("777", "sip, saya yang ke sana")
    assert out == []
    out = await pupr.reply(None, "obrolan biasa")
    assert out == []
    assert (await ticket(desk, ref)).status == TicketStatus.ASSIGNED


async def test_ask_info_round_trip(desk: Desk, resident: Resident, pupr: Officer) -> None:
    ref = await report(resident)
    card_id, _ = desk.card(PUPR_CHAT, ref)
    await pupr.tap(card_id, "Terima")
    out = await pupr.tap(card_id, "Minta info")
    (prompt,) = [o for o in out if o.kind == OutboundKind.MESSAGE]
    assert prompt.reply_key == f"card:{ref}"
    prompt_id, _ = desk.find(PUPR_CHAT, "Pertanyaan untuk pelapor")
    out = await pupr.reply(prompt_id, "Lubangnya di sisi utara atau selatan jalan?")
    assert "sisi utara atau selatan" in resident_texts(out, resident)
    assert (await ticket(desk, ref)).status == TicketStatus.WAITING_CITIZEN
    assert (await ticket(desk, ref)).sla_running_since is None  # the clock waits too

    out = await resident.text("Sisi selatan, depan toko buku Gramedia")
    assert "sudah kami teruskan" in resident_texts(out, resident)
    (answer,) = [o for o in to_chat(out, PUPR_CHAT) if o.kind == OutboundKind.MESSAGE]
    assert "Sisi selatan" in answer.text and answer.reply_key == f"card:{ref}"
    stored = await ticket(desk, ref)
    assert stored.status == TicketStatus.ACKNOWLEDGED  # back where it was
    assert stored.sla_running_since == desk.now
    assert "Jawaban pelapor" in desk.screen[(str(PUPR_CHAT), card_id)].text


async def test_resolve_confirm_and_rate(desk: Desk, resident: Resident, pupr: Officer) -> None:
    ref = await report(resident)
    card_id, _ = desk.card(PUPR_CHAT, ref)
    await pupr.tap(card_id, "Selesai")
    prompt_id, _ = desk.find(PUPR_CHAT, "Menutup")
    out = await pupr.reply(prompt_id, "Sudah ditambal hari ini", photo="AgAD-after")
    told = to_chat(out, resident.user_id)
    assert "Sudah ditambal hari ini" in told[0].text and "sudah beres?" in told[0].text
    assert [b.label for b in told[0].buttons[0]] == ["Ya, sudah", "Belum"]
    assert told[1].kind == OutboundKind.PHOTO and told[1].media == "AgAD-after"
    assert (await ticket(desk, ref)).status == TicketStatus.RESOLVED

    resident.menu = told[0]
    out = await resident.tap("Ya, sudah")
    assert (await ticket(desk, ref)).status == TicketStatus.CLOSED
    assert "Seberapa puas" in resident_texts(out, resident)
    out = await resident.tap("4")
    out = await resident.text("Cepat, terima kasih")
    stored = await ticket(desk, ref)
    assert (stored.rating, stored.rating_comment) == (4, "Cepat, terima kasih")
    card = desk.screen[(str(PUPR_CHAT), card_id)]
    assert "Penilaian pelapor: 4/5 - Cepat, terima kasih" in card.text
    assert card.buttons == ()

    out = await pupr.reply(card_id, "masih ada yang perlu?")
    assert to_chat(out, resident.user_id) == []
    assert "sudah selesai ditangani" in to_chat(out, PUPR_CHAT)[0].text


async def test_not_fixed_reopens_to_the_same_agency(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await report(resident)
    card_id, _ = desk.card(PUPR_CHAT, ref)
    await pupr.tap(card_id, "Selesai")
    prompt_id, _ = desk.find(PUPR_CHAT, "Menutup")
    out = await pupr.reply(prompt_id, "Sudah ditambal")
    resident.menu = to_chat(out, resident.user_id)[0]
    out = await resident.tap("Belum")
    assert (await ticket(desk, ref)).status == TicketStatus.IN_PROGRESS
    assert any("belum beres" in o.text for o in to_chat(out, PUPR_CHAT))
    out = await resident.text("Tambalannya sudah lepas lagi")
    assert any("sudah lepas lagi" in o.text for o in to_chat(out, PUPR_CHAT))
    assert "Status: Diproses" in desk.screen[(str(PUPR_CHAT), card_id)].text


async def test_reassign_moves_the_card_and_the_router_learns(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await report(resident)
    card_id, _ = desk.card(PUPR_CHAT, ref)
    await pupr.tap(card_id, "Alihkan")
    prompt_id, prompt = desk.find(PUPR_CHAT, "ke dinas mana")
    assert "DLHKP" in button_labels(prompt) and "PUPR" not in button_labels(prompt)
    await pupr.tap(prompt_id, "DLHKP")
    out = await pupr.reply(prompt_id, "Ini tumpukan sampah, bukan jalan")
    assert "diteruskan ke DLHKP" in resident_texts(out, resident)
    old = desk.screen[(str(PUPR_CHAT), card_id)]
    assert "Dipindahkan ke DLHKP" in old.text and old.buttons == ()
    _, new = desk.card(DLHKP_CHAT, ref)
    assert "Terima" in button_labels(new)
    stored = await ticket(desk, ref)
    assert (stored.agency_code, stored.status, stored.sla_agency_code) == (
        "DLHKP",
        "assigned",
        "DLHKP",
    )
    assert desk.ctx.router.learned == [(POTHOLE, "DLHKP")]  # type: ignore[attr-defined]
    async with desk.sessions() as session:
        examples = (await session.execute(select(RoutingExample))).scalars().all()
    assert [(e.agency_code, e.source) for e in examples] == [("DLHKP", "reassign")]

    # the old group can no longer act on it
    out = await pupr.reply(card_id, "halo")
    assert to_chat(out, resident.user_id) == []
    assert "ditangani grup lain" in to_chat(out, PUPR_CHAT)[0].text


async def test_reject_with_a_preset_or_typed_reason(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await report(resident)
    card_id, _ = desk.card(PUPR_CHAT, ref)
    await pupr.tap(card_id, "Tolak")
    prompt_id, prompt = desk.find(PUPR_CHAT, "pilih alasan")
    assert button_labels(prompt) == ["Bukan wewenang Pemk…", "Laporan ganda", "Batal"]
    assert "• Bukan wewenang Pemkot Kediri" in prompt.text
    out = await pupr.tap(prompt_id, "Bukan wewenang Pemk…")
    text = resident_texts(out, resident)
    assert "Bukan wewenang Pemkot Kediri" in text and "keberatan" in text
    assert (await ticket(desk, ref)).status == TicketStatus.REJECTED
    assert "ditolak" in desk.screen[(str(PUPR_CHAT), prompt_id)].text

    ref2 = await report(resident, "Aspal rusak di gang Melati")
    card2, _ = desk.card(PUPR_CHAT, ref2)
    await pupr.tap(card2, "Tolak")
    prompt2, _ = desk.find(PUPR_CHAT, f"Tolak {ref2}")
    out = await pupr.reply(prompt2, "")
    assert (await ticket(desk, ref2)).status == TicketStatus.ASSIGNED
    out = await pupr.reply(prompt2, "Jalan milik provinsi, sudah kami teruskan ke UPT")
    assert "Jalan milik provinsi" in resident_texts(out, resident)
    assert (await ticket(desk, ref2)).status == TicketStatus.REJECTED


async def test_refer_sends_the_catalog_referral(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await report(resident)
    card_id, _ = desk.card(PUPR_CHAT, ref)
    await pupr.tap(card_id, "Rujuk")
    prompt_id, _ = desk.find(PUPR_CHAT, "instansi mana")
    out = await pupr.tap(prompt_id, "PLN")
    assert "PLN Mobile" in resident_texts(out, resident)
    assert (await ticket(desk, ref)).status == TicketStatus.REFERRED
    assert (await ticket(desk, ref)).sla_next_at is None
    assert "Dipindahkan ke PLN" in desk.screen[(str(PUPR_CHAT), card_id)].text


async def test_triage_assigns_and_teaches_the_router(desk: Desk, resident: Resident) -> None:
    await resident.report("Sampah menumpuk menutup selokan di gang Mawar")
    await resident.tap("Tidak tahu")
    out = await resident.tap("Kirim")
    ref = next(o.ticket_ref for o in out if o.ticket_ref)
    assert ref is not None
    triage = Officer(desk, TRIAGE_CHAT, user_id="7001", name="Sari")
    card_id, card = desk.card(TRIAGE_CHAT, ref)
    assert button_labels(card)[:2] == ["PUPR", "DLHKP"]  # the router's candidates first
    out = await triage.tap(card_id, "DLHKP")
    assert "diteruskan ke DLHKP" in resident_texts(out, resident)
    desk.card(DLHKP_CHAT, ref)
    assert "Dipindahkan ke DLHKP" in desk.screen[(str(TRIAGE_CHAT), card_id)].text
    assert desk.ctx.router.learned == [("Sampah menumpuk menutup selokan di gang Mawar", "DLHKP")]  # type: ignore[attr-defined]


# --- who may do what ------------------------------------------------------------------------


async def test_another_agencys_group_is_refused(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await report(resident)
    card_id, card = desk.card(PUPR_CHAT, ref)
    dlhkp = Officer(desk, DLHKP_CHAT, user_id="9100")
    accept = next(b.data for row in card.buttons for b in row if b.label == "Terima")
    out = await dlhkp.tap_data(card_id, accept)
    assert toasts(out) == [
        f"Maaf, tiket {ref} ditangani grup lain. Grup ini tidak bisa mengubahnya."
    ]
    out = await dlhkp.command("alihkan", f"{ref} DLHKP ambil alih")
    assert "ditangani grup lain" in out[0].text
    assert (await ticket(desk, ref)).status == TicketStatus.ASSIGNED


async def test_a_private_chat_is_refused(desk: Desk, resident: Resident) -> None:
    ref = await report(resident)
    card_id, card = desk.card(PUPR_CHAT, ref)
    accept = next(b.data for row in card.buttons for b in row if b.label == "Terima")
    private = Officer(desk, "9001")
    out = await private.tap_data(card_id, accept)
    assert toasts(out) == ["Tombol petugas hanya bisa dipakai di grup staf."]
    assert (await ticket(desk, ref)).status == TicketStatus.ASSIGNED


async def test_only_listed_officers_may_act(sessions: Sessions) -> None:
    yaml_text = STAFF_YAML.replace(
        "  staff: {telegram_chat_id: -100111}",
        "  staff: {telegram_chat_id: -100111, officers: [9001]}",
    )
    desk = Desk(sessions, staff_ctx(yaml_text))
    resident = Resident(sessions, desk.ctx, desk=desk)
    ref = await report(resident)
    card_id, _ = desk.card(PUPR_CHAT, ref)
    stranger = Officer(desk, PUPR_CHAT, user_id="4242", name="Tamu")
    out = await stranger.tap(card_id, "Terima")
    assert toasts(out) == [f"Maaf, Anda tidak terdaftar sebagai petugas untuk tiket {ref}."]
    out = await stranger.reply(card_id, "saya bantu")
    assert to_chat(out, resident.user_id) == []
    assert (await ticket(desk, ref)).status == TicketStatus.ASSIGNED
    out = await Officer(desk, PUPR_CHAT).tap(card_id, "Terima")
    assert (await ticket(desk, ref)).status == TicketStatus.ACKNOWLEDGED


async def test_supervisors_may_act_on_any_ticket(desk: Desk, resident: Resident) -> None:
    ref = await report(resident)
    boss = Officer(desk, SUPERVISORS_CHAT, user_id="1", name="Kepala")
    out = await boss.command("alihkan", f"{ref} DLHKP salah dinas")
    assert "dialihkan ke DLHKP" in out[0].text
    assert (await ticket(desk, ref)).agency_code == "DLHKP"
    out = await boss.command("tiket", ref)
    assert "Riwayat:" in out[0].text and "salah dinas" in out[0].text
    out = await boss.command("ringkasan")
    assert "Tiket terbuka: 1" in out[0].text and "DLHKP: Diteruskan 1" in out[0].text
    out = await Officer(desk, PUPR_CHAT).command("ringkasan")
    assert "hanya tersedia" in out[0].text


async def test_id_answers_in_any_group(desk: Desk) -> None:
    out = await Officer(desk, -100555).command("id")
    assert out[0].text == "ID grup ini: -100555"
    out = await replace(Officer(desk, -100555), thread_id=12).command("id")
    assert "ID topik ini: 12" in out[0].text


async def test_status_shows_the_public_history(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await report(resident)
    card_id, _ = desk.card(PUPR_CHAT, ref)
    await pupr.tap(card_id, "Terima")
    await pupr.reply(card_id, "#internal jangan bilang-bilang")
    await pupr.reply(card_id, "Besok kami ke lokasi")
    out = await resident.command("status", ref)
    text = resident_texts(out, resident)
    assert "Riwayat:" in text and "Diterima" in text and "Besok kami ke lokasi" in text
    assert "jangan bilang" not in text and "Budi" not in text


async def test_edits_waiting_in_the_outbox_collapse_into_the_latest(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await report(resident)
    card_id, _ = desk.card(PUPR_CHAT, ref)
    desk.sending = False  # the group's 20 messages a minute are spent
    await pupr.tap(card_id, "Terima")
    await pupr.reply(card_id, "#internal dicek Senin")
    await pupr.reply(card_id, "Kami ke lokasi besok")
    async with desk.sessions() as session:
        rows = (
            await session.execute(select(OutboxRow).where(OutboxRow.key == f"card:{ref}"))
        ).scalars()
        waiting = [r for r in rows.all() if r.sent_at is None]
    (edit,) = waiting
    assert edit.payload["kind"] == "edit" and "Status: Diterima" in edit.payload["text"]
    assert "dicek Senin" in edit.payload["text"] and "Kami ke lokasi" in edit.payload["text"]


async def test_card_shows_deadlines_in_local_time(desk: Desk, resident: Resident) -> None:
    ref = await report(resident)  # Monday 09:00 WIB; 8 working hours, 07:30-16:00 daily
    _, card = desk.card(PUPR_CHAT, ref)
    assert "Batas respons: Selasa 03-03-2026 pukul 08:30 WIB" in card.text
    out = await resident.command("status", ref)
    assert "Target selesai:" in to_chat(out, resident.user_id)[0].text


async def test_a_whatsapp_resident_silent_for_a_day_gets_the_template(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    resident.channel = "whatsapp"
    resident.user_id = "6281234567890"
    ref = await report(resident)
    card_id, _ = desk.card(PUPR_CHAT, ref)
    desk.now = resident.now + timedelta(hours=30)
    out = await pupr.tap(card_id, "Terima")
    (told,) = to_chat(out, resident.user_id)
    assert told.template == "status_update"
    assert told.params == {"ref": ref, "status": "Diterima"}
    desk.now = resident.now + timedelta(hours=1)
    out = await pupr.reply(card_id, "Kami ke lokasi")
    assert to_chat(out, resident.user_id)[0].template is None  # within 24 hours: as written


async def test_an_officers_photo_reaches_a_whatsapp_resident_when_lapor_keeps_it(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    resident.channel = "whatsapp"
    resident.user_id = "6281234567890"
    ref = await report(resident)
    card_id, _ = desk.card(PUPR_CHAT, ref)
    out = await pupr.reply(card_id, "Sudah kami tambal", photo="media:41")
    kinds = [(o.kind, o.media) for o in to_chat(out, resident.user_id)]
    assert kinds == [(OutboundKind.MESSAGE, None), (OutboundKind.PHOTO, "media:41")]
    out = await pupr.reply(card_id, "Foto lain", photo="AgAD-telegram-only")
    assert [o.kind for o in to_chat(out, resident.user_id)] == [OutboundKind.MESSAGE]


async def test_a_breach_alert_offers_the_history_and_a_reassignment(
    desk: Desk, resident: Resident
) -> None:
    ref = await report(resident)
    async with desk.sessions.begin() as session:
        batch = await sweep_batch(session, desk.ctx, desk.now + timedelta(days=3))
        for outbound in batch.outbounds:
            session.add(outbox_row(outbound, desk.now))
    await desk.deliver()
    _, warning = desk.find(PUPR_CHAT, ref)
    assert warning.reply_key == f"card:{ref}" and warning.buttons == ()  # under the card
    alert_id, alert = desk.find(SUPERVISORS_CHAT, ref)
    assert button_labels(alert) == ["Riwayat", "Alihkan"]
    boss = Officer(desk, SUPERVISORS_CHAT, user_id="1", name="Kepala")
    out = await boss.tap(alert_id, "Riwayat")
    assert "Riwayat:" in to_chat(out, SUPERVISORS_CHAT)[-1].text
    await boss.tap(alert_id, "Alihkan")
    prompt_id, _ = desk.find(SUPERVISORS_CHAT, "ke dinas mana")
    await boss.tap(prompt_id, "DLHKP")
    await boss.reply(prompt_id, "Terlambat, pindah ke DLHKP")
    assert (await ticket(desk, ref)).agency_code == "DLHKP"
    desk.card(DLHKP_CHAT, ref)
