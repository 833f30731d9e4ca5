"""The WhatsApp Cloud API adapter: webhook payloads in, `Inbound` out; `Outbound` in, Graph out.

A thin aiohttp client and a parser of plain JSON, no SDK: Lapor owns the webhook (the inbox
stores before it answers) and the retries (the outbox), and what is left is translation.
The same rules as the Telegram adapter:

- Parsing never raises on odd input. A payload Lapor cannot read becomes one IGNORED `Inbound`.
  Only a database failure while storing a photo escapes, so that the inbox retries the update.
- Sending raises only `SendError`, decided by Graph's error *code*, never its text.

Webhook (see `bot/routes.py`): `X-Hub-Signature-256` is checked over the raw body before the
JSON is read; a missing header is 401, a wrong one 403, as pywa does. Then `inbox_items` splits
one POST into one inbox item per message (keyed by its wamid) and per status (keyed by wamid and
status): Meta batches several residents' messages into one request, and each must be stored,
deduplicated and processed on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import aiohttp

from bot.channels.base import (
    Button,
    Inbound,
    InboundKind,
    InboxItem,
    Location,
    Media,
    Outbound,
    OutboundKind,
    SendError,
)
from bot.channels.text import split_text
from bot.config import Settings
from bot.media import IMAGE_TYPES, MAX_IMAGE_BYTES, MediaStore, file_id
from handlers.texts import shorten

__all__ = [
    "CHANNEL",
    "Split",
    "WhatsAppChannel",
    "check_signature",
    "command_of",
    "inbox_items",
    "render",
    "send_error",
    "verify_challenge",
]

log = logging.getLogger(__name__)

CHANNEL: Final = "whatsapp"
SIGNATURE_HEADER: Final = "X-Hub-Signature-256"
MAX_TEXT: Final = 4096  # text.body
MAX_INTERACTIVE_BODY: Final = 1024  # interactive body.text
MAX_BUTTONS: Final = 3  # reply buttons per message
MAX_BUTTON_TITLE: Final = 20
MAX_ROWS: Final = 10  # list rows, over all sections
MAX_ROW_TITLE: Final = 24
MAX_ROW_DESCRIPTION: Final = 72
LIST_BUTTON_LABEL: Final = "Pilih"  # the list's opening button, at most 20 characters
FOLLOW_UP: Final = "Pilih:"
FOLLOW_UP_AFTER_LOCATION: Final = "Atau pilih:"
KEPT_MEDIA_PREFIX: Final = "whatsapp-media:"  # a photo not downloaded: its media id, for later
# Graph error codes. Rate limits: throughput (130429), the same resident too often (131056),
# the app/account's call budget (80007). Waits are used when no Retry-After header comes.
RATE_LIMIT_WAIT: Final[Mapping[int, float]] = {130429: 5.0, 131056: 10.0, 80007: 60.0}
DEFAULT_RATE_LIMIT_WAIT: Final = 30.0
SERVER_CODES: Final = frozenset({1, 2, 131000, 131016})  # "something went wrong", unavailable
RE_ENGAGEMENT: Final = 131047  # more than 24 h since the resident last wrote
TOKEN_INVALID: Final = 190
# Codes of a `failed` status (asynchronous) after which sending the same message again may work.
RETRYABLE_STATUS_CODES: Final = frozenset({130429, 131056, 131000, 131016, 131053})
_BSUID = re.compile(r"^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$")
_REF = re.compile(r"^[A-Za-z]{2,8}-\d{2}-\d{1,9}$")
# Words a resident types instead of slash commands (whole message, any case). WhatsApp has no
# command menu, so these are what the help text teaches; a leading slash is accepted too.
KEYWORDS: Final[Mapping[str, str]] = {
    "menu": "start",
    "mulai": "start",
    "start": "start",
    "bantuan": "bantuan",
    "help": "bantuan",
    "laporanku": "laporanku",
    "laporan saya": "laporanku",
    "batal": "batal",
    "cancel": "batal",
    "status": "status",
    "bahasa": "bahasa",
    "language": "bahasa",
}
_KEYWORD_ARGS: Final[Mapping[str, re.Pattern[str]]] = {
    "status": _REF,
    "bahasa": re.compile(r"^(?:id|en|indonesia|indonesian|english)$", re.I),
}
_COMMAND_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# Types that are not a resident talking to Lapor: number changes, first-open events.
_IGNORED_TYPES = frozenset({"system", "request_welcome", "ephemeral", "errors"})


class MediaRefused(Exception):
    """The resident's file is not a photo Lapor keeps (type or size): they get a hint instead."""


