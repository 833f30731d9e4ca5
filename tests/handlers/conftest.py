"""A small catalog, a predictable router and a `Chat` that talks to `dispatch` like a resident.

The catalog and router are built here, not taken from the shipped ones, so these tests follow
the dialog and never the evolving routing vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from db.engine import Sessions
from db.tables import Dialog, Ticket, TicketEvent
from handlers.context import Context
from handlers.dispatch import dispatch
from handlers.intake import WITH_BUTTONS_MAX
from handlers.messages import (
    Button,
    Inbound,
    InboundKind,
    Location,
    Media,
    Outbound,
    OutboundKind,
)
from handlers.texts import text_length
from routing.catalog import Catalog, parse_catalog
from routing.matcher import Router, RouteResult
from routing.smalltalk import small_talk

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=WIB)  # a Monday morning
PUPR_CHAT, DLHKP_CHAT, TRIAGE_CHAT = -100111, -100222, -100999
REFERRAL = "Gangguan listrik dilaporkan lewat aplikasi PLN Mobile atau telepon 123."
REFERRAL_EN = "Report power faults in the PLN Mobile app or by calling 123."

CATALOG_YAML = f"""
agencies:
- code: PUPR
  name: Dinas Pekerjaan Umum dan Penataan Ruang
  short_name: Dinas PUPR
  short_name_en: Public Works (PUPR)
  kind: internal
  sla: {{first_response_hours: 8, resolution_hours: 120}}
  staff: {{telegram_chat_id: {PUPR_CHAT}, telegram_thread_id: 7}}
  keywords: [jalan berlubang, aspal rusak, selokan]
- code: DLHKP
  name: Dinas Lingkungan Hidup, Kebersihan dan Pertamanan
  short_name: DLHKP
  short_name_en: Environment (DLHKP)
  kind: internal
  sla: {{first_response_hours: 4, resolution_hours: 24}}
  staff: {{telegram_chat_id: {DLHKP_CHAT}}}
  keywords: [sampah]
- code: PERKIM
  name: Dinas Perumahan dan Kawasan Permukiman
  short_name: Dinas Perkim
  short_name_en: Housing (Perkim)
  kind: internal
  sla: {{first_response_hours: 8, resolution_hours: 72}}
  keywords: [lampu jalan]
- code: PLN
  name: PT PLN (Persero) UP3 Kediri
  short_name: PLN
  kind: external
  referral: "{REFERRAL}"
  referral_en: "{REFERRAL_EN}"
  keywords: [listrik padam, mati lampu]
triage: {{telegram_chat_id: {TRIAGE_CHAT}}}
"""


class KeywordRouter(Router):
    """One agency's phrases found: that agency; several: abstain with them as candidates.

    Courtesy and chatter get the real router's small-talk tags (routing/smalltalk.py), so the
    dialog is tested against what the router really says of them.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def route(self, text: str) -> RouteResult:
        lowered = text.lower()
        hits = {
            agency.code: [k.phrase for k in agency.keyword_list() if k.phrase in lowered]
            for agency in self.catalog.agencies
        }
        ranked = tuple(code for code, found in hits.items() if found)
        matched = tuple(phrase for code in ranked for phrase in hits[code])
        chat = small_talk(text, found=matched)
        if chat:
            return RouteResult(None, 0.0, small_talk=chat)
        if len(ranked) == 1:
            return RouteResult(ranked[0], 0.9, matched, ranked)
        return RouteResult(None, 0.4 if ranked else 0.0, matched, ranked)


def make_ctx(**changes: Any) -> Context:
    catalog = parse_catalog(CATALOG_YAML, source="test catalog")
    return Context(catalog=catalog, router=KeywordRouter(catalog), **changes)


@pytest.fixture
def ctx() -> Context:
    return make_ctx()


def messages(out: Sequence[Outbound]) -> list[Outbound]:
    return [o for o in out if o.kind == OutboundKind.MESSAGE]


def text_of(out: Sequence[Outbound]) -> str:
    return "\n".join(o.text for o in messages(out))


def labels(outbound: Outbound | None) -> list[str]:
    if outbound is None:
        return []
    return [b.label for row in outbound.buttons for b in row]


