"""Residents' photos from Graph: metadata, then the bytes, checked on both steps and kept.

WhatsApp media ids expire after about a week, so the bytes are copied at once into the
`media_file` table (bot/channels/media.py). A photo Graph could not hand out then keeps its
media id (`whatsapp-media:<id>`) and is fetched when another channel has to send it
(`WhatsAppChannel.fetch_media`, asked by the outbox dispatcher).
"""

from __future__ import annotations

import logging
from typing import Any, Final

import aiohttp

from bot.channels.base import Media, SendError
from bot.channels.media import IMAGE_TYPES, MAX_IMAGE_BYTES, MediaStore, file_id
from bot.channels.whatsapp.errors import send_error
from bot.channels.whatsapp.payload import base_type, string
from bot.channels.whatsapp.webhook import CHANNEL

log = logging.getLogger(__name__)

KEPT_MEDIA_PREFIX: Final = "whatsapp-media:"  # a photo not downloaded: its media id, for later


class MediaRefused(Exception):
    """The resident's file is not a photo Lapor keeps (type or size): they get a hint instead."""


async def json_body(resp: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        body = await resp.json(content_type=None)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class PhotoFetcher:
    """Downloads through the channel's HTTP session (same bearer token) into the media store."""

    def __init__(self, session: aiohttp.ClientSession, base: str, store: MediaStore | None) -> None:
        self.session = session
        self._base = base
        self._media = store

    async def fetch(self, media_id: str, mime_hint: str | None = None) -> Media:
        """Download and store a resident's photo; refuse (MediaRefused) what is not one.

        When Graph cannot be reached the photo is not lost: the `Media` keeps the media id
        (`whatsapp-media:<id>`, valid about a week) and `keep` fetches it when the officers'
        card needs it; the dialog goes on instead of the resident waiting for a retry.
        """
        if mime_hint and base_type(mime_hint) not in IMAGE_TYPES:
            raise MediaRefused(f"type {base_type(mime_hint)}")
        kept = Media(f"{KEPT_MEDIA_PREFIX}{media_id}", mime_hint)
        if self._media is None:
            return kept
        try:
            return await self.keep(media_id)
        except SendError as exc:
            log.warning("whatsapp: photo %s not downloaded (%s); id kept", media_id, exc)
            return kept

    async def keep(self, media_id: str) -> Media:
        """The photo in the media store (`media:<row>`), downloaded unless it is there already.

        MediaRefused for what is not a photo Lapor keeps; SendError when Graph cannot hand it
        out, retryable as Graph's answer says (an unknown or expired media id is not).
        """
        if self._media is None:
            raise SendError("whatsapp: no media store to keep photos in", retryable=False)
        stored = await self._media.find(CHANNEL, media_id)
        if stored is not None and stored.id is not None:
            return Media(file_id(stored.id), stored.mime_type, stored.size)
        try:
            mime_type, data = await self._download(media_id)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendError(f"whatsapp: photo download failed: {exc!r}", retryable=True) from exc
        row_id = await self._media.save(CHANNEL, media_id, mime_type, data)
        return Media(file_id(row_id), mime_type, len(data))

    async def _download(self, media_id: str) -> tuple[str, bytes]:
        """Graph's media metadata, then the bytes (same bearer token), checked on both steps."""
        async with self.session.get(f"{self._base}/{media_id}") as resp:
            info = await json_body(resp)
            if resp.status >= 400:
                raise send_error(resp.status, info)
        url, mime_type = string(info.get("url")), base_type(info.get("mime_type"))
        size = info.get("file_size")
        if mime_type not in IMAGE_TYPES:
            raise MediaRefused(f"type {mime_type or 'unknown'}")
        if isinstance(size, int) and size > MAX_IMAGE_BYTES:
            raise MediaRefused(f"{size} bytes, more than {MAX_IMAGE_BYTES}")
        if not url:
            raise SendError("whatsapp: media answered without a download url", retryable=True)
        async with self.session.get(url) as resp:
            if resp.status >= 400:  # the short-lived URL expired: a new one comes with a retry
                raise SendError(f"whatsapp: download answered HTTP {resp.status}", retryable=True)
            if (resp.content_length or 0) > MAX_IMAGE_BYTES:
                raise MediaRefused(f"{resp.content_length} bytes, more than {MAX_IMAGE_BYTES}")
            data = await resp.content.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:
            raise MediaRefused(f"more than {MAX_IMAGE_BYTES} bytes")
        return mime_type, data
