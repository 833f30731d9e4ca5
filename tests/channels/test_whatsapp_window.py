"""The 24-hour window and the identities behind a WhatsApp resident (phone number and BSUID).

Handler-level: `Inbound`s into `dispatch`, rows and `Outbound`s out, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from db.engine import Sessions
from db.tables import Identity, OutboxRow
from handlers.context import Context
from handlers.dispatch import dispatch
from handlers.messages import Inbound, InboundKind, Outbound
from handlers.window import fit_window, within_service_window
from routing.catalog import parse_catalog
from routing.matcher import Router

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
SITI, SITI_BSUID = "6281200000001", "ID.1000000000000001"
CATALOG = parse_catalog(
    """
agencies:
  - {code: PUPR, name: Dinas PUPR, kind: internal, keywords: [jalan rusak],
     sla: {first_response_hours: 8, resolution_hours: 120}}
"""
)
CTX = Context(catalog=CATALOG, router=Router(CATALOG))


@pytest.mark.parametrize(
    ("ago", "open_"),
    [
        (timedelta(minutes=5), True),
        (timedelta(hours=23), True),
        (timedelta(hours=23, minutes=50), False),  # closes early: the send may come later
        (timedelta(hours=25), False),
    ],
)
def test_the_window_is_open_for_a_day_after_the_residents_last_message(
    ago: timedelta, open_: bool
) -> None:
    assert within_service_window(NOW - ago, NOW) is open_


def test_a_resident_who_never_wrote_has_no_window() -> None:
    assert not within_service_window(None, NOW)


def text(user_id: str, body: str, *, aliases: tuple[str, ...] = ()) -> Inbound:
    return Inbound(
        channel="whatsapp",
        chat_id=user_id,
        user_id=user_id,
        aliases=aliases,
        kind=InboundKind.TEXT,
        text=body,
    )


async def write(sessions: Sessions, inbound: Inbound, now: datetime = NOW) -> list[Outbound]:
    async with sessions.begin() as session:
        return await dispatch(session, inbound, now=now, ctx=CTX)


def update(chat_id: str = SITI, **fields: object) -> Outbound:
    return Outbound(
        channel="whatsapp",
        chat_id=chat_id,
        text="Laporan KDR-26-000001 sekarang: Diproses",
        purpose="status_update",
        params={"ref": "KDR-26-000001", "status": "Diproses"},
        **fields,  # type: ignore[arg-type]
    )


async def fitted(sessions: Sessions, out: Outbound, now: datetime) -> Outbound:
    async with sessions() as session:
        return await fit_window(session, out, now)


async def test_a_status_update_after_a_silent_day_goes_as_the_template(
    sessions: Sessions,
) -> None:
    await write(sessions, text(SITI, "halo"))
    assert (await fitted(sessions, update(), NOW + timedelta(hours=1))).template is None
    late = await fitted(sessions, update(), NOW + timedelta(hours=30))
    assert (late.template, late.params, late.text) == (
        "status_update",
        {"ref": "KDR-26-000001", "status": "Diproses"},
        update().text,
    )


async def test_only_status_updates_on_whatsapp_are_templated(sessions: Sessions) -> None:
    later = NOW + timedelta(days=3)
    await write(sessions, text(SITI, "halo"))
    chat = Outbound(channel="whatsapp", chat_id=SITI, text="Ada lagi?")
    assert await fitted(sessions, chat, later) == chat
    telegram = update(chat_id="555001")
    telegram = Outbound(**{**telegram.to_json(), "channel": "telegram", "buttons": ()})
    assert (await fitted(sessions, telegram, later)).template is None


async def test_a_resident_never_met_gets_the_template(sessions: Sessions) -> None:
    assert (await fitted(sessions, update("6281299999999"), NOW)).template == "status_update"


async def identities(sessions: Sessions) -> dict[str, int]:
    async with sessions() as session:
        result = await session.execute(select(Identity))
        return {i.external_id: i.resident_id for i in result.scalars().all()}


async def test_phone_and_bsuid_are_one_resident(sessions: Sessions) -> None:
    await write(sessions, text(SITI, "halo", aliases=(SITI_BSUID,)))
    await write(sessions, text(SITI_BSUID, "halo lagi"))  # username adopted: no phone number
    found = await identities(sessions)
    assert set(found) == {SITI, SITI_BSUID}
    assert found[SITI] == found[SITI_BSUID]


async def test_a_bsuid_met_first_keeps_its_resident_when_the_number_shows(
    sessions: Sessions,
) -> None:
    await write(sessions, text(SITI_BSUID, "halo"))
    await write(sessions, text(SITI, "halo lagi", aliases=(SITI_BSUID,)))
    found = await identities(sessions)
    assert found[SITI] == found[SITI_BSUID]


async def test_a_replayed_alias_adds_nothing(sessions: Sessions) -> None:
    for _ in range(2):
        await write(sessions, text(SITI, "halo", aliases=(SITI_BSUID,)))
    assert len(await identities(sessions)) == 2


async def test_writing_by_username_opens_the_window_for_the_number_too(
    sessions: Sessions,
) -> None:
    await write(sessions, text(SITI, "halo", aliases=(SITI_BSUID,)), NOW - timedelta(days=2))
    await write(sessions, text(SITI_BSUID, "halo lagi"), NOW)  # the old ticket's chat is SITI
    assert (await fitted(sessions, update(SITI), NOW)).template is None
    assert (await fitted(sessions, update(SITI_BSUID), NOW)).template is None


async def test_delivery_mode_is_noted_from_the_first_status(sessions: Sessions) -> None:
    async with sessions.begin() as session:
        row = OutboxRow(
            channel="whatsapp",
            chat_id=SITI,
            external_id="wamid.T",
            payload=update(template="status_update").to_json(),
        )
        session.add(row)
    status = Inbound(
        channel="whatsapp",
        chat_id=SITI,
        user_id=SITI,
        kind=InboundKind.DELIVERY,
        status="delivered",
        reply_to_message_id="wamid.T",
    )
    assert await write(sessions, status) == []
    async with sessions() as session:
        stored = await session.get(OutboxRow, row.id)
        assert stored is not None
        assert (stored.delivery_status, stored.delivery_mode) == ("delivered", "template")
