"""`Outbound` in, Graph message bodies out: texts cut to size, reply buttons or lists, templates,
pictures and map pins.

Sending raises only `SendError`; a message WhatsApp would refuse (empty, no template
configured, a control without its words) is refused here, before any request. The words on
WhatsApp's own controls (the list button, the message carrying choices) come from the
handlers' catalogue in `Outbound.choose_label` and `follow_up`; none are written here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from bot.channels.base import Button, Outbound, SendError
from bot.channels.text import split_text
from handlers.texts import shorten

log = logging.getLogger(__name__)

MAX_TEXT: Final = 4096  # text.body
MAX_INTERACTIVE_BODY: Final = 1024  # interactive body.text
MAX_BUTTONS: Final = 3  # reply buttons per message
MAX_BUTTON_TITLE: Final = 20
MAX_ROWS: Final = 10  # list rows, over all sections
MAX_ROW_TITLE: Final = 24
MAX_ROW_DESCRIPTION: Final = 72
MAX_CAPTION: Final = 1024  # image.caption
MAX_PLACE_NAME: Final = 1000  # location.name
_BSUID = re.compile(r"^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$")


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    language: str


def render(out: Outbound, templates: Mapping[str, Template]) -> list[dict[str, Any]]:
    """The message bodies (without the recipient) that carry one `Outbound`, in order."""
    if out.template is not None:
        return [_template(out, templates)]
    buttons = [b for row in out.buttons for b in row]
    parts = split_text(out.text, MAX_TEXT)
    if not buttons and not out.request_location:
        if not parts:
            raise SendError("whatsapp: refusing to send an empty text", retryable=False)
        return [_text(p) for p in parts]
    # An interactive message's body is shorter than a text: what does not fit goes before it.
    lead, body = parts[:-1], parts[-1] if parts else ""
    if len(body) > MAX_INTERACTIVE_BODY:
        pieces = split_text(body, MAX_INTERACTIVE_BODY)
        lead, body = lead + pieces[:-1], pieces[-1]
    bodies = [_text(p) for p in lead]
    if out.request_location:
        bodies.append(_location_request(body or _label(out.follow_up, "follow_up")))
        if buttons:
            bodies.append(_choices(_label(out.follow_up, "follow_up"), buttons, out.choose_label))
    else:
        body = body or _label(out.follow_up, "follow_up")
        bodies.append(_choices(body, buttons, out.choose_label))
    return bodies


def image(media_id: str, caption: str) -> dict[str, Any]:
    """A picture already uploaded to Graph (or a resident's own media id)."""
    content: dict[str, Any] = {"id": media_id}
    parts = split_text(caption, MAX_CAPTION, max_parts=1)
    if parts:
        content["caption"] = parts[0]
    return {"type": "image", "image": content}


def location(out: Outbound) -> dict[str, Any]:
    """A map pin; `text` names the place."""
    if out.latitude is None or out.longitude is None:
        raise SendError("whatsapp: location without coordinates", retryable=False)
    content: dict[str, Any] = {"latitude": out.latitude, "longitude": out.longitude}
    parts = split_text(out.text, MAX_PLACE_NAME, max_parts=1)
    if parts:
        content["name"] = parts[0]
    return {"type": "location", "location": content}


def _label(value: str, name: str) -> str:
    """Words on WhatsApp's own controls come from the handlers' catalogue, never from here."""
    if not value.strip():
        raise SendError(
            f"whatsapp: the outbound needs its {name} (set by the handler)", retryable=False
        )
    return value


def _text(body: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": body, "preview_url": False}}


def _location_request(body: str) -> dict[str, Any]:
    return {
        "type": "interactive",
        "interactive": {
            "type": "location_request_message",
            "body": {"text": body},
            "action": {"name": "send_location"},
        },
    }


def _choices(body: str, buttons: Sequence[Button], list_label: str = "") -> dict[str, Any]:
    """Up to three reply buttons; four to ten become a list (WhatsApp's only way to offer more)."""
    if len(buttons) <= MAX_BUTTONS:
        titles = _unique([shorten(b.label, MAX_BUTTON_TITLE) for b in buttons], MAX_BUTTON_TITLE)
        action: dict[str, Any] = {
            "buttons": [
                {"type": "reply", "reply": {"id": b.data, "title": title}}
                for b, title in zip(buttons, titles, strict=True)
            ]
        }
        return _interactive("button", body, action)
    if len(buttons) > MAX_ROWS:
        log.warning("whatsapp: %d choices, only the first %d are offered", len(buttons), MAX_ROWS)
        buttons = buttons[:MAX_ROWS]
    titles = _unique([shorten(b.label, MAX_ROW_TITLE) for b in buttons], MAX_ROW_TITLE)
    rows = []
    for button, title in zip(buttons, titles, strict=True):
        row = {"id": button.data, "title": title}
        if title != button.label:  # cut short: the whole label goes underneath
            row["description"] = shorten(button.label, MAX_ROW_DESCRIPTION)
        rows.append(row)
    label = shorten(_label(list_label, "choose_label"), MAX_BUTTON_TITLE)
    action = {"button": label, "sections": [{"rows": rows}]}
    return _interactive("list", body, action)


def _interactive(kind: str, body: str, action: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "interactive",
        "interactive": {"type": kind, "body": {"text": body}, "action": action},
    }


def _unique(titles: list[str], limit: int) -> list[str]:
    """WhatsApp refuses two buttons with the same title: number the repeats."""
    seen: set[str] = set()
    result = []
    for title in titles:
        candidate, n = title, 2
        while candidate in seen:
            suffix = f" {n}"
            candidate = shorten(title, limit - len(suffix)) + suffix
            n += 1
        seen.add(candidate)
        result.append(candidate)
    return result


def _template(out: Outbound, templates: Mapping[str, Template]) -> dict[str, Any]:
    """An approved template; `Outbound.params` fill its placeholders {{1}}, {{2}}... in order."""
    template = templates.get(out.template or "")
    if template is None:
        raise SendError(f"whatsapp: no template configured for {out.template!r}", retryable=False)
    body: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
    if out.params:
        parameters = [{"type": "text", "text": str(v)} for v in out.params.values()]
        body["components"] = [{"type": "body", "parameters": parameters}]
    return {"type": "template", "template": body}


def addressed(body: dict[str, Any], chat_id: str, reply_to: str | None) -> dict[str, Any]:
    """The full request: a phone number goes in `to`, a business-scoped user id in `recipient`."""
    target = {"recipient": chat_id} if _BSUID.match(chat_id) else {"to": chat_id}
    request: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **target,
        **body,
    }
    if reply_to:
        request["context"] = {"message_id": reply_to}
    return request
