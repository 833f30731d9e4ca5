"""The same problem reported twice: follow instead of a new ticket, merges, privacy, topics."""

from __future__ import annotations

from dataclasses import replace

from db.engine import Sessions
from db.tables import TicketStatus
from handlers.messages import OutboundKind
from tests.handlers.conftest import PUPR_CHAT, all_tickets, labels
from tests.handlers.staffdesk import (
    STAFF_YAML,
    Desk,
    Officer,
    Resident,
    desk,
    pupr,
    report,
    resident,
    staff_ctx,
    ticket,
    to_chat,
)

__all__ = ["desk", "pupr", "resident"]  # fixtures
POTHOLE = "Jalan berlubang besar di Jl. Dhoho depan toko buku, sudah seminggu"
SAME = "Ada jalan berlubang besar di Jl. Dhoho depan toko buku"


def neighbour(resident: Resident) -> Resident:
    return replace(resident, user_id="5002", user_name="Tono", menu=None, menu_id="", sent=200)


async def test_a_look_alike_is_offered_to_follow(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await report(resident)
    other = neighbour(resident)
    await other.report(SAME)
    out = await other.tap("Kirim")
    (offer,) = [o for o in out if o.chat_id == other.user_id and o.buttons]
    assert ref in offer.text and labels(offer) == ["Ikuti laporan itu", "Tetap buat baru"]
    out = await other.tap("Ikuti laporan itu")
    assert "Anda mengikuti laporan" in "\n".join(o.text for o in to_chat(out, other.user_id))
    assert len(await all_tickets(desk.sessions)) == 1
    card_id, card = desk.card(PUPR_CHAT, ref)
    assert "Warga lain yang melaporkan hal sama: 1" in card.text

    out = await pupr.tap(card_id, "Terima")
    assert len(to_chat(out, other.user_id)) == 1  # followers get the news too
    out = await other.command("status", ref)
    assert "Diterima" in to_chat(out, other.user_id)[0].text


async def test_a_new_report_anyway(desk: Desk, resident: Resident) -> None:
    await report(resident)
    other = neighbour(resident)
    await other.report(SAME)
    await other.tap("Kirim")
    await other.tap("Tetap buat baru")
    assert len(await all_tickets(desk.sessions)) == 2


async def test_a_different_problem_is_not_offered(desk: Desk, resident: Resident) -> None:
    await report(resident)
    other = neighbour(resident)
    await other.report("Selokan mampet di gang Kenari, airnya meluap")
    out = await other.tap("Kirim")
    assert not any("Ikuti" in labels(o) for o in out)
    assert len(await all_tickets(desk.sessions)) == 2


async def test_merge_moves_followers_and_closes_with_a_pointer(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    first = await report(resident)
    other = neighbour(resident)
    await other.report(SAME)
    await other.tap("Kirim")
    second_out = await other.tap("Tetap buat baru")
    second = next(o.ticket_ref for o in second_out if o.ticket_ref)
    assert second is not None and second != first
    card_id, _ = desk.card(PUPR_CHAT, second)
    out = await pupr.command("gabung", first, reply_to=card_id)
    assert f"{second} digabung ke {first}" in out[0].text
    merged = await ticket(desk, second)
    assert merged.status == TicketStatus.CLOSED and merged.merged_into_id is not None
    assert f"sama dengan laporan {first}" in to_chat(out, other.user_id)[0].text
    _, card = desk.card(PUPR_CHAT, first)
    assert "Warga lain yang melaporkan hal sama: 1" in card.text
    main_id, _ = desk.card(PUPR_CHAT, first)
    out = await pupr.tap(main_id, "Proses")
    assert len(to_chat(out, other.user_id)) == 1


async def test_anonim_hides_the_reporter_on_the_card(desk: Desk, resident: Resident) -> None:
    await resident.text(POTHOLE)
    out = await resident.text("anonim")
    assert "disembunyikan" in out[0].text
    await resident.tap("Ya" if "Ya" in labels(resident.menu) else "Lewati")
    await resident.tap("Lewati")
    out = await resident.tap("Kirim")
    ref = next(o.ticket_ref for o in out if o.ticket_ref)
    assert ref is not None
    _, card = desk.card(PUPR_CHAT, ref)
    assert "identitas dirahasiakan" in card.text and "#R-" not in card.text
    assert (await ticket(desk, ref)).privacy == "anonim"
    out = await resident.text(f"rahasia {ref}")
    assert "dirahasiakan" in out[0].text
    assert "Laporan rahasia" in desk.card(PUPR_CHAT, ref)[1].text


async def test_a_topic_per_ticket(sessions: Sessions) -> None:
    yaml_text = STAFF_YAML.replace(
        "  staff: {telegram_chat_id: -100111}",
        "  staff: {telegram_chat_id: -100111, topic_per_ticket: true}",
    )
    desk = Desk(sessions, staff_ctx(yaml_text))
    resident = Resident(sessions, desk.ctx, desk=desk)
    ref = await report(resident)
    opened = [m for m, o in desk.messages_in(PUPR_CHAT) if o.kind == OutboundKind.OPEN_TOPIC]
    (topic_id,) = opened
    topic = desk.screen[(str(PUPR_CHAT), topic_id)]
    assert topic.text.startswith(ref)
    card_id, card = desk.card(PUPR_CHAT, ref)
    assert card.thread_key == f"topic:{ref}"

    officer = Officer(desk, PUPR_CHAT, thread_id=int(topic_id))
    out = await officer.reply(None, "Kami cek sore ini")  # in the topic, no reply needed
    assert "Kami cek sore ini" in to_chat(out, resident.user_id)[0].text
    out = await officer.reply(None, "#internal bawa aspal dingin")
    assert to_chat(out, resident.user_id) == []

    await officer.tap(card_id, "Selesai")
    prompt_id, _ = desk.find(PUPR_CHAT, "Menutup")
    out = await officer.reply(prompt_id, "Sudah ditambal")
    resident.menu = to_chat(out, resident.user_id)[0]
    out = await resident.tap("Belum")
    assert [o.kind for o in out if o.kind == OutboundKind.REOPEN_TOPIC] == [
        OutboundKind.REOPEN_TOPIC
    ]
    await officer.tap(card_id, "Selesai")
    prompt_id, _ = desk.find(PUPR_CHAT, "Menutup")
    out = await officer.reply(prompt_id, "Sudah ditambal ulang")
    resident.menu = to_chat(out, resident.user_id)[0]
    out = await resident.tap("Ya, sudah")
    assert [o.kind for o in out if o.kind == OutboundKind.CLOSE_TOPIC] == [OutboundKind.CLOSE_TOPIC]


async def test_a_reassigned_ticket_leaves_its_topic_closed(sessions: Sessions) -> None:
    yaml_text = STAFF_YAML.replace(
        "  staff: {telegram_chat_id: -100111}",
        "  staff: {telegram_chat_id: -100111, topic_per_ticket: true}",
    )
    desk = Desk(sessions, staff_ctx(yaml_text))
    resident = Resident(sessions, desk.ctx, desk=desk)
    ref = await report(resident)
    desk.card(PUPR_CHAT, ref)  # posted in its own topic
    out = await Officer(desk, PUPR_CHAT).command("alihkan", f"{ref} DLHKP bukan jalan")
    closed = [o for o in out if o.kind == OutboundKind.CLOSE_TOPIC]
    assert [(o.chat_id, o.thread_key) for o in closed] == [(str(PUPR_CHAT), f"topic:{ref}")]
