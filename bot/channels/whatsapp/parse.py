"""Stored WhatsApp items in, `Inbound` out: messages and statuses.

Every value that reaches an `Inbound` is read through `bot/channels/checked.py`: a wrong-typed
field is `Unreadable` (the inbox marks the row and answers nothing). Anything else that escapes
is a bug of ours or a database failure while storing a photo, and the inbox retries it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

from bot.channels import checked
from bot.channels.base import Inbound, InboundKind, Location, Unreadable
from bot.channels.whatsapp.payload import base_type, dicts, obj, string
from bot.channels.whatsapp.webhook import CHANNEL

# Codes of a `failed` status (asynchronous) after which sending the same message again may work.
RETRYABLE_STATUS_CODES: Final = frozenset({130429, 131056, 131000, 131016, 131053})
# Types that are not a resident talking to Lapor: number changes, first-open events.
_IGNORED_TYPES = frozenset({"system", "request_welcome", "ephemeral", "errors"})
_READ = frozenset({"text", "location", "image", "document", "interactive", "button", "reaction"})

FetchPhoto = Callable[[dict[str, Any], dict[str, Any]], Awaitable[Inbound]]


async def from_message(payload: dict[str, Any], photo: FetchPhoto) -> Inbound:
    """A resident's message; `photo` downloads and keeps a picture (it needs the Graph client)."""
    message = checked.mapping(payload.get("message"), "message")
    contacts = dicts(payload.get("contacts"))
    common = common_fields(message, contacts[0] if contacts else {})
    if not common["user_id"]:
        raise Unreadable("a message from nobody")  # no one to answer, no resident to find
    kind = checked.optional_text(message.get("type"), "message.type") or ""
    # The object under the type's name, for the types read here ("contacts" is a list, etc.)
    content = checked.mapping(message.get(kind), f"message.{kind}") if kind in _READ else {}
    if kind == "text":
        # Commands typed as words ("menu", "status KDR-26-000123") are read by the handlers,
        # the same on every channel (handlers/wording.py).
        text = checked.text(content.get("body"), "message.text.body")
        return Inbound(**common, kind=InboundKind.TEXT, text=text)
    if kind == "location":
        return Inbound(**common, kind=InboundKind.LOCATION, location=_location(content))
    if kind == "image":
        return await photo(common, content)
    mime_type = checked.optional_text(content.get("mime_type"), f"message.{kind}.mime_type")
    if kind == "document" and base_type(mime_type).startswith("image/"):
        return await photo(common, content)  # a photo sent as a file
    if kind == "interactive":
        return _interactive_reply(common, content)
    if kind == "button":  # a template's quick-reply button
        data = checked.optional_text(content.get("payload"), "message.button.payload")
        data = data or checked.optional_text(content.get("text"), "message.button.text")
        return Inbound(**common, kind=InboundKind.BUTTON, button=data or None)
    if kind in _IGNORED_TYPES:
        return Inbound(**common, kind=InboundKind.IGNORED)
    if kind == "reaction" and not content.get("emoji"):
        return Inbound(**common, kind=InboundKind.IGNORED)  # a reaction taken back
    # Voice notes, stickers, videos, documents, contact cards, polls, and types newer
    # than this adapter: the resident sent something, and should learn what works.
    return Inbound(**common, kind=InboundKind.UNSUPPORTED)


def common_fields(message: dict[str, Any], contact: dict[str, Any]) -> dict[str, Any]:
    """Who wrote and where answers go: the phone number when shown, else the BSUID.

    With both, the phone number stays the resident's id (as before usernames existed) and the
    BSUID rides along as an alias, so a later username-only message finds the same resident.
    """
    wa_id = checked.optional_text(contact.get("wa_id"), "contacts.wa_id")
    wa_id = wa_id or checked.optional_text(message.get("from"), "message.from") or ""
    bsuid = checked.optional_text(message.get("from_user_id"), "message.from_user_id")
    bsuid = bsuid or checked.optional_text(contact.get("user_id"), "contacts.user_id") or ""
    user_id = wa_id or bsuid
    profile = checked.mapping(contact.get("profile"), "contacts.profile")
    context = checked.mapping(message.get("context"), "message.context")
    message_id = checked.optional_text(message.get("id"), "message.id") or None
    return {
        "channel": CHANNEL,
        "chat_id": user_id,
        "user_id": user_id,
        "aliases": (bsuid,) if wa_id and bsuid and bsuid != wa_id else (),
        "user_name": checked.optional_text(profile.get("name"), "contacts.profile.name") or None,
        "message_id": message_id,
        "reply_to_message_id": checked.optional_text(context.get("id"), "message.context.id")
        or None,
        "external_id": message_id,
    }


def _location(where: dict[str, Any]) -> Location:
    lat = checked.optional_number(where.get("latitude"), "message.location.latitude")
    lon = checked.optional_number(where.get("longitude"), "message.location.longitude")
    if (lat is not None and not -90 <= lat <= 90) or (lon is not None and not -180 <= lon <= 180):
        raise Unreadable("message.location is not on Earth")
    name = checked.optional_text(where.get("name"), "message.location.name")
    address = checked.optional_text(where.get("address"), "message.location.address")
    place = ", ".join(x for x in (name, address) if x)
    return Location(lat, lon, place or None)


def _interactive_reply(common: dict[str, Any], interactive: dict[str, Any]) -> Inbound:
    """A tapped reply button or a picked list row: its id is the button data Lapor sent."""
    kind = checked.optional_text(interactive.get("type"), "message.interactive.type")
    if kind not in ("button_reply", "list_reply"):
        return Inbound(**common, kind=InboundKind.UNSUPPORTED)  # flow replies and newer kinds
    reply = checked.mapping(interactive.get(kind), f"message.interactive.{kind}")
    data = checked.optional_text(reply.get("id"), f"message.interactive.{kind}.id")
    if not data:
        return Inbound(**common, kind=InboundKind.UNSUPPORTED)
    return Inbound(**common, kind=InboundKind.BUTTON, button=data)


def from_status(status: dict[str, Any]) -> Inbound:
    """What became of a message we sent; `reply_to_message_id` names it by wamid."""
    wamid = checked.text(status.get("id"), "status.id")
    state = checked.text(status.get("status"), "status.status")
    if not wamid or not state:
        raise Unreadable("a status without its message id or state")
    recipient = string(status.get("recipient_id")) or string(status.get("recipient_user_id"))
    errors = dicts(status.get("errors"))
    code, detail = None, None
    if errors:
        first = errors[0]
        code = str(first.get("code")) if first.get("code") is not None else None
        details = obj(first.get("error_data")).get("details")
        detail = f"whatsapp {code} {first.get('title') or first.get('message') or ''}".strip()
        if details:
            detail += f": {details}"
    return Inbound(
        channel=CHANNEL,
        chat_id=recipient,
        user_id=recipient,
        kind=InboundKind.DELIVERY,
        status=state,
        reply_to_message_id=wamid,
        error_code=code,
        error_detail=detail,
        error_retryable=code is not None and code.isdigit() and int(code) in RETRYABLE_STATUS_CODES,
        external_id=f"status:{wamid}:{state}",
    )


def ignored(payload: dict[str, Any]) -> Inbound:
    message = obj(payload.get("message"))
    who = string(message.get("from")) or string(message.get("from_user_id"))
    return Inbound(
        channel=CHANNEL,
        chat_id=who,
        user_id=who,
        kind=InboundKind.IGNORED,
        external_id=string(message.get("id")) or None,
    )