class WhatsAppAuthError(ValueError):
    """Graph refused the access token at start: nothing would ever be sent with it."""


# --- webhook -----------------------------------------------------------------------------


def check_signature(body: bytes, header: str | None, secret: str) -> bool:
    """`sha256=<hex>` must be the HMAC-SHA256 of the raw body under the app secret."""
    if not header or not secret:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    given = header.strip().removeprefix("sha256=")
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
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                split.ignored += 1  # template status, account updates...: not Lapor's business
                continue
            _split_value(value, split)
    return split


def _split_value(value: dict[str, Any], split: Split) -> None:
    metadata = _obj(value.get("metadata"))
    contacts = list(_dicts(value.get("contacts")))
    found = False
    for message in _dicts(value.get("messages")):
        found = True
        wamid = _str(message.get("id"))
        if not wamid:
            split.ignored += 1
            log.warning("whatsapp: message without an id skipped (type %s)", message.get("type"))
            continue
        contact = _contact(contacts, _str(message.get("from")), _str(message.get("from_user_id")))
        who = _str(contact.get("wa_id")) or _str(message.get("from"))
        who = who or _str(message.get("from_user_id")) or _str(contact.get("user_id"))
        body = {"metadata": metadata, "contacts": [contact] if contact else [], "message": message}
        split.items.append(InboxItem(CHANNEL, wamid, _chat_key(who), body))
    for status in _dicts(value.get("statuses")):
        found = True
        wamid, state = _str(status.get("id")), _str(status.get("status"))
        if not wamid or not state:
            split.ignored += 1
            continue
        recipient = _str(status.get("recipient_id")) or _str(status.get("recipient_user_id"))
        contact = _contact(contacts, recipient, _str(status.get("recipient_user_id")))
        body = {"metadata": metadata, "contacts": [contact] if contact else [], "status": status}
        split.items.append(
            InboxItem(CHANNEL, f"status:{wamid}:{state}", _chat_key(recipient), body)
        )
    for error in _dicts(value.get("errors")):
        found = True
        split.errors += 1
        log.warning(
            "whatsapp: system-level error %s %s: %s",
            error.get("code"),
            error.get("title"),
            _obj(error.get("error_data")).get("details"),
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


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _mask(value: object) -> str:
    """Keep the last three characters: enough to match log lines, too little to identify anyone."""
    text = str(value)
    return "***" + text[-3:] if len(text) > 3 else "***"


def command_of(text: str) -> tuple[str, str] | None:
    """(command, args) when the whole message is a keyword or a slash command; else None."""
    stripped = " ".join(text.split())
    if stripped.startswith("/"):
        head, _, args = stripped[1:].partition(" ")
        name = head.partition("@")[0].lower()
        if not _COMMAND_NAME.match(name):
            return None
        return KEYWORDS.get(name, name), args.strip()
    lowered = stripped.lower()
    if lowered in KEYWORDS:
        return KEYWORDS[lowered], ""
    head, _, args = stripped.partition(" ")
    command = KEYWORDS.get(head.lower())
    pattern = _KEYWORD_ARGS.get(command or "")
    if command and pattern and pattern.match(args):
        return command, args
    return None


# --- sending: Outbound -> Graph request bodies ------------------------------------------


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
        bodies.append(_location_request(body or FOLLOW_UP))
        if buttons:
            bodies.append(_choices(FOLLOW_UP_AFTER_LOCATION, buttons))
    else:
        bodies.append(_choices(body or FOLLOW_UP, buttons))
    return bodies


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


def _choices(body: str, buttons: Sequence[Button]) -> dict[str, Any]:
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
    action = {"button": LIST_BUTTON_LABEL, "sections": [{"rows": rows}]}
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


def send_error(status: int, body: Any, retry_after: str | None = None) -> SendError:
    """Graph's answer to a failed call, as the outbox needs it: retry (when) or give up."""
    error = _obj(_obj(body).get("error"))
    code = graph_code(body)
    data = _obj(error.get("error_data"))
    what = f"whatsapp HTTP {status}, code {code}: {error.get('message') or 'no error body'}"
    if data.get("details"):
        what += f" ({data['details']})"
    if status == 429 or code in RATE_LIMIT_WAIT:
        wait = _seconds(retry_after)
        if wait is None:
            wait = RATE_LIMIT_WAIT.get(code or 0, DEFAULT_RATE_LIMIT_WAIT)
        return SendError(what, retryable=True, retry_after=wait)
    if code == RE_ENGAGEMENT:
        what += (
            "; the resident last wrote more than 24 hours ago, and only an approved template "
            "reaches them now"
        )
        return SendError(what, retryable=False)
    if status >= 500 or code in SERVER_CODES:
        return SendError(what, retryable=True)
    if code == TOKEN_INVALID or status == 401:
        log.error("whatsapp: the access token was refused; set a valid WHATSAPP_ACCESS_TOKEN")
    return SendError(what, retryable=False)


def graph_code(body: Any) -> int | None:
    """The `error.code` of a Graph error body, if it has one."""
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _seconds(header: str | None) -> float | None:
    try:
        return max(0.0, float(header)) if header else None
    except ValueError:
        return None


# --- the channel -----------------------------------------------------------------------


class WhatsAppChannel:
    """The Cloud API through one aiohttp session; photos are kept in `media` when given."""

    name = CHANNEL

    def __init__(self, settings: Settings, *, media: MediaStore | None = None) -> None:
        token = settings.whatsapp_access_token
        if token is None or not settings.whatsapp_enabled:
            raise ValueError("WHATSAPP_ACCESS_TOKEN is not set: the WhatsApp channel is off")
        if not settings.whatsapp_phone_number_id:
            raise ValueError("WHATSAPP_PHONE_NUMBER_ID is not set")
        self._token = token.get_secret_value()
        self._phone_number_id = settings.whatsapp_phone_number_id
        self._base = settings.whatsapp_api_base_url.rstrip("/")
        self._media = media
        self._templates = {
            "status_update": Template(
                settings.whatsapp_template_status_update, settings.whatsapp_template_language
            )
        }
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("the WhatsApp channel is not started")
        return self._session

    async def start(self) -> None:
        """Open the HTTP session and ask Graph about our number: a bad token fails here."""
        self._session = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {self._token}"},
            timeout=aiohttp.ClientTimeout(total=30, connect=5, sock_read=20),
        )
        url = f"{self._base}/{self._phone_number_id}"
        try:
            async with self.session.get(url, params={"fields": "display_phone_number"}) as resp:
                body = await _json(resp)
                status = resp.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("whatsapp: Graph API not reachable at start (%s)", type(exc).__name__)
            return
        if status >= 400:
            error = send_error(status, body)
            if status in (401, 403) or graph_code(body) == TOKEN_INVALID:
                await self.stop()
                raise WhatsAppAuthError(str(error))
            log.warning("whatsapp: phone number check failed: %s", error)
            return
        log.info("whatsapp: number %s ready", _mask(body.get("display_phone_number", "")))

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # --- inbound -------------------------------------------------------------------------

    def inbox_items(self, payload: Mapping[str, Any]) -> Split:
        return inbox_items(payload)

    async def parse(self, payload: dict[str, Any]) -> list[Inbound]:
        """One stored item, one `Inbound`; whatever cannot be read is IGNORED, never raised."""
        try:
            if isinstance(payload.get("status"), dict):
                return [_from_status(payload["status"])]
            if isinstance(payload.get("message"), dict):
                return [await self._from_message(payload)]
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            log.warning("whatsapp: unreadable item (keys %s): %r", sorted(payload)[:5], exc)
        return [_ignored(payload)]

    async def _from_message(self, payload: dict[str, Any]) -> Inbound:
        message: dict[str, Any] = payload["message"]
        contacts = _dicts(payload.get("contacts"))
        common = _common(message, contacts[0] if contacts else {})
        if not common["user_id"]:
            raise ValueError("a message from nobody")  # no one to answer, no resident to find
        kind = _str(message.get("type"))
        if kind == "text":
            text = _str((message.get("text") or {}).get("body"))
            command = command_of(text)
            if command is not None:
                name, args = command
                return Inbound(
                    **common, kind=InboundKind.COMMAND, text=text, command=name, args=args
                )
            return Inbound(**common, kind=InboundKind.TEXT, text=text)
        if kind == "location":
            return Inbound(**common, kind=InboundKind.LOCATION, location=_location(message))
        if kind == "image":
            return await self._photo(common, message["image"])
        if kind == "document" and _base_type(message["document"].get("mime_type")).startswith(
            "image/"
        ):
            return await self._photo(common, message["document"])  # a photo sent as a file
        if kind == "interactive":
            return _interactive_reply(common, message["interactive"])
        if kind == "button":  # a template's quick-reply button
            data = message["button"].get("payload") or message["button"].get("text")
            return Inbound(**common, kind=InboundKind.BUTTON, button=_str(data) or None)
        if kind in _IGNORED_TYPES:
            return Inbound(**common, kind=InboundKind.IGNORED)
        if kind == "reaction" and not (message.get("reaction") or {}).get("emoji"):
            return Inbound(**common, kind=InboundKind.IGNORED)  # a reaction taken back
        # Voice notes, stickers, videos, documents, contact cards, polls, and types newer
        # than this adapter: the resident sent something, and should learn what works.
        return Inbound(**common, kind=InboundKind.UNSUPPORTED)

    async def _photo(self, common: dict[str, Any], media: dict[str, Any]) -> Inbound:
        caption = _str(media.get("caption")) or None
        media_id = _str(media.get("id"))
        if not media_id:  # the upload failed on the resident's side ("errors" instead of an id)
            return Inbound(**common, kind=InboundKind.UNSUPPORTED, text=caption)
        try:
            found = await self.fetch_photo(media_id, _str(media.get("mime_type")) or None)
        except MediaRefused as exc:
            log.info("whatsapp: photo %s refused: %s", media_id, exc)
            return Inbound(**common, kind=InboundKind.UNSUPPORTED, text=caption)
        return Inbound(**common, kind=InboundKind.PHOTO, text=caption, media=(found,))

    async def fetch_photo(self, media_id: str, mime_hint: str | None = None) -> Media:
        """Download and store a resident's photo; refuse (MediaRefused) what is not one.

        When Graph cannot be reached the photo is not lost: the `Media` keeps the media id
        (`whatsapp-media:<id>`, valid about a week) so an officer or a later job can fetch it,
        and the dialog goes on instead of the resident waiting for a retry.
        """
        if mime_hint and _base_type(mime_hint) not in IMAGE_TYPES:
            raise MediaRefused(f"type {_base_type(mime_hint)}")
        kept = Media(f"{KEPT_MEDIA_PREFIX}{media_id}", mime_hint)
        if self._media is None:
            return kept
        stored = await self._media.find(CHANNEL, media_id)
        if stored is not None and stored.id is not None:
            return Media(file_id(stored.id), stored.mime_type, stored.size)
        try:
            mime_type, data = await self._download(media_id)
        except (aiohttp.ClientError, TimeoutError, _Unavailable) as exc:
            log.warning("whatsapp: photo %s not downloaded (%s); id kept", media_id, exc)
            return kept
        row_id = await self._media.save(CHANNEL, media_id, mime_type, data)
        return Media(file_id(row_id), mime_type, len(data))

    async def _download(self, media_id: str) -> tuple[str, bytes]:
        """Graph's media metadata, then the bytes (same bearer token), checked on both steps."""
        async with self.session.get(f"{self._base}/{media_id}") as resp:
            info = await _json(resp)
            if resp.status >= 400:
                raise _Unavailable(str(send_error(resp.status, info)))
        url, mime_type = _str(info.get("url")), _base_type(info.get("mime_type"))
        size = info.get("file_size")
        if mime_type not in IMAGE_TYPES:
            raise MediaRefused(f"type {mime_type or 'unknown'}")
        if isinstance(size, int) and size > MAX_IMAGE_BYTES:
            raise MediaRefused(f"{size} bytes, more than {MAX_IMAGE_BYTES}")
        if not url:
            raise _Unavailable("no download url")
        async with self.session.get(url) as resp:
            if resp.status >= 400:
                raise _Unavailable(f"download answered HTTP {resp.status}")
            if (resp.content_length or 0) > MAX_IMAGE_BYTES:
                raise MediaRefused(f"{resp.content_length} bytes, more than {MAX_IMAGE_BYTES}")
            data = await resp.content.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:
            raise MediaRefused(f"more than {MAX_IMAGE_BYTES} bytes")
        return mime_type, data

    # --- outbound ------------------------------------------------------------------------

    async def send(self, out: Outbound) -> str | None:
        """Send one `Outbound`; the wamid of the last message (the one carrying the buttons)."""
        if out.kind is OutboundKind.CLEAR_BUTTONS:
            return None  # WhatsApp buttons stay on the message; old menus are refused by nonce
        if out.kind is OutboundKind.CALLBACK_ANSWER and not out.text.strip():
            return None  # no spinner to stop on WhatsApp
        if out.kind is OutboundKind.CALLBACK_ANSWER:
            # No toasts on WhatsApp: a notice ("this menu is no longer valid") is a message.
            out = Outbound(channel=out.channel, chat_id=out.chat_id, text=out.text)
        bodies = render(out, self._templates)
        wamid: str | None = None
        for i, body in enumerate(bodies):
            request = addressed(body, out.chat_id, out.reply_to_message_id if i == 0 else None)
            wamid = await self._post(request)
        return wamid

    async def _post(self, request: dict[str, Any]) -> str | None:
        url = f"{self._base}/{self._phone_number_id}/messages"
        try:
            async with self.session.post(url, json=request) as resp:
                body = await _json(resp)
                if resp.status >= 400:
                    raise send_error(resp.status, body, resp.headers.get("Retry-After"))
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendError(f"whatsapp: {type(exc).__name__}: {exc}", retryable=True) from exc
        messages = _dicts(body.get("messages"))
        wamid = _str(messages[0].get("id")) if messages else ""
        if not wamid:
            log.warning("whatsapp: message accepted without an id; delivery will not be tracked")
        return wamid or None


