"""A resident goes from /start to a ticket reference through the real webhook and Bot API client."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import col

from db.tables import InboxRow, Ticket, TicketEvent
from tests.e2e.telegram_world import PUPR_CHAT, RESIDENT, World, fixture
from tests.fakes.telegram_api import BOT_ID

REF = re.compile(r"KDR-\d{2}-\d{6}")


async def report_a_pothole(world: World) -> str:
    assert await world.post(world.text("/start")) == 200
    await world.post(world.text("jalan berlubang besar dan aspal rusak di Jl. Hayam Wuruk"))
    assert world.to_resident()[-1]["text"] == "Lokasinya di Jl. Hayam Wuruk?"  # read from it
    await world.post(world.tap("Ubah"))  # share the exact spot instead
    asked = world.to_resident()[-2:]
    assert any(m.get("reply_markup", {}).get("keyboard") for m in asked)  # share-location button
    await world.post(world.location(-7.8165, 112.0115))
    await world.post(world.tap("Lewati"))  # no photo
    await world.post(world.tap("Kirim"))
    final = world.to_resident()[-1]["text"]
    match = REF.search(final)
    assert match, final
    return match.group()


async def test_resident_reports_and_gets_a_reference(world: World) -> None:
    ref = await report_a_pothole(world)
    greeting = world.to_resident()[0]["text"]
    assert "Lapor" in greeting
    card = next(m["text"] for m in world.to_chat(PUPR_CHAT) if ref in m.get("text", ""))
    assert ref in card and "Hayam Wuruk" in card
    pin = world.to_chat(PUPR_CHAT)[-1]  # the map pin, under the card
    assert (pin["latitude"], pin["longitude"]) == (-7.8165, 112.0115)
    assert str(RESIDENT) not in card and "Siti" not in card  # the resident is masked
    async with world.services.sessions() as session:
        ticket = (await session.execute(sa.select(Ticket))).scalar_one()
    assert ticket.ref == ref and ticket.agency_code == "PUPR" and ticket.status == "assigned"
    assert world.api.answered  # every tap was answered, so the button stops spinning


async def test_status_shows_own_ticket(world: World) -> None:
    ref = await report_a_pothole(world)
    await world.post(world.text(f"/status {ref}"))
    assert ref in world.to_resident()[-1]["text"]


async def test_old_button_is_refused_without_changing_anything(world: World) -> None:
    await report_a_pothole(world)
    sent_before = len(world.to_resident())
    await world.post(world.tap("Kirim"))  # the summary's button, after the report was sent
    assert "tidak berlaku" in world.api.answered[-1].get("text", "")
    assert len(world.to_resident()) == sent_before
    async with world.services.sessions() as session:
        count = (await session.execute(sa.select(sa.func.count()).select_from(Ticket))).scalar()
    assert count == 1


async def test_redelivered_update_is_answered_once(world: World) -> None:
    update = world.text("/start")
    assert await world.post(update) == 200
    assert await world.post(update) == 200
    assert len(world.to_resident()) == 1


async def test_malformed_json_is_refused_and_nothing_stored(world: World) -> None:
    resp = await world.client.post(
        "/telegram/webhook",
        data=b"{not json",
        headers={"X-Telegram-Bot-Api-Secret-Token": "e2e-webhook-secret"},
    )
    assert resp.status == 400
    assert await world.post({"no": "update_id"}) == 400
    async with world.services.sessions() as session:
        assert (
            await session.execute(sa.select(sa.func.count()).select_from(InboxRow))
        ).scalar() == 0


async def test_wrong_or_missing_secret_is_forbidden(world: World) -> None:
    assert await world.post(world.text("/start"), secret="guess") == 403
    assert await world.post(world.text("/start"), secret=None) == 403
    assert world.to_resident() == []


async def test_a_ten_megabyte_body_is_refused(world: World) -> None:
    update = world.text("x" * (10 * 1024 * 1024))
    assert await world.post(update) == 413


async def test_updates_lapor_does_not_use_are_stored_and_ignored(world: World) -> None:
    for name in ("edited_message", "my_chat_member_blocked"):
        assert await world.post(fixture(name)) == 200
    channel_post = {
        "update_id": world.next_update_id(),
        "channel_post": fixture("private_text")["message"],
    }
    assert await world.post(channel_post) == 200
    assert world.to_resident() == []
    async with world.services.sessions() as session:
        rows = (await session.execute(sa.select(InboxRow))).scalars().all()
    assert len(rows) == 3 and all(r.done_at is not None for r in rows)


async def test_a_sticker_gets_a_hint(world: World) -> None:
    sticker = {
        "file_id": "CAACAgIAAxkB",
        "file_unique_id": "AgAD",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    await world.post(world.message(sticker=sticker))
    assert world.to_resident()[-1]["text"]


async def test_a_long_report_is_kept_whole(world: World) -> None:
    long_text = "jalan berlubang dan aspal rusak parah. " + "Sudah lama sekali. " * 250
    await world.post(world.text(long_text))
    await world.post(world.tap("Lewati"))
    await world.post(world.tap("Lewati"))
    summary = world.last_with_button("Kirim")
    assert len(summary["text"]) < len(long_text)
    await world.post(world.tap("Kirim"))
    async with world.services.sessions() as session:
        ticket = (await session.execute(sa.select(Ticket))).scalar_one()
    assert ticket.description == long_text.strip()


async def test_a_rate_limited_reply_is_sent_after_retry_after(world: World) -> None:
    world.api.fail_next("sendMessage", status=429, retry_after=1)
    await world.post(world.text("/start"))
    assert world.to_resident() == []  # Telegram said wait
    import asyncio

    await asyncio.sleep(1.3)  # the pause: retry_after, plus up to a fifth of it as jitter
    await world.settle()
    assert len(world.to_resident()) == 1


async def test_health_reports_database_channels_and_who_sends(world: World) -> None:
    await world.settle()  # a dispatcher round: the one instance is elected to send
    resp = await world.client.get("/healthz")
    assert resp.status == 200
    body = await resp.json()
    assert body == {
        "status": "ok",
        "database": "up",
        "channels": ["telegram"],
        "instance": world.services.dispatcher.owner,
        "sends_for": ["telegram"],
    }


async def test_metrics_count_webhook_outcomes(world: World) -> None:
    await world.post(world.text("/start"), secret="wrong")
    text = await (await world.client.get("/metrics")).text()
    assert 'lapor_webhook_updates_total{channel="telegram",outcome="forbidden"}' in text


async def test_a_reply_to_the_confirmation_adds_to_that_report(world: World) -> None:
    """The dispatcher recorded the confirmation's message id under its key; a reply finds it."""
    ref = await report_a_pothole(world)
    receipt = next(m for m in reversed(world.to_resident()) if ref in m["text"])
    replied = {
        "message_id": world.message_id_of(receipt),
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "Lapor"},
        "chat": {"id": RESIDENT, "type": "private"},
        "date": 1767236400,
        "text": receipt["text"],
    }
    detail = "lubangnya sekarang makin lebar, sudah dua motor jatuh"
    await world.post(world.message(text=detail, reply_to_message=replied))
    assert "sudah kami teruskan" in world.to_resident()[-1]["text"]
    posted = world.to_chat(PUPR_CHAT)[-1]
    assert ref in posted["text"] and detail in posted["text"]
    async with world.services.sessions() as session:
        ticket = (await session.execute(sa.select(Ticket))).scalar_one()
        notes = (
            await session.execute(
                sa.select(col(TicketEvent.note)).where(col(TicketEvent.ticket_id) == ticket.id)
            )
        ).scalars()
        assert f"resident added: {detail}" in list(notes)