@dataclass
class Chat:
    """A resident in a private chat; each call is one update in one committed transaction."""

    sessions: Sessions
    ctx: Context
    user_id: str = "5001"
    channel: str = "telegram"
    user_name: str = "Rina Wulandari"
    language: str | None = "id"
    is_group: bool = False
    now: datetime = NOW
    menu: Outbound | None = None  # the latest message with buttons
    menu_id: str = ""
    sent: int = 0

    async def send(self, kind: InboundKind, **fields: Any) -> list[Outbound]:
        self.sent += 1
        inbound = Inbound(
            channel=self.channel,
            chat_id=self.user_id if not self.is_group else "-500",
            user_id=self.user_id,
            kind=kind,
            message_id=str(self.sent),
            user_name=self.user_name,
            language=self.language,
            is_group=self.is_group,
            **fields,
        )
        async with self.sessions.begin() as session:
            out = await dispatch(session, inbound, now=self.now, ctx=self.ctx)
        for outbound in out:
            check_channel_limits(outbound)
            if outbound.buttons:
                self.menu, self.menu_id = outbound, f"bot-{self.sent}"
        return out

    async def text(self, text: str) -> list[Outbound]:
        return await self.send(InboundKind.TEXT, text=text)

    async def command(self, name: str, args: str = "") -> list[Outbound]:
        return await self.send(InboundKind.COMMAND, command=name, args=args, text=f"/{name}")

    async def location(self, lat: float, lon: float) -> list[Outbound]:
        return await self.send(InboundKind.LOCATION, location=Location(lat, lon))

    async def photo(self, file_id: str, caption: str | None = None) -> list[Outbound]:
        media = (Media(file_id, "image/jpeg", 50_000),)
        return await self.send(InboundKind.PHOTO, media=media, text=caption)

    async def tap(
        self, label: str, menu: Outbound | None = None, menu_id: str = ""
    ) -> list[Outbound]:
        """Tap a button on the latest menu (or an older one that was kept)."""
        menu = menu or self.menu
        assert menu is not None, "no menu was shown"
        button = next((b for row in menu.buttons for b in row if b.label == label), None)
        assert button is not None, f"no button {label!r} in {labels(menu)}"
        return await self.send(
            InboundKind.BUTTON,
            button=button.data,
            callback_id=f"cb-{self.sent}",
            reply_to_message_id=menu_id or self.menu_id,
        )

    async def report(self, description: str) -> list[Outbound]:
        """Describe, take the place Lapor read (else skip the location), skip the photo."""
        await self.text(description)
        await self.tap("Ya" if "Ya" in labels(self.menu) else "Lewati")
        return await self.tap("Lewati")


def check_channel_limits(outbound: Outbound) -> None:
    """Every message fits every channel whole, buttons in view.

    WhatsApp cuts button labels at 20 characters and puts buttons only under a body of 1,024
    (a photo's caption too);
    Telegram refuses callback data over 64 bytes and texts over 4,096 (UTF-16) units.
    """
    limit = WITH_BUTTONS_MAX if outbound.buttons or outbound.kind == OutboundKind.PHOTO else 4096
    assert text_length(outbound.text) <= limit, (limit, outbound.text[:80])
    for row in outbound.buttons:
        for button in row:
            assert isinstance(button, Button)
            assert len(button.label) <= 20, button.label
            assert len(button.data.encode()) <= 64, button.data


@pytest.fixture
def chat(sessions: Sessions, ctx: Context) -> Chat:
    return Chat(sessions, ctx)


def other(chat: Chat, **changes: Any) -> Chat:
    """Another resident (or the same one seen differently) on the same database."""
    return replace(chat, menu=None, menu_id="", sent=100, **changes)


async def all_tickets(sessions: Sessions) -> list[Ticket]:
    async with sessions() as session:
        result = await session.execute(select(Ticket).order_by(col(Ticket.id)))
        return list(result.scalars().all())


async def events_of(sessions: Sessions, ticket_id: int | None) -> list[TicketEvent]:
    async with sessions() as session:
        result = await session.execute(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id)
            .order_by(col(TicketEvent.id))
        )
        return list(result.scalars().all())


async def dialog_of(sessions: Sessions, chat: Chat) -> Dialog:
    async with sessions() as session:
        result = await session.execute(
            select(Dialog).where(Dialog.channel == chat.channel, Dialog.chat_id == chat.user_id)
        )
        dialog: Dialog = result.scalar_one()
        return dialog


@dataclass
class Snapshot:
    state: str
    data: dict[str, Any] = field(default_factory=dict)
    nonce: str = ""


async def snapshot(sessions: Sessions, chat: Chat) -> Snapshot:
    dialog = await dialog_of(sessions, chat)
    return Snapshot(dialog.state, dialog.data, dialog.nonce)
