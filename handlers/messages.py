"""Channel-agnostic messages: what adapters hand to handlers and what handlers ask them to send.

They live in `handlers/` (not `bot/channels/`) because imports go one way, bot -> handlers:
handlers must be able to name these types without knowing any channel exists.
Both are plain dataclasses that round-trip through JSON, so an `Outbound` can wait in the
outbox table and an `Inbound` can be rebuilt from a stored inbox row.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any


class InboundKind(enum.StrEnum):
    TEXT = "text"
    COMMAND = "command"  # "/start", "/status KDR-26-000001"; WhatsApp keywords map here too
    LOCATION = "location"
    PHOTO = "photo"
    BUTTON = "button"  # an inline/reply button was tapped; `button` holds its data
    UNSUPPORTED = "unsupported"  # sticker, voice, document...: the resident gets a hint
    IGNORED = "ignored"  # update types Lapor does not use (edits, membership, statuses)
    BLOCKED = "blocked"  # the resident blocked the bot: stop sending to that chat
    DELIVERY = "delivery"  # a channel reports what became of a message we sent (WhatsApp statuses)


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None  # a typed address or the name of a picked place


# A picture Lapor keeps itself (`media_file` row 42 is "media:42") can be sent on every
# channel; any other id is the channel's own and only good there.
STORED_MEDIA_PREFIX = "media:"


def sendable_on(media: str, channel: str, source: str) -> bool:
    """Whether a picture from `source` can be sent to someone on `channel`."""
    return media.startswith(STORED_MEDIA_PREFIX) or channel == source


@dataclass(frozen=True, slots=True)
class Media:
    """A picture the resident sent: the channel's own id; bytes are fetched by the adapter."""

    file_id: str
    mime_type: str | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    """One thing a person did on a channel, reduced to what handlers need."""

    channel: str  # "telegram", "whatsapp", "console", "webchat"
    chat_id: str  # where answers go (private chat or staff group)
    user_id: str  # the sender's identity on that channel (stable per person)
    kind: InboundKind
    text: str | None = None  # text, or the caption of a photo
    command: str | None = None  # without slash or bot suffix, lower case: "start", "status"
    args: str = ""  # what follows the command
    location: Location | None = None
    media: tuple[Media, ...] = ()
    button: str | None = None  # data of the tapped button
    callback_id: str | None = None  # to answer a tap (Telegram callback query id)
    message_id: str | None = None  # the channel's id of this message
    reply_to_message_id: str | None = None  # the bot message this one replies to / was tapped on
    user_name: str | None = None  # display name; personal data: never logged or shown to staff
    language: str | None = None  # IETF code the channel reports, e.g. "id", "en"
    is_group: bool = False
    thread_id: int | None = None  # forum topic in a staff supergroup
    external_id: str | None = None  # dedupe key (update_id, wamid)
    status: str | None = None  # DELIVERY: sent, delivered, read, failed
    error_code: str | None = None  # DELIVERY: the channel's error code when failed
    error_detail: str | None = None  # DELIVERY: what the channel says went wrong, for operators
    error_retryable: bool = False  # DELIVERY: the channel says sending again may work
    aliases: tuple[str, ...] = ()  # other ids of the same person on this channel (WhatsApp BSUID)

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Inbound:
        data = dict(data)
        data["kind"] = InboundKind(data["kind"])
        if data.get("location") is not None:
            data["location"] = Location(**data["location"])
        data["media"] = tuple(Media(**m) for m in data.get("media", ()))
        data["aliases"] = tuple(data.get("aliases", ()))
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Button:
    label: str  # what the person reads; WhatsApp cuts reply buttons at 20 characters
    data: str  # what comes back in `Inbound.button`; at most 64 bytes (Telegram)


