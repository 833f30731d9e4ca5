"""The WhatsApp Cloud API channel: one aiohttp session, Graph calls, parse and send.

A thin aiohttp client and a parser of plain JSON, no SDK: Lapor owns the webhook (the inbox
stores before it answers) and the retries (the outbox), and what is left is translation.
Sending raises only `SendError`, decided by Graph's error *code*, never its text.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.channels import checked
from bot.channels.base import (
    Inbound,
    InboundKind,
    Outbound,
    OutboundKind,
    SendError,
    Unreadable,
    part_log,
)
from bot.channels.media import MediaStore, NotAnImage, clean_image, stored_id
from bot.channels.whatsapp.errors import TOKEN_INVALID, WhatsAppAuthError, graph_code, send_error
from bot.channels.whatsapp.media import KEPT_MEDIA_PREFIX, MediaRefused, PhotoFetcher, json_body
from bot.channels.whatsapp.parse import from_message, from_status
from bot.channels.whatsapp.payload import dicts, obj, string
from bot.channels.whatsapp.render import Template, addressed, image, location, render
from bot.channels.whatsapp.webhook import CHANNEL, Split, inbox_items
from bot.config import Settings
from bot.logmask import mask_id

log = logging.getLogger(__name__)

_NOTHING_TO_DO = frozenset(
    {
        OutboundKind.CLEAR_BUTTONS,
        OutboundKind.OPEN_TOPIC,
        OutboundKind.CLOSE_TOPIC,
        OutboundKind.REOPEN_TOPIC,
    }
)


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
        self._send_timeout = settings.whatsapp_send_timeout
        self._media = media
        self._templates = {
            "status_update": Template(
                settings.whatsapp_template_status_update, settings.whatsapp_template_language
            )
        }
        self._session: aiohttp.ClientSession | None = None
        self._photos: PhotoFetcher | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("the WhatsApp channel is not started")
        return self._session

    @property
    def photos(self) -> PhotoFetcher:
        if self._photos is None:
            raise RuntimeError("the WhatsApp channel is not started")
        return self._photos

    async def start(self) -> None:
        """Open the HTTP session and ask Graph about our number: a bad token fails here."""
        self._session = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {self._token}"},
            # Reads wait longer than Graph's processing: a send given up too early goes twice.
            timeout=aiohttp.ClientTimeout(
                total=self._send_timeout + 10, connect=5, sock_read=self._send_timeout
            ),
        )
        self._photos = PhotoFetcher(self._session, self._base, self._media)
        url = f"{self._base}/{self._phone_number_id}"
        try:
            async with self.session.get(url, params={"fields": "display_phone_number"}) as resp:
                body = await json_body(resp)
                status = resp.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning(
                "whatsapp: the Graph API at %s cannot be reached at start (%s): check the network "
                "and WHATSAPP_API_BASE_URL; messages wait in the outbox and are retried",
                urlsplit(self._base).netloc or self._base,
                type(exc).__name__,
            )
            return
        if status >= 400:
            if status in (401, 403) or graph_code(body) == TOKEN_INVALID:
                await self.stop()
                said = obj(obj(body).get("error")).get("message") or f"HTTP {status}"
                raise WhatsAppAuthError(
                    f"WhatsApp refused WHATSAPP_ACCESS_TOKEN (Graph code {graph_code(body)}: "
                    f"{said}): use a System User token with the whatsapp_business_messaging "
                    "permission (temporary tokens expire after 24 hours)"
                )
            error = send_error(status, body)
            log.warning("whatsapp: phone number check failed: %s", error)
            return
        log.info("whatsapp: number %s ready", mask_id(body.get("display_phone_number", "")))

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
            self._photos = None

    # --- inbound -------------------------------------------------------------------------

    def inbox_items(self, payload: Mapping[str, Any]) -> Split:
        return inbox_items(payload)

    async def parse(self, payload: dict[str, Any]) -> list[Inbound]:
        """One stored item, one `Inbound`; `Unreadable` when its fields are not what Meta sends.

        Nothing else is caught: a bug of ours, or the database failing while a photo is
        stored, leaves as it is and the inbox retries the row.
        """
        if isinstance(payload.get("status"), dict):
            return [from_status(payload["status"])]
        if isinstance(payload.get("message"), dict):
            return [await from_message(payload, self._photo)]
        raise Unreadable("neither a message nor a status")

    async def _photo(self, common: dict[str, Any], media: dict[str, Any]) -> Inbound:
        caption = checked.optional_text(media.get("caption"), "message.image.caption") or None
        media_id = checked.optional_text(media.get("id"), "message.image.id") or ""
        mime_hint = checked.optional_text(media.get("mime_type"), "message.image.mime_type")
        if not media_id:  # the upload failed on the resident's side ("errors" instead of an id)
            return Inbound(**common, kind=InboundKind.UNSUPPORTED, text=caption)
        try:
            found = await self.photos.fetch(media_id, mime_hint or None)
        except MediaRefused as exc:
            log.info("whatsapp: photo %s refused: %s", media_id, exc)
            return Inbound(**common, kind=InboundKind.UNSUPPORTED, text=caption)
        return Inbound(**common, kind=InboundKind.PHOTO, text=caption, media=(found,))

    async def fetch_media(self, media: str) -> str | None:
        """A resident's photo kept only as its WhatsApp media id (not downloaded at intake),
        fetched now into the media store for a channel that cannot use WhatsApp's ids: its
        `media:<row>`; None for a picture that is not one of those."""
        if not media.startswith(KEPT_MEDIA_PREFIX):
            return None
        try:
            kept = await self.photos.keep(media.removeprefix(KEPT_MEDIA_PREFIX))
        except MediaRefused as exc:
            raise SendError(f"whatsapp: photo refused: {exc}", retryable=False) from exc
        return kept.file_id

    # --- outbound ------------------------------------------------------------------------

    async def send(self, out: Outbound) -> str | None:
        """Send one `Outbound`; the wamid of the last message (the one carrying the buttons)."""
        if out.kind in _NOTHING_TO_DO:
            # Buttons stay on a WhatsApp message (old menus are refused by nonce); there are no
            # forum topics.
            return None
        if out.kind is OutboundKind.CALLBACK_ANSWER and not out.text.strip():
            return None  # no spinner to stop on WhatsApp
        if out.kind is OutboundKind.CALLBACK_ANSWER:
            # No toasts on WhatsApp: a notice ("this menu is no longer valid") is a message.
            out = Outbound(channel=out.channel, chat_id=out.chat_id, text=out.text)
        if out.kind is OutboundKind.PHOTO:
            bodies = [image(await self._media_id(out.media), out.text)]
        elif out.kind is OutboundKind.LOCATION:
            bodies = [location(out)]
        else:  # MESSAGE, and EDIT: WhatsApp cannot edit, so the new text comes as a new message
            bodies = render(out, self._templates)
        log = part_log()  # parts a failed earlier try delivered are not sent again
        for i, body in enumerate(bodies):
            if log.delivered(i):
                continue
            request = addressed(body, out.chat_id, out.reply_to_message_id if i == 0 else None)
            wamid = await self._post(request)
            if i < len(bodies) - 1:
                await log.sent(i, wamid)
            else:
                log.last_id = wamid
        return log.last_id

    async def _media_id(self, media: str | None) -> str:
        """Graph's id for the picture: a stored one is uploaded without its EXIF first."""
        if media and media.startswith(KEPT_MEDIA_PREFIX):
            return media.removeprefix(KEPT_MEDIA_PREFIX)  # a resident's WhatsApp media id
        row_id = stored_id(media or "")
        if row_id is None:
            raise SendError(f"whatsapp: cannot send picture {media!r}", retryable=False)
        row = await self._media.load(row_id) if self._media is not None else None
        if row is None:
            raise SendError(f"whatsapp: stored photo {row_id} is not available", retryable=False)
        try:
            data = await clean_image(row.data)
        except NotAnImage as exc:
            raise SendError(f"whatsapp: stored photo {row_id}: {exc}", retryable=False) from exc
        return await self._upload(data, f"lapor-{row_id}.jpg")

    async def _upload(self, data: bytes, filename: str) -> str:
        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", "image/jpeg")
        form.add_field("file", data, filename=filename, content_type="image/jpeg")
        body = await self._graph_post("media", data=form)
        media_id = string(body.get("id"))
        if not media_id:
            raise SendError("whatsapp: media upload answered without an id", retryable=True)
        return media_id

    async def _graph_post(self, edge: str, **request: Any) -> dict[str, Any]:
        """One POST to the phone number's `edge`; every failure leaves as a judged `SendError`."""
        url = f"{self._base}/{self._phone_number_id}/{edge}"
        try:
            async with self.session.post(url, **request) as resp:
                body = await json_body(resp)
                if resp.status >= 400:
                    raise send_error(resp.status, body, resp.headers.get("Retry-After"))
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendError(f"whatsapp: {type(exc).__name__}: {exc}", retryable=True) from exc
        return body

    async def _post(self, request: dict[str, Any]) -> str | None:
        body = await self._graph_post("messages", json=request)
        messages = dicts(body.get("messages"))
        wamid = string(messages[0].get("id")) if messages else ""
        if not wamid:
            log.warning("whatsapp: message accepted without an id; delivery will not be tracked")
        return wamid or None
