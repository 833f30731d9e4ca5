"""Officers' photos kept as stored media, so a resident on any channel can receive them.

A Telegram file id is good only on Telegram: a resident who reported on WhatsApp could not be
sent the picture of the repaired road. A photo posted in a staff group is therefore downloaded
while parsing (like WhatsApp's media), cleaned of EXIF and kept in `media_file`; the handlers
then hold a `media:<id>` every adapter can send. Residents' own Telegram photos keep their file
id: they only ever travel to Telegram groups.
"""

from __future__ import annotations

import dataclasses
import logging

from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.channels.base import Inbound
from bot.channels.media import MediaStore, NotAnImage, clean_image, file_id
from bot.channels.telegram.webhook import CHANNEL
from handlers.messages import InboundKind, Media

log = logging.getLogger(__name__)


def file_url(api_base_url: str) -> str:
    """Where the Bot API serves files: `.../bot` becomes `.../file/bot` (a local server too)."""
    head = api_base_url.removesuffix("/bot")
    return f"{head}/file/bot"


class OfficerPhotos:
    def __init__(self, bot: ExtBot[int], store: MediaStore | None) -> None:
        self._bot = bot
        self._store = store

    async def keep(self, inbound: Inbound) -> Inbound:
        if self._store is None or not inbound.is_group or inbound.kind is not InboundKind.PHOTO:
            return inbound
        store = self._store
        kept = tuple([await self._keep_one(store, media) for media in inbound.media])
        return dataclasses.replace(inbound, media=kept)

    async def _keep_one(self, store: MediaStore, media: Media) -> Media:
        """The stored copy of one photo; the Telegram id itself when it cannot be had.

        A file Telegram will not hand out (over its 20 MB download limit, or not a picture)
        still reaches Telegram residents by its id; a network failure raises, and the inbox
        parses the update again later.
        """
        found = await store.find(CHANNEL, media.file_id)
        if found is not None and found.id is not None:
            return Media(file_id(found.id), found.mime_type, found.size)
        try:
            remote = await self._bot.get_file(media.file_id)
            data = await clean_image(bytes(await remote.download_as_bytearray()))
        except (BadRequest, NotAnImage) as exc:
            log.warning("officer photo kept as a Telegram id only: %s", type(exc).__name__)
            return media
        row = await store.save(CHANNEL, media.file_id, "image/jpeg", data)
        return Media(file_id(row), "image/jpeg", len(data))
