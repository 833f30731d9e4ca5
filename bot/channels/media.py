"""Where residents' photos are kept: the `media_file` table, written outside any handler.

An adapter downloads a photo while parsing, which runs before (and outside) the handler's
transaction, so the bytes get a short transaction of their own. A parse retried by the inbox
finds the photo already stored by its channel id and neither downloads nor stores it twice.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Final

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import select

from bot.clock import Clock, system_clock
from db.engine import Sessions
from db.tables import MediaFile

PREFIX: Final = "media:"  # how an `Inbound`'s Media.file_id names a stored row
MAX_IMAGE_BYTES: Final = 5 * 1024 * 1024  # a phone photo is 0.1-3 MB; WhatsApp's own cap is 5 MB
IMAGE_TYPES: Final = frozenset({"image/jpeg", "image/png", "image/webp"})


def file_id(media_id: int) -> str:
    return f"{PREFIX}{media_id}"


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
