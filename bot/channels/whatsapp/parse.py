"""Stored WhatsApp items in, `Inbound` out: messages and statuses.

Parsing never raises on odd input: a payload Lapor cannot read becomes one IGNORED `Inbound`.
Only a database failure while storing a photo escapes, so that the inbox retries the update.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

from bot.channels.base import Inbound, InboundKind, Location
from bot.channels.whatsapp.payload import base_type, dicts, obj, string
from bot.channels.whatsapp.webhook import CHANNEL

# Codes of a `failed` status (asynchronous) after which sending the same message again may work.
RETRYABLE_STATUS_CODES: Final = frozenset({130429, 131056, 131000, 131016, 131053})
# Types that are not a resident talking to Lapor: number changes, first-open events.
_IGNORED_TYPES = frozenset({"system", "request_welcome", "ephemeral", "errors"})

FetchPhoto = Callable[[dict[str, Any], dict[str, Any]], Awaitable[Inbound]]


async def from_message(payload: dict[str, Any], photo: FetchPhoto) -> Inbound:
    """A resident's message; `photo` downloads and keeps a picture (it needs the Graph client)."""
    message: dict[str, Any] = payload["message"]
    contacts = dicts(payload.get("contacts"))
    common = common_fields(message, contacts[0] if contacts else {})
    if not common["user_id"]:
        raise ValueError("a message from nobody")  # no one to answer, no resident to find
    kind = string(message.get("type"))
    if kind == "text":
        # Commands typed as words ("menu", "status KDR-26-000123") are read by the handlers,
        # the same on every channel (handlers/wording.py).
        text = string((message.get("text") or {}).get("body"))
        return Inbound(**common, kind=InboundKind.TEXT, text=text)
    if kind == "location":
        return Inbound(**common, kind=InboundKind.LOCATION, location=_location(message))
    if kind == "image":
        return await photo(common, message["image"])
    if kind == "document" and base_type(message["document"].get("mime_type")).startswith("image/"):
        return await photo(common, message["document"])  # a photo sent as a file
    if kind == "interactive":
        return _interactive_reply(common, message["interactive"])
    if kind == "button":  # a template's quick-reply button
        data = message["button"].get("payload") or message["button"].get("text")
        return Inbound(**common, kind=InboundKind.BUTTON, button=string(data) or None)
    if kind in _IGNORED_TYPES:
        return Inbound(**common, kind=InboundKind.IGNORED)
    if kind == "reaction" and not (message.get("reaction") or {}).get("emoji"):
        return Inbound(**common, kind=InboundKind.IGNORED)  # a reaction taken back
    # Voice notes, stickers, videos, documents, contact cards, polls, and types newer
    # than this adapter: the resident sent something, and should learn what works.
    return Inbound(**common, kind=InboundKind.UNSUPPORTED)


def common_fields(message: dict[str, Any], contact: dict[str, Any]) -> dict[str, Any]:
    """Who wrote and where answers go: the phone number when shown, else the BSUID.

    With both, the phone number stays the resident's id (as before usernames existed) and the
    BSUID rides along as an alias, so a later username-only message finds the same resident.
    """
    wa_id = string(contact.get("wa_id")) or string(message.get("from"))
    bsuid = string(message.get("from_user_id")) or string(contact.get("user_id"))
    user_id = wa_id or bsuid
    profile = obj(contact.get("profile"))
    context = obj(message.get("context"))
    return {
        "channel": CHANNEL,
        "chat_id": user_id,
        "user_id": user_id,
        "aliases": (bsuid,) if wa_id and bsuid and bsuid != wa_id else (),
        "user_name": string(profile.get("name")) or None,
        "message_id": string(message.get("id")) or None,
        "reply_to_message_id": string(context.get("id")) or None,
        "external_id": string(message.get("id")) or None,
    }


def _location(message: dict[str, Any]) -> Location:
    where = message["location"]
    lat, lon = where.get("latitude"), where.get("longitude")
    place = ", ".join(x for x in (string(where.get("name")), string(where.get("address"))) if x)
    return Location(
        float(lat) if isinstance(lat, int | float) else None,
        float(lon) if isinstance(lon, int | float) else None,
        place or None,
    )


def _interactive_reply(common: dict[str, Any], interactive: dict[str, Any]) -> Inbound:
    """A tapped reply button or a picked list row: its id is the button data Lapor sent."""
    kind = string(interactive.get("type"))
    reply = interactive.get(kind) if kind in ("button_reply", "list_reply") else None
    if not isinstance(reply, dict) or not string(reply.get("id")):
        return Inbound(**common, kind=InboundKind.UNSUPPORTED)  # flow replies and newer kinds
    return Inbound(**common, kind=InboundKind.BUTTON, button=string(reply["id"]))


def from_status(status: dict[str, Any]) -> Inbound:
    """What became of a message we sent; `reply_to_message_id` names it by wamid."""
    wamid, state = string(status["id"]), string(status["status"])
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