class _Unavailable(Exception):
    """Graph could not hand out the file right now (expired URL, 5xx)."""


async def _json(resp: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        body = await resp.json(content_type=None)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _base_type(mime: Any) -> str:
    return _str(mime).partition(";")[0].strip().lower()


def _common(message: dict[str, Any], contact: dict[str, Any]) -> dict[str, Any]:
    """Who wrote and where answers go: the phone number when shown, else the BSUID.

    With both, the phone number stays the resident's id (as before usernames existed) and the
    BSUID rides along as an alias, so a later username-only message finds the same resident.
    """
    wa_id = _str(contact.get("wa_id")) or _str(message.get("from"))
    bsuid = _str(message.get("from_user_id")) or _str(contact.get("user_id"))
    user_id = wa_id or bsuid
    profile = _obj(contact.get("profile"))
    context = _obj(message.get("context"))
    return {
        "channel": CHANNEL,
        "chat_id": user_id,
        "user_id": user_id,
        "aliases": (bsuid,) if wa_id and bsuid and bsuid != wa_id else (),
        "user_name": _str(profile.get("name")) or None,
        "message_id": _str(message.get("id")) or None,
        "reply_to_message_id": _str(context.get("id")) or None,
        "external_id": _str(message.get("id")) or None,
    }


def _location(message: dict[str, Any]) -> Location:
    where = message["location"]
    lat, lon = where.get("latitude"), where.get("longitude")
    place = ", ".join(x for x in (_str(where.get("name")), _str(where.get("address"))) if x)
    return Location(
        float(lat) if isinstance(lat, int | float) else None,
        float(lon) if isinstance(lon, int | float) else None,
        place or None,
    )


def _interactive_reply(common: dict[str, Any], interactive: dict[str, Any]) -> Inbound:
    """A tapped reply button or a picked list row: its id is the button data Lapor sent."""
    kind = _str(interactive.get("type"))
    reply = interactive.get(kind) if kind in ("button_reply", "list_reply") else None
    if not isinstance(reply, dict) or not _str(reply.get("id")):
        return Inbound(**common, kind=InboundKind.UNSUPPORTED)  # flow replies and newer kinds
    return Inbound(**common, kind=InboundKind.BUTTON, button=_str(reply["id"]))


def _from_status(status: dict[str, Any]) -> Inbound:
    """What became of a message we sent; `reply_to_message_id` names it by wamid."""
    wamid, state = _str(status["id"]), _str(status["status"])
    recipient = _str(status.get("recipient_id")) or _str(status.get("recipient_user_id"))
    errors = _dicts(status.get("errors"))
    code, detail = None, None
    if errors:
        first = errors[0]
        code = str(first.get("code")) if first.get("code") is not None else None
        details = _obj(first.get("error_data")).get("details")
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


def _ignored(payload: dict[str, Any]) -> Inbound:
    message = _obj(payload.get("message"))
    who = _str(message.get("from")) or _str(message.get("from_user_id"))
    return Inbound(
        channel=CHANNEL,
        chat_id=who,
        user_id=who,
        kind=InboundKind.IGNORED,
        external_id=_str(message.get("id")) or None,
    )
