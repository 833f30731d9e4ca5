"""A report being written, as it is kept in `Dialog.data` between messages.

A typed view over the JSON, so steps say `draft.location_done` instead of string keys; the
`*_done` flags say which questions are answered (or skipped), which is how `Ubah` re-asks one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from handlers.messages import Location, Media

MAX_PHOTOS = 5


@dataclass(slots=True)
class Draft:
    description: str = ""
    description_done: bool = False
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    location_done: bool = False
    place_offer: str | None = None  # a place read from the description, awaiting "Ya"
    photos: list[dict[str, Any]] = field(default_factory=list)
    photo_done: bool = False
    route: dict[str, Any] = field(default_factory=dict)  # the router's answer, as JSON
    agency: str | None = None  # the agency code chosen; None with agency_done means triage
    agency_done: bool = False
    picked: bool = False  # the resident chose the agency from the candidates
    similar_checked: bool = False  # an open look-alike was looked for (and offered) once
    privacy: str | None = None  # "anonim" or "rahasia", as the resident asked

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Draft:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def to_data(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def set_location(self, location: Location) -> bool:
        """Keep coordinates that exist on Earth and/or a typed address; False if nothing usable."""
        lat, lon = location.latitude, location.longitude
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            lat = lon = None
        address = (location.address or "").strip()[:500] or None
        if lat is None and address is None:
            return False
        self.latitude, self.longitude, self.address = lat, lon, address
        self.location_done = True
        return True

    def clear_location(self) -> None:
        self.latitude = self.longitude = self.address = None

    def add_photos(self, media: tuple[Media, ...]) -> None:
        for item in media[: MAX_PHOTOS - len(self.photos)]:
            self.photos.append({"file_id": item.file_id, "mime_type": item.mime_type})
        self.photo_done = True
