"""One inbound being handled: who sent it, where their dialog stands, and how to answer them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.tables import Dialog, Identity, Resident
from handlers.context import Context
from handlers.draft import Draft
from handlers.messages import Button, Inbound, Outbound, OutboundKind
from handlers.texts import shorten, t

IDLE = "idle"
BUTTON_LABEL_MAX = 20  # WhatsApp cuts reply buttons here
BUTTON_DATA_MAX = 64  # Telegram's callback_data limit, in bytes


def button_data(action: str, nonce: str, arg: str = "") -> str:
    """`action:nonce` or `action:nonce:arg`; the nonce ties a button to the menu that showed it."""
    data = f"{action}:{nonce}:{arg}" if arg else f"{action}:{nonce}"
    if len(data.encode()) > BUTTON_DATA_MAX:
        raise ValueError(f"button data longer than {BUTTON_DATA_MAX} bytes: {data!r}")
    return data


def parse_button(data: str | None) -> tuple[str, str, str] | None:
    """(action, nonce, arg), or None for data Lapor never made."""
    parts = (data or "").split(":", 2)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None
    return parts[0], parts[1], parts[2] if len(parts) == 3 else ""


@dataclass(slots=True)
class Turn:
    session: AsyncSession
    inbound: Inbound
    now: datetime
    ctx: Context
    resident: Resident
    identity: Identity
    dialog: Dialog
    action: str = ""  # of a valid button tap
    arg: str = ""

    @property
    def lang(self) -> str:
        return self.resident.language

    @property
    def resident_id(self) -> int:
        if self.resident.id is None:
            raise RuntimeError("the resident has not been stored")
        return self.resident.id

    @property
    def event(self) -> str:
        """What the state table is keyed by: `tap:<action>` for buttons, else the inbound kind."""
        return f"tap:{self.action}" if self.action else self.inbound.kind.value

    @property
    def draft(self) -> Draft:
        return Draft.from_data(self.dialog.data)

    def save(self, state: str, draft: Draft) -> None:
        """Store the draft; JSON columns are not mutation-tracked, so assign a new dict."""
        self.dialog.state = state
        self.dialog.data = draft.to_data()
        self.dialog.updated_at = self.now

    def reset(self) -> None:
        """Back to idle: the draft is gone and every button shown so far is stale."""
        self.dialog.state = IDLE
        self.dialog.data = {}
        self.dialog.nonce = ""
        self.dialog.updated_at = self.now

    def new_menu(self) -> None:
        """A fresh nonce for the menu about to be shown: earlier menus stop working."""
        self.dialog.nonce = secrets.token_urlsafe(6)

    def button(self, label_key: str, action: str, arg: str = "", *, label: str = "") -> Button:
        text = shorten(label or t(self.lang, label_key), BUTTON_LABEL_MAX)
        return Button(text, button_data(action, self.dialog.nonce, arg))

    def say(
        self,
        key: str,
        *,
        buttons: tuple[tuple[Button, ...], ...] = (),
        request_location: bool = False,
        remove_keyboard: bool = False,
        ticket_ref: str | None = None,
        message_key: str | None = None,
        **params: object,
    ) -> Outbound:
        """A message to this chat in the resident's language."""
        return self.write(
            t(self.lang, key, **params),
            buttons=buttons,
            request_location=request_location,
            remove_keyboard=remove_keyboard,
            ticket_ref=ticket_ref,
            message_key=message_key,
        )

    def write(
        self,
        text: str,
        *,
        buttons: tuple[tuple[Button, ...], ...] = (),
        request_location: bool = False,
        remove_keyboard: bool = False,
        ticket_ref: str | None = None,
        message_key: str | None = None,
    ) -> Outbound:
        """`message_key` names the message so a reply to it can be traced (Outbound.key)."""
        return Outbound(
            channel=self.inbound.channel,
            chat_id=self.inbound.chat_id,
            text=text,
            buttons=buttons,
            request_location=request_location,
            remove_keyboard=remove_keyboard,
            ticket_ref=ticket_ref,
            key=message_key,
            location_label=t(self.lang, "button.share_location") if request_location else "",
            follow_up=t(self.lang, "follow_up.location" if request_location else "follow_up")
            if buttons
            else "",
            choose_label=t(self.lang, "button.choose") if buttons else "",
        )

    def toast(self, text: str = "") -> Outbound:
        """The answer to a tap (a short notice by the button); needs `inbound.callback_id`."""
        return Outbound(
            channel=self.inbound.channel,
            chat_id=self.inbound.chat_id,
            kind=OutboundKind.CALLBACK_ANSWER,
            callback_id=self.inbound.callback_id,
            text=text,
        )

    def answer_tap(self, text: str = "") -> list[Outbound]:
        """Stop the tapped button's spinner and take the buttons off that message."""
        out: list[Outbound] = []
        inbound = self.inbound
        if inbound.callback_id:
            out.append(self.toast(text))
        if inbound.reply_to_message_id:
            out.append(
                Outbound(
                    channel=inbound.channel,
                    chat_id=inbound.chat_id,
                    kind=OutboundKind.CLEAR_BUTTONS,
                    target_message_id=inbound.reply_to_message_id,
                )
            )
        return out
