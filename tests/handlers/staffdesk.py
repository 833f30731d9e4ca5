"""Both sides of the staff workflow on one database: a resident's chat and officers' groups.

Every update is one committed transaction through `dispatch`, and what Lapor decides is stored
as outbox rows and then "sent" the way the dispatcher does it (new messages get an id, an edit
keeps its target's), so replies to cards and prompts find their messages as they would live.
`screen` shows each chat as its members see it: the latest text and buttons of each message.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from sqlmodel import col, select

from bot.queue.inbox import outbox_row
from db.engine import Sessions
from db.queue import sent_message_id
from db.tables import OutboxRow, Ticket
from handlers.context import Context
from handlers.dispatch import dispatch
from handlers.messages import Inbound, InboundKind, Media, Outbound, OutboundKind
from routing.catalog import parse_catalog
from tests.handlers.conftest import (
    CATALOG_YAML,
    NOW,
    PUPR_CHAT,
    Chat,
    KeywordRouter,
    all_tickets,
    check_channel_limits,
)

SUPERVISORS_CHAT = -100900
POTHOLE = "Jalan berlubang besar di Jl. Dhoho depan toko buku, sudah seminggu"
STAFF_YAML = (
    CATALOG_YAML.replace("  staff: {telegram_chat_id: -100111, telegram_thread_id: 7}",
                         "  staff: {telegram_chat_id: -100111}")
    + f"""supervisors: {{telegram_chat_id: {SUPERVISORS_CHAT}}}
