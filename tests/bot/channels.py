"""A channel that records what it was asked to send: our own Channel protocol, no library inside."""

from __future__ import annotations

from typing import Any

from bot.channels.base import Inbound, Outbound, OutboundKind, SendError


class RecordingChannel:
    """Parses stored `Inbound` JSON; sends into a list, or raises the errors a test queues."""

    def __init__(self, name: str = "test") -> None:
        self.name = name
        self.sent: list[Outbound] = []
        self.errors: list[SendError] = []

    async def parse(self, payload: dict[str, Any]) -> list[Inbound]:
        return [Inbound.from_json(payload)]

    async def send(self, out: Outbound) -> str | None:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(out)
        if out.kind is OutboundKind.EDIT and out.target_message_id:
            return out.target_message_id  # edited in place, as Telegram does
        return f"m{len(self.sent)}"


class ReposterChannel(RecordingChannel):
    """A channel without edits (WhatsApp): an edit arrives as a new message with a new id."""

    async def send(self, out: Outbound) -> str | None:
        await RecordingChannel.send(self, out)
        return f"m{len(self.sent)}"
