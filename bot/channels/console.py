"""The console channel behind `lapor chat`: the whole dialog in a terminal, with no token.

It is the third adapter and the proof that handlers are channel-free: what a resident types
goes through the same inbox, handlers and outbox as a Telegram update. Buttons show as numbered
choices; typing the number taps the button.
"""

from __future__ import annotations

import itertools
import re
from typing import Any, TextIO

from bot.channels.base import (
    Button,
    Inbound,
    InboundKind,
    InboxItem,
    Location,
    Media,
    Outbound,
    OutboundKind,
)

CHAT_ID = "console"
_LOCATION = re.compile(
    r"^\s*(?:lokasi|location)\s+(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$", re.I
)
_PHOTO = re.compile(r"^\s*(?:foto|photo)(?:\s+(.*))?$", re.I)


class ConsoleChannel:
    name = "console"

    def __init__(self, out: TextIO, *, user_id: str = "console-user", language: str = "id") -> None:
        self._out = out
        self._user_id = user_id
        self._language = language
        self._choices: list[Button] = []
        self._choices_message: str | None = None
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1)

    def inbox_item(self, line: str) -> InboxItem:
        """Turn a typed line into a stored update, as a webhook would."""
        inbound = self.read(line)
        return InboxItem(
            self.name, inbound.external_id or "", f"console:{CHAT_ID}", inbound.to_json()
        )

    def read(self, line: str) -> Inbound:
        n = next(self._ids)
        common: dict[str, Any] = {
            "channel": self.name,
            "chat_id": CHAT_ID,
            "user_id": self._user_id,
            "language": self._language,
            "message_id": f"in-{n}",
            "external_id": f"{self._user_id}-{n}-{id(self)}",
        }
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self._choices):
            button = self._choices[int(text) - 1]
            return Inbound(
                kind=InboundKind.BUTTON,
                button=button.data,
                callback_id=f"cb-{n}",
                reply_to_message_id=self._choices_message,
                **common,
            )
        if text.startswith("/"):
            command, _, args = text[1:].partition(" ")
            return Inbound(
                kind=InboundKind.COMMAND,
                text=text,
                command=command.lower(),
                args=args.strip(),
                **common,
            )
        if match := _LOCATION.match(text):
            lat, lon = float(match.group(1)), float(match.group(2))
            return Inbound(kind=InboundKind.LOCATION, location=Location(lat, lon), **common)
        if match := _PHOTO.match(text):
            media = (Media(file_id=f"console-photo-{n}", mime_type="image/jpeg"),)
            return Inbound(kind=InboundKind.PHOTO, media=media, text=match.group(1), **common)
        return Inbound(kind=InboundKind.TEXT, text=text, **common)

    async def parse(self, payload: dict[str, Any]) -> list[Inbound]:
        return [Inbound.from_json(payload)]

    async def send(self, out: Outbound) -> str | None:
        if out.kind is OutboundKind.CALLBACK_ANSWER:
            if out.text:
                self._out.write(f"  ({out.text})\n")
            return None
        if out.kind is OutboundKind.CLEAR_BUTTONS:
            if out.target_message_id == self._choices_message:
                self._choices = []
            return None
        if out.kind in (
            OutboundKind.OPEN_TOPIC,
            OutboundKind.CLOSE_TOPIC,
            OutboundKind.REOPEN_TOPIC,
        ):
            return None  # a terminal has no forum topics
        message_id = f"out-{next(self._message_ids)}"
        # An EDIT is printed anew: a terminal cannot change what it already printed.
        self._out.write(f"\nLapor: {self._body(out)}\n")
        if out.request_location:
            # the console's way to share a pin (see `lapor chat` intro in bot/cli/notices.py)
            self._out.write(f"  [{out.location_label}]  lokasi -7.8165,112.0115\n")
        choices = [button for row in out.buttons for button in row]
        if choices:
            self._choices, self._choices_message = choices, message_id
            for i, button in enumerate(choices, 1):
                self._out.write(f"  [{i}] {button.label}\n")
        self._out.flush()
        return message_id

    @staticmethod
    def _body(out: Outbound) -> str:
        if out.kind is OutboundKind.PHOTO:
            return f"🖼 {out.media} {out.text}".rstrip()
        if out.kind is OutboundKind.LOCATION:
            return f"📍 {out.latitude},{out.longitude} {out.text}".rstrip()
        return out.text
