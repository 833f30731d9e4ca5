"""Where a report is, read from what the resident wrote: a place, typed coordinates, a map link.

Residents name the place in the description far more often than they share a pin ("lampu mati
di depan SDN 2 Bandar Lor"), and some paste coordinates or a Google Maps link instead of using
the share-location button. Reading those saves them a question; the dialog always asks them
to confirm a place it read ("Lokasinya di …?"), so a wrong guess costs one tap.

Pure functions over text and one shipped data file (handlers/data/kota_kediri.yaml): the
kelurahan of the city and a box around it. No network: a short link (maps.app.goo.gl) cannot
be opened here, and the resident is told so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final
from urllib.parse import unquote

import yaml

MIN_PLACE_WORDS: Final = 2  # "pasar" alone says too little to offer; "depan pasar" does not
MAX_PLACE_WORDS: Final = 9


@dataclass(frozen=True, slots=True)
class Kelurahan:
    code: str  # Kemendagri's, e.g. "35.71.01.1001"
    name: str
    kecamatan: str
    postal_code: str
    common_word: bool = False  # also an everyday word: needs "kel." or a capital to count


@dataclass(frozen=True, slots=True)
class Bounds:
    south: float
    north: float
    west: float
    east: float

    def contains(self, latitude: float, longitude: float) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east


@dataclass(frozen=True, slots=True)
class Gazetteer:
    city: str
    bounds: Bounds
    kelurahan: tuple[Kelurahan, ...]


@cache
def kota_kediri() -> Gazetteer:
    """The shipped gazetteer, read once."""
    source = resources.files("handlers").joinpath("data", "kota_kediri.yaml")
    return parse_gazetteer(yaml.safe_load(source.read_text(encoding="utf-8")))


def parse_gazetteer(raw: dict[str, Any]) -> Gazetteer:
    return Gazetteer(
        city=str(raw["city"]),
        bounds=Bounds(**{k: float(v) for k, v in raw["bounds"].items()}),
        kelurahan=tuple(
            Kelurahan(
                code=str(k["code"]),
                name=str(k["name"]),
                kecamatan=str(k["kecamatan"]),
                postal_code=str(k["postal_code"]),
                common_word=bool(k.get("common_word", False)),
            )
            for k in raw["kelurahan"]
        ),
    )


# --- coordinates -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Coordinates:
    latitude: float
    longitude: float


INDONESIA: Final = Bounds(south=-11.5, north=6.5, west=94.0, east=141.5)
_NUMBER = r"-?\d{1,3}\.\d{2,}"
_PIN = re.compile(rf"!3d({_NUMBER})!4d({_NUMBER})")  # the place a Google Maps link points at
_OSM = re.compile(rf"map=\d{{1,2}}/({_NUMBER})/({_NUMBER})")
_OSM_MARKER = re.compile(rf"mlat=({_NUMBER})&(?:amp;)?mlon=({_NUMBER})")
_DECIMAL = re.compile(rf"(?<![\w.])({_NUMBER})\s*[,;]?\s*({_NUMBER})(?![\d.])")
_DECIMAL_COMMA = re.compile(r"(?<![\w,])(-?\d{1,3},\d{3,})\s*[;/ ]\s*(-?\d{1,3},\d{3,})(?![\d,])")
_DMS = re.compile(
    r"(\d{1,2})\s*°\s*(\d{1,2})\s*['′]\s*(\d{1,2}(?:[.,]\d+)?)\s*(?:\"|″|'')?\s*(N|S|LU|LS)\b"
    r"[\s,]*"
    r"(\d{1,3})\s*°\s*(\d{1,2})\s*['′]\s*(\d{1,2}(?:[.,]\d+)?)\s*(?:\"|″|'')?\s*(E|W|BT|BB)\b",
    re.I,
)
_SHORT_LINK = re.compile(r"\b(?:maps\.app\.goo\.gl|goo\.gl/maps)/\S+", re.I)
_URL = re.compile(r"\b(?:https?://|www\.)\S+|\bgeo:\S+", re.I)


def coordinates_in(text: str, bounds: Bounds | None = None) -> Coordinates | None:
    """A pin typed or pasted: "-7.8166, 112.0118", 7°49'S 112°00'E, a Google Maps or OSM link.

    A resident who drops the minus ("7.81, 112.01", a point in the South China Sea) meant the
    southern hemisphere when the mirrored point is in the city: that one is taken instead.
    """
    decoded = unquote(text)
    found = _first_pair(decoded)
    if found is None:
        return None
    latitude, longitude, bare = found
    if bounds is not None and latitude > 0 and bounds.contains(-latitude, longitude):
        latitude = -latitude
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    if bare and not INDONESIA.contains(latitude, longitude):
        return None  # "Rp 12.500, 13.000" is a price, not a place
    return Coordinates(latitude, longitude)


def _first_pair(text: str) -> tuple[float, float, bool] | None:
    """(latitude, longitude, bare): bare numbers prove less than a link or degrees do."""
    for pattern in (_PIN, _OSM_MARKER, _OSM):
        if match := pattern.search(text):
            return float(match[1]), float(match[2]), False
    if match := _DECIMAL.search(text):
        in_link = _URL.search(text[max(0, match.start() - 200) : match.end()]) is not None
        return float(match[1]), float(match[2]), not in_link
    if match := _DECIMAL_COMMA.search(text):
        return float(match[1].replace(",", ".")), float(match[2].replace(",", ".")), True
    if match := _DMS.search(text):
        latitude = _degrees(match[1], match[2], match[3], south=match[4].upper() in {"S", "LS"})
        longitude = _degrees(match[5], match[6], match[7], south=match[8].upper() in {"W", "BB"})
        return latitude, longitude, False
    return None


def _degrees(degrees: str, minutes: str, seconds: str, *, south: bool) -> float:
    value = int(degrees) + int(minutes) / 60 + float(seconds.replace(",", ".")) / 3600
    return round(-value if south else value, 6)


def has_short_map_link(text: str) -> bool:
    """A maps.app.goo.gl link only says where after a web request, which handlers never make."""
    return _SHORT_LINK.search(text) is not None


def without_links(text: str) -> str:
    """The text with map links and coordinates taken out: what is left may be the description."""
    text = _URL.sub(" ", text)
    for pattern in (_DMS, _DECIMAL, _DECIMAL_COMMA):
        text = pattern.sub(" ", text)
    return " ".join(text.split()).strip(" ,;:-")


# --- places named in words -----------------------------------------------------------------

# Where a place phrase starts. "jalan" is a street only before a name ("Jalan Dhoho"), else it
# is the road itself ("jalan berlubang"); "di" leads in only before one of these.
_NOUNS = (
    r"pasar|sdn?|smpn?|sman?|smkn?|mi|mts|man|masjid|musholl?a|langgar|gereja|klenteng|vihara|"
    r"pura|kantor|balai|puskesmas|pustu|posyandu|rsud|rs|rumah sakit|klinik|stasiun|terminal|"
    r"alun[- ]alun|taman|perumahan|perum|griya|kampus|universitas|univ|pondok|ponpes|jembatan|"
    r"sungai|kali|bundaran|lampu merah|bangjo|rt|rw|kelurahan|kel|desa|lingkungan|dusun|"
    r"komplek|kompleks|gor|stadion|monumen|hotel|mall|toko|indomaret|alfamart|spbu|pom bensin|"
    r"polsek|polres|koramil|makam|tpu|kuburan|lapangan|kampung|kp|simpang lima|sekolah|gedung"
)
_DIRECTIONS = (
    r"depan|dpn|dekat|dkt|samping|sebelah|sblh|belakang|blkg|seberang|sebrang|pinggir|ujung|"
    r"perempatan|prapatan|pertigaan|sekitar|utara|selatan|timur|barat|arah|gerbang|pintu masuk"
)
_START = re.compile(
    rf"\b(?i:(?:di|dari|ke|sekitar)\s+)?"
    rf"(?P<place>(?i:{_DIRECTIONS})\b|(?i:jl|jln)\b\.?|(?i:gang|gg)\b\.?|"
    rf"(?i:jalan)\s+(?=(?i:raya)\b|[A-Z])|(?i:{_NOUNS})\b)"
)
# Words that end a place phrase: what follows says what is wrong, or when, or to whom.
_STOP_WORDS = frozenset(
    "sudah sdh udah udh sejak dari mulai selama yang yg tolong mohon segera karena krn soalnya "
    "jadi jd dan tapi tp tetapi padahal sehingga hingga sampai sampe smp sekarang skrg kemarin "
    "kemaren tadi hari minggu bulan tahun pak bu min kak mas mbak bapak ibu banget bgt sekali "
    "parah lagi lg belum blm tidak tdk gak ga nggak ngga enggak ora mboten masih msh bikin buat "
    "mati padam rusak berlubang bolong retak ambles banjir bocor macet menumpuk numpuk kotor "
    "bau tumbang roboh putus hilang dibuang terbakar tergenang nggenang please pls mas tiap "
    "setiap terus kok sih deh dong nih ini itu tsb tersebut ada adalah akan bisa harus kalau "
    "kalo klo jika bila apabila waktu saat ketika pas banyak sering".split()
)
_VAGUE = frozenset("rumah sini situ sana saya kami kita aku sy kampung jalan jl gang gg".split())
_DIRECTION = re.compile(rf"(?i:{_DIRECTIONS})")
_ABBREVIATIONS = frozenset("jl jln gg no kel kec rt rw sd dr h ds dsn kp perum".split())
_BREAKS = frozenset(",;:!?()\n")
_TOKEN = re.compile(r"[\w'/-]+\.?|[,;:!?()\n]", re.UNICODE)


def place_in(text: str, gazetteer: Gazetteer | None = None) -> str | None:
    """The place a description names, as the resident wrote it, or None.

    "Jalan berlubang di Jl. Dhoho no. 12 depan toko buku, sudah seminggu" -> "Jl. Dhoho no. 12
    depan toko buku". A kelurahan named elsewhere in the text is added when the phrase lacks it.
    """
    gazetteer = gazetteer or kota_kediri()
    text = without_links(text)
    found = _kelurahan_match(text, gazetteer)
    starts = [m.start("place") for m in _START.finditer(text)]
    if found is not None:
        starts.append(_named_start(text, found[0]))
    span = _place_span(text, sorted(starts))
    phrase = " ".join(text[span[0] : span[1]].split()).rstrip(".") if span else None
    if found is not None and (span is None or not span[0] <= found[0].start() < span[1]):
        named = text[_named_start(text, found[0]) : found[0].end()]
        phrase = f"{phrase}, {named}" if phrase else named
    return phrase


def _place_span(text: str, starts: list[int]) -> tuple[int, int] | None:
    """(start, end) of the first place phrase that says enough to offer."""
    for start in starts:
        words, length = _phrase_from(text[start:])
        if words and (len(words) >= MIN_PLACE_WORDS or words[0][:1].isupper()):
            if not _vague(words):
                return start, start + length
    return None


def _vague(words: list[str]) -> bool:
    """ "depan rumah saya" or "di sini" helps no officer find it: better to ask."""
    return all(w.rstrip(".").lower() in _VAGUE or _DIRECTION.fullmatch(w) for w in words)


def _phrase_from(text: str) -> tuple[list[str], int]:
    """Words from a place start to the end of its clause (at most `MAX_PLACE_WORDS`), and
    how many characters of `text` they take."""
    words: list[str] = []
    end = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        bare = token.rstrip(".").lower()
        if token in _BREAKS or (words and bare in _STOP_WORDS):
            break
        words.append(token)
        end = match.end()
        if token.endswith(".") and bare not in _ABBREVIATIONS and not bare.isdigit():
            end -= 1
            break  # a full stop ends the sentence; "Jl." and "no." do not
        if len(words) == MAX_PLACE_WORDS:
            break
    return words, end


_ADMIN_MARKER = re.compile(r"(?:kel|kelurahan|desa|ds|kampung|kp|daerah|wilayah)\.?\s*$", re.I)
_PONDOK = re.compile(r"(?:pondok|ponpes|pp)\.?\s*$", re.I)


@cache
def _name_pattern(name: str) -> re.Pattern[str]:
    """ "Setonopande" also as "Setono Pande" or "setono-pande": any space or hyphen may come."""
    letters = [re.escape(c) for c in name.replace(" ", "").lower()]
    return re.compile(r"\b" + r"[\s-]?".join(letters) + r"\b", re.I)


def kelurahan_in(text: str, gazetteer: Gazetteer | None = None) -> Kelurahan | None:
    """The first kelurahan of the city the text names, or None."""
    found = _kelurahan_match(text, gazetteer or kota_kediri())
    return found[1] if found else None


def _kelurahan_match(text: str, gazetteer: Gazetteer) -> tuple[re.Match[str], Kelurahan] | None:
    best: tuple[re.Match[str], Kelurahan] | None = None
    for kelurahan in gazetteer.kelurahan:
        for match in _name_pattern(kelurahan.name).finditer(text):
            if _counts(text, match, kelurahan):
                if best is None or match.start() < best[0].start():
                    best = (match, kelurahan)
                break
    return best


def _named_start(text: str, match: re.Match[str]) -> int:
    """Where a kelurahan's mention starts, with the "kel." written before it."""
    marker = _ADMIN_MARKER.search(text[: match.start()])
    return marker.start() if marker else match.start()


def _counts(text: str, match: re.Match[str], kelurahan: Kelurahan) -> bool:
    before = text[: match.start()]
    if kelurahan.name == "Pesantren" and _PONDOK.search(before):
        return False  # "pondok pesantren Lirboyo" is a school, not the kelurahan
    if not kelurahan.common_word:
        return True
    if _ADMIN_MARKER.search(before):
        return True
    written = match.group()
    inside_sentence = bool(before.strip()) and not before.rstrip().endswith((".", "!", "?"))
    return written[0].isupper() and not written.isupper() and inside_sentence
