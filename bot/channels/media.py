"""Where residents' photos are kept: the `media_file` table, written outside any handler.

An adapter downloads a photo while parsing, which runs before (and outside) the handler's
transaction, so the bytes get a short transaction of their own. A parse retried by the inbox
finds the photo already stored by its channel id and neither downloads nor stores it twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from datetime import datetime
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import select

from bot.clock import Clock, system_clock
from db.engine import Sessions
from db.tables import MediaFile
from handlers.messages import STORED_MEDIA_PREFIX

PREFIX: Final = STORED_MEDIA_PREFIX  # how an `Inbound`'s Media.file_id names a stored row
MAX_IMAGE_BYTES: Final = 5 * 1024 * 1024  # a phone photo is 0.1-3 MB; WhatsApp's own cap is 5 MB
IMAGE_TYPES: Final = frozenset({"image/jpeg", "image/png", "image/webp"})


def file_id(media_id: int) -> str:
    return f"{PREFIX}{media_id}"


def stored_id(name: str) -> int | None:
    """The `media_file` row a `media:<id>` names; None for a channel's own file id."""
    head, _, rest = name.partition(PREFIX)
    return int(rest) if not head and rest.isdigit() else None


class NotAnImage(ValueError):
    """Stored bytes Pillow cannot read as a picture: sending them again will not help."""


def _clean(data: bytes) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as opened:
            # Turn the picture upright first: without its EXIF a rotated phone photo lies sideways.
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise NotAnImage(str(exc)) from exc
    image.info = {}  # EXIF (GPS, phone model, time), XMP, comments: none of it leaves
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


async def clean_image(data: bytes) -> bytes:
    """A resident's photo as a JPEG without metadata: a phone's EXIF holds where they live.

    Re-encoded in a thread (decoding a phone photo takes tens of milliseconds).
    """
    return await asyncio.to_thread(_clean, data)


class MediaStore:
    def __init__(self, sessions: Sessions, *, clock: Clock = system_clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def find(self, channel: str, external_id: str) -> MediaFile | None:
        """The stored file for this channel media id, without its bytes."""
        async with self._sessions() as session:
            result = await session.execute(
                select(MediaFile)
                .options(defer(MediaFile.data))  # type: ignore[arg-type]
                .where(MediaFile.channel == channel, MediaFile.external_id == external_id)
            )
            return result.scalar_one_or_none()

    async def load(self, media_id: int) -> MediaFile | None:
        """The stored file with its bytes, to send it on to officers."""
        async with self._sessions() as session:
            return await session.get(MediaFile, media_id)

    async def save(self, channel: str, external_id: str, mime_type: str, data: bytes) -> int:
        """Store the bytes once per channel media id; the row id either way."""
        now: datetime = self._clock()
        row = MediaFile(
            channel=channel,
            external_id=external_id,
            mime_type=mime_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            created_at=now,
        )
        try:
            async with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError:  # stored meanwhile by a parallel parse of the same update
            existing = await self.find(channel, external_id)
            if existing is None or existing.id is None:
                raise
            return existing.id
        if row.id is None:
            raise RuntimeError("media file has no id after commit")
        return row.id