staff:
  reject_reasons:
  - {{code: bukan_wewenang, text: Bukan wewenang Pemkot Kediri,
     text_en: Not the city's responsibility}}
  - {{code: duplikat, text: Laporan ganda}}
"""
)  # fmt: skip


class LearningRouter(KeywordRouter):
    """The keyword router, which also remembers what officers taught it."""

    learned: list[tuple[str, str]]

    def learn(self, text: str, code: str) -> None:
        self.learned.append((text, code))


def staff_ctx(yaml_text: str = STAFF_YAML) -> Context:
    catalog = parse_catalog(yaml_text, source="staff test catalog")
    router = LearningRouter(catalog)
    router.learned = []
    return Context(catalog=catalog, router=router)


@pytest.fixture
def desk(sessions: Sessions) -> Desk:
    return Desk(sessions, staff_ctx())


@pytest.fixture
def resident(desk: Desk) -> Resident:
    return Resident(desk.sessions, desk.ctx, desk=desk)


@pytest.fixture
def pupr(desk: Desk) -> Officer:
    return Officer(desk, PUPR_CHAT)


async def report(resident: Resident, text: str = POTHOLE) -> str:
    await resident.report(text)
    out = await resident.tap("Kirim")
    ref = out[-1].ticket_ref or next(o.ticket_ref for o in out if o.ticket_ref)
    assert ref is not None
    return ref


async def ticket(desk: Desk, ref: str) -> Ticket:
    return next(t for t in await all_tickets(desk.sessions) if t.ref == ref)


SHOWN = (OutboundKind.MESSAGE, OutboundKind.PHOTO, OutboundKind.LOCATION)


@dataclass
class Desk:
    sessions: Sessions
    ctx: Context
    now: datetime = NOW
    screen: dict[tuple[str, str], Outbound] = field(default_factory=dict)  # (chat, msg id)
    order: list[tuple[str, str]] = field(default_factory=list)  # messages as they arrived
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(5000))
    updates: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    sending: bool = True  # False: the dispatcher is held up (a group's budget is spent)

    async def run(self, inbound: Inbound) -> list[Outbound]:
        async with self.sessions.begin() as session:
            out = await dispatch(session, inbound, now=self.now, ctx=self.ctx)
            for outbound in out:
                check_channel_limits(outbound)
                session.add(outbox_row(outbound, self.now))
        if self.sending:
            await self.deliver()
        return out

    async def deliver(self) -> None:
        async with self.sessions.begin() as session:
            rows = await session.execute(
                select(OutboxRow)
                .where(col(OutboxRow.sent_at).is_(None))
                .order_by(col(OutboxRow.id))
            )
            for row in rows.scalars().all():
                out = Outbound.from_json(row.payload)
                external = await self.message_id(session, row, out)
                row.sent_at, row.external_id = self.now, external
                if external is not None:
                    spot = (row.chat_id, external)
                    if spot not in self.screen:
                        self.order.append(spot)
                    self.screen[spot] = out
                await session.flush()

    async def message_id(self, session: Any, row: OutboxRow, out: Outbound) -> str | None:
        if out.kind == OutboundKind.EDIT:
            target = out.target_message_id
            if target is None and out.edit_key:
                target = await sent_message_id(
                    session, channel=row.channel, chat_id=row.chat_id, key=out.edit_key
                )
            return target or str(next(self.ids))
        if out.kind in (*SHOWN, OutboundKind.OPEN_TOPIC):
            return str(next(self.ids))
        return None

    def messages_in(self, chat_id: str | int) -> list[tuple[str, Outbound]]:
        return [(m, self.screen[(c, m)]) for c, m in self.order if c == str(chat_id)]

    def find(self, chat_id: str | int, needle: str) -> tuple[str, Outbound]:
        """The newest message in the chat whose text has `needle`."""
        found = [(m, o) for m, o in self.messages_in(chat_id) if needle in o.text]
        shown = [o.text[:60] for _, o in self.messages_in(chat_id)]
        assert found, f"nothing with {needle!r} in {chat_id}: {shown}"
        return found[-1]

    def cards(self, chat_id: str | int, ref: str) -> list[tuple[str, Outbound]]:
        return [(m, o) for m, o in self.messages_in(chat_id) if o.key == f"card:{ref}"]

    def card(self, chat_id: str | int, ref: str) -> tuple[str, Outbound]:
        (found,) = self.cards(chat_id, ref)
        return found


@dataclass
class Resident(Chat):
    """A resident whose messages go through the desk (stored and sent like live)."""

    desk: Desk | None = None

    async def send(self, kind: InboundKind, **fields: Any) -> list[Outbound]:
        assert self.desk is not None
        self.sent += 1
        inbound = Inbound(
            channel=self.channel,
            chat_id=self.user_id,
            user_id=self.user_id,
            kind=kind,
            message_id=str(self.sent),
            user_name=self.user_name,
            language=self.language,
            **fields,
        )
        self.desk.now = self.now
        out = await self.desk.run(inbound)
        for outbound in out:
            if outbound.buttons and outbound.chat_id == self.user_id:
                self.menu, self.menu_id = outbound, f"bot-{self.sent}"
        return out


@dataclass
class Officer:
    desk: Desk
    chat_id: str | int
    user_id: str = "9001"
    name: str = "Budi Santoso"
    thread_id: int | None = None

    def inbound(self, kind: InboundKind, **fields: Any) -> Inbound:
        return Inbound(
            channel="telegram",
            chat_id=str(self.chat_id),
            user_id=self.user_id,
            user_name=self.name,
            kind=kind,
            is_group=not str(self.chat_id).isdigit(),
            thread_id=self.thread_id,
            message_id=str(next(self.desk.updates) + 90000),
            **fields,
        )

    async def tap(self, message_id: str, label: str) -> list[Outbound]:
        """Tap a button on a message of this chat as it shows now."""
        shown = self.desk.screen[(str(self.chat_id), message_id)]
        data = next((b.data for row in shown.buttons for b in row if b.label == label), None)
        assert data is not None, f"no {label!r} in {[b.label for r in shown.buttons for b in r]}"
        return await self.tap_data(message_id, data)

    async def tap_data(self, message_id: str, data: str) -> list[Outbound]:
        inbound = self.inbound(
            InboundKind.BUTTON,
            button=data,
            callback_id=f"cb{message_id}",
            reply_to_message_id=message_id,
        )
        return await self.desk.run(inbound)

    async def reply(
        self, message_id: str | None, text: str = "", photo: str | None = None
    ) -> list[Outbound]:
        media = (Media(photo, "image/jpeg", 1000),) if photo else ()
        kind = InboundKind.PHOTO if photo else InboundKind.TEXT
        return await self.desk.run(
            self.inbound(kind, text=text or None, media=media, reply_to_message_id=message_id)
        )

    async def command(
        self, name: str, args: str = "", reply_to: str | None = None
    ) -> list[Outbound]:
        inbound = self.inbound(
            InboundKind.COMMAND,
            command=name,
            args=args,
            text=f"/{name} {args}".strip(),
            reply_to_message_id=reply_to,
        )
        return await self.desk.run(inbound)


def toasts(out: Sequence[Outbound]) -> list[str]:
    return [o.text for o in out if o.kind == OutboundKind.CALLBACK_ANSWER]


def to_chat(out: Sequence[Outbound], chat_id: str | int) -> list[Outbound]:
    return [o for o in out if o.chat_id == str(chat_id)]


def button_labels(out: Outbound) -> list[str]:
    return [b.label for row in out.buttons for b in row]