class OutboundKind(enum.StrEnum):
    MESSAGE = "message"
    CALLBACK_ANSWER = "callback_answer"  # a short toast answering a button tap
    CLEAR_BUTTONS = "clear_buttons"  # remove the buttons of an earlier bot message
    # Replace the text and buttons of the message sent earlier under `edit_key` (a ticket card
    # edited in place). A channel without edits (WhatsApp) sends it as a new message.
    EDIT = "edit"
    PHOTO = "photo"  # one picture: `media` (a stored `media:<id>` or the channel's file id)
    LOCATION = "location"  # a map pin at `latitude`, `longitude`; `text` names the place
    # Forum topics in a staff supergroup: OPEN_TOPIC creates one named `text` and records its
    # thread under `key`; CLOSE_TOPIC / REOPEN_TOPIC act on the topic named by `thread_key`.
    OPEN_TOPIC = "open_topic"
    CLOSE_TOPIC = "close_topic"
    REOPEN_TOPIC = "reopen_topic"


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message a handler wants sent; the outbox keeps it until the channel took it."""

    channel: str
    chat_id: str
    text: str = ""
    kind: OutboundKind = OutboundKind.MESSAGE
    buttons: tuple[tuple[Button, ...], ...] = ()  # rows of choice buttons
    request_location: bool = False  # offer a "share my location" button
    remove_keyboard: bool = False  # take away a location keyboard shown earlier
    thread_id: int | None = None
    reply_to_message_id: str | None = None
    callback_id: str | None = None  # for CALLBACK_ANSWER
    target_message_id: str | None = None  # for CLEAR_BUTTONS
    ticket_ref: str | None = None  # which ticket it is about, for delivery tracking
    purpose: str | None = None  # e.g. "status_update": WhatsApp may need a template outside 24h
    params: dict[str, str] = field(default_factory=dict)  # template parameters, if any
    # Send as the channel's approved template for this purpose (WhatsApp outside the 24-hour
    # window, see handlers/window.py); the adapter maps it to a template name and language.
    template: str | None = None
    # Messages name each other by key, because a handler decides before anything is sent and
    # so never knows a channel's message ids. `key` names what this row sends (unique within a
    # chat, e.g. "card:KDR-26-000123"); the dispatcher records the channel's id for it and, at
    # send time, resolves the other three to the ids recorded for those keys in the same chat.
    key: str | None = None
    edit_key: str | None = None  # EDIT: which message to replace
    reply_key: str | None = None  # answer in reply to that message (-> reply_to_message_id)
    thread_key: str | None = None  # post in the forum topic opened under that key (-> thread_id)
    media: str | None = None  # PHOTO: which picture
    # PHOTO: the line sent with `text` instead when the picture cannot be had (a resident's
    # WhatsApp photo Graph no longer hands out): the officers still get the message, not a
    # dead letter. Empty: a picture that cannot be sent is a failure like any other.
    photo_missing: str = ""
    latitude: float | None = None  # LOCATION
    longitude: float | None = None
    # Words the channel shows on its own controls, from the message catalogue (adapters hold
    # no texts): the share-location button, the short message that carries choice buttons
    # when a channel cannot put them on the same message as the location request, and the
    # button that opens a list of choices.
    location_label: str = ""
    follow_up: str = ""
    choose_label: str = ""  # the button that opens a list of four or more choices (WhatsApp)

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outbound:
        data = dict(data)
        data["kind"] = OutboundKind(data.get("kind", OutboundKind.MESSAGE))
        data["buttons"] = tuple(tuple(Button(**b) for b in row) for row in data.get("buttons", ()))
        return cls(**data)


def _to_json(obj: Any) -> dict[str, Any]:
    """What `dataclasses.asdict` gives, without deep-copying every string and number.

    `asdict` deep-copies each leaf; these messages hold only immutable leaves, and a sweep
    that writes a thousand alerts spent most of its time there.
    """
    return {name: _plain(getattr(obj, name)) for name in _field_names(type(obj))}


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


_LEAVES = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _LEAVES or isinstance(value, enum.Enum):
        return value
    if isinstance(value, (tuple, list)):
        return kind(_plain(item) for item in value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _to_json(value)
    return value
