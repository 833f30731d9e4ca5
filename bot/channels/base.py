"""What every channel adapter provides, and how a failed send is described."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from handlers.messages import Button, Inbound, InboundKind, Location, Media, Outbound, OutboundKind

__all__ = [
    "SENDING",
    "Button",
    "Channel",
    "Inbound",
    "InboundKind",
    "InboxItem",
    "Location",
    "Media",
    "MediaHolder",
    "Outbound",
    "OutboundKind",
    "PartLog",
    "SendError",
    "StartError",
    "Unreadable",
]


class StartError(Exception):
    """A channel cannot start. The message is one plain line for the admin: what failed and what
    to check, never a secret; `lapor serve` prints it instead of a traceback."""


class SendError(Exception):
    """A send that did not go through; the outbox decides what to do from these fields only.

    `retryable` False means the channel will never accept it (bad request, blocked bot): the
    row is dead-lettered at once. `retry_after` (seconds) is the channel's own wish (HTTP 429).
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        blocked: bool = False,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.blocked = blocked  # the person blocked the bot: write to them again only once they do


class Unreadable(Exception):
    """A stored update the adapter cannot read (wrong types, missing fields): no retry can help.

    Raised by `Channel.parse` for bad input only, never for Lapor's own bugs; the inbox keeps
    the row, marked with the reason, and answers nothing.
    """


class PartLog:
    """The parts of one outbox row the channel has already accepted (a long text in several
    messages, a location request and its buttons' follow-up), so a retry sends only the rest.

    The dispatcher puts one in `SENDING` around each send; an adapter that sends an `Outbound`
    as several channel messages asks `delivered(i)` before part `i` and calls `sent(i, id)`
    after it (all but the last: the row is marked sent after that one).
    """

    def __init__(
        self,
        done: int = 0,
        last_id: str | None = None,
        record: Callable[[int, str | None], Awaitable[None]] | None = None,
    ) -> None:
        self.done = done
        self.last_id = last_id
        self._record = record

    def delivered(self, part: int) -> bool:
        return part < self.done

    async def sent(self, part: int, message_id: str | None) -> None:
        self.done, self.last_id = part + 1, message_id
        if self._record is not None:
            await self._record(self.done, message_id)


SENDING: ContextVar[PartLog | None] = ContextVar("lapor_sending", default=None)


def part_log() -> PartLog:
    """The current send's record of parts (a blank one outside the dispatcher)."""
    return SENDING.get() or PartLog()


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One update to store: the channel's id (dedupe key), its chat (ordering), the payload."""

    channel: str
    external_id: str
    chat_key: str
    payload: dict[str, Any]
    # the payload's JSON exactly as received, when the payload is the whole body: stored as it
    # is (re-serialising it was a good part of an acknowledgement's cost)
    raw: str | None = None


class Channel(Protocol):
    """An adapter. `parse` may do I/O (WhatsApp media download) and runs outside any transaction."""

    name: str

    async def parse(self, payload: dict[str, Any]) -> list[Inbound]: ...

    async def send(self, out: Outbound) -> str | None:
        """Send one message; return the channel's id of what was sent, or raise `SendError`."""
        ...


@runtime_checkable
class MediaHolder(Protocol):
    """A channel whose own picture ids no other channel can send (WhatsApp's media ids): it
    fetches such a picture into the media store when another channel has to send it."""

    name: str

    async def fetch_media(self, media: str) -> str | None:
        """The picture as a stored `media:<id>`; None when `media` is not one of this channel's
        ids; `SendError` when it cannot be had now (retryable) or ever."""
        ...
