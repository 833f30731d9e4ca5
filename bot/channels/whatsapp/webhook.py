"""The WhatsApp webhook: Meta's signature and subscription check, and one POST split into items.

`X-Hub-Signature-256` is checked over the raw body before the JSON is read (see
bot/web/routes.py); a missing header is 401, a wrong one 403, as pywa does. Then `inbox_items`
splits one POST into one inbox item per message (keyed by its wamid) and per status (keyed by
wamid and status): Meta batches several residents' messages into one request, and each must be
stored, deduplicated and processed on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from bot.channels.base import InboxItem
from bot.channels.whatsapp.payload import dicts, obj, string

log = logging.getLogger(__name__)

CHANNEL: Final = "whatsapp"
SIGNATURE_HEADER: Final = "X-Hub-Signature-256"


def check_signature(body: bytes, header: str | None, secret: str) -> bool:
    """`sha256=<hex>` must be the HMAC-SHA256 of the raw body under the app secret.

    Meta documents the prefix; a bare hex digest is refused, so no second format is accepted.
    """
    if not header or not secret:
        return False
    scheme, sep, given = header.strip().partition("=")
    if scheme != "sha256" or not sep:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(given.encode(), expected.encode())


def verify_challenge(query: Mapping[str, str], verify_token: str | None) -> str | None:
    """The challenge to echo when Meta's subscription check carries our verify token."""
    token = query.get("hub.verify_token")
    if query.get("hub.mode") != "subscribe" or not token or not verify_token:
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    return query.get("hub.challenge", "")


@dataclass
class Split:
    """What one webhook POST holds: items to store, and what was skipped on purpose."""

    items: list[InboxItem] = field(default_factory=list)
    errors: int = 0  # system-level `errors` (rate limits, app problems): logged only
    ignored: int = 0  # contacts-only changes, other webhook fields, unreadable entries


def inbox_items(payload: Mapping[str, Any]) -> Split:
    """One item per message and per status, each carrying what parsing it needs."""
    split = Split()
    if payload.get("object") != "whatsapp_business_account":
        split.ignored += 1
        return split
    for entry in dicts(payload.get("entry")):
        for change in dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                split.ignored += 1  # template status, account updates...: not Lapor's business
                continue
            _split_value(value, split)
    return split


def _split_value(value: dict[str, Any], split: Split) -> None:
    metadata = obj(value.get("metadata"))
    contacts = list(dicts(value.get("contacts")))
    found = False
    for message in dicts(value.get("messages")):
        found = True
        wamid = string(message.get("id"))
        if not wamid:
            split.ignored += 1
            log.warning("whatsapp: message without an id skipped (type %s)", message.get("type"))
            continue
        contact = _contact(
            contacts, string(message.get("from")), string(message.get("from_user_id"))
        )
        who = string(contact.get("wa_id")) or string(message.get("from"))
        who = who or string(message.get("from_user_id")) or string(contact.get("user_id"))
        body = {"metadata": metadata, "contacts": [contact] if contact else [], "message": message}
        split.items.append(InboxItem(CHANNEL, wamid, _chat_key(who), body))
    for status in dicts(value.get("statuses")):
        found = True
        wamid, state = string(status.get("id")), string(status.get("status"))
        if not wamid or not state:
            split.ignored += 1
            continue
        recipient = string(status.get("recipient_id")) or string(status.get("recipient_user_id"))
        contact = _contact(contacts, recipient, string(status.get("recipient_user_id")))
        body = {"metadata": metadata, "contacts": [contact] if contact else [], "status": status}
        split.items.append(
            InboxItem(CHANNEL, f"status:{wamid}:{state}", _chat_key(recipient), body)
        )
    for error in dicts(value.get("errors")):
        found = True
        split.errors += 1
        log.warning(
            "whatsapp: system-level error %s %s: %s",
            error.get("code"),
            error.get("title"),
            obj(error.get("error_data")).get("details"),
        )
    if not found:
        split.ignored += 1  # e.g. a contacts-only change: nothing happened that needs an answer


def _chat_key(who: str) -> str:
    return f"{CHANNEL}:{who or 'misc'}"


def _contact(contacts: list[dict[str, Any]], wa_id: str, user_id: str) -> dict[str, Any]:
    """The `contacts` entry of this sender; the only one when ids do not say."""
    for contact in contacts:
        if (wa_id and contact.get("wa_id") == wa_id) or (
            user_id and contact.get("user_id") == user_id
        ):
            return contact
    return contacts[0] if len(contacts) == 1 else {}
