"""Commands as residents type them: "batal", "cek status kdr-26-123", "/laporanku", "menu dong".

WhatsApp has no command menu, and on Telegram or in a terminal people type words as often as
slashes, so a whole message that says a command is that command on every channel. The
understanding lives here, not in an adapter, so every channel gets the same words. Only a
whole message counts (courtesy words around it are allowed): "batal" is a command, "lampu
jalan batal dipasang" is a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

# Canonical command names (what `handlers.commands.COMMANDS` is keyed by) for every name a
# resident may type after a slash, in Indonesian, English or Javanese.
ALIASES: Final[dict[str, str]] = {
    "start": "start",
    "menu": "start",
    "mulai": "start",
    "bantuan": "bantuan",
    "help": "bantuan",
    "panduan": "bantuan",
    "status": "status",
    "cek": "status",
    "lacak": "status",
    "track": "status",
    "laporanku": "laporanku",
    "laporansaya": "laporanku",
    "myreports": "laporanku",
    "reports": "laporanku",
    "batal": "batal",
    "cancel": "batal",
    "tambah": "tambah",
    "add": "tambah",
    "tarik": "tarik",
    "withdraw": "tarik",
    "bahasa": "bahasa",
    "language": "bahasa",
    "anonim": "anonim",
    "anonymous": "anonim",
    "rahasia": "rahasia",
    "confidential": "rahasia",
}

# Whole messages (after courtesy words are dropped) that are a command with no argument.
PHRASES: Final[dict[str, str]] = {
    # "cek" alone is a test ("cek cek"), not a status request; "tambah" and "tarik" need a number.
    **{n: c for n, c in ALIASES.items() if c not in {"tambah", "tarik"} and n != "cek"},
    "mulai lagi": "start",
    "menu utama": "start",
    "main menu": "start",
    "cara lapor": "bantuan",
    "cara melapor": "bantuan",
    "how to report": "bantuan",
    "cek status": "status",
    "status laporan": "status",
    "cek laporan": "status",
    "check status": "status",
    "laporan saya": "laporanku",
    "laporan ku": "laporanku",
    "daftar laporan": "laporanku",
    "riwayat laporan": "laporanku",
    "my reports": "laporanku",
    "batalkan": "batal",
    "gak jadi": "batal",
    "ga jadi": "batal",
    "gajadi": "batal",
    "nggak jadi": "batal",
    "ngga jadi": "batal",
    "enggak jadi": "batal",
    "tidak jadi": "batal",
    "ora sido": "batal",
    "ora sida": "batal",
    "mboten sios": "batal",
    "mboten siyos": "batal",
    "ganti bahasa": "bahasa",
    "change language": "bahasa",
}

# Phrases that take a ticket reference after them ("status KDR-26-000123", "tarik KDR-...").
WITH_REFERENCE: Final[dict[str, str]] = {
    "status": "status",
    "cek": "status",
    "cek status": "status",
    "status laporan": "status",
    "cek laporan": "status",
    "lacak": "status",
    "check": "status",
    "check status": "status",
    "track": "status",
    "tambah": "tambah",
    "tambahan": "tambah",
    "tambah laporan": "tambah",
    "tambahkan": "tambah",
    "add": "tambah",
    "add to": "tambah",
    "anonim": "anonim",
    "anonymous": "anonim",
    "rahasia": "rahasia",
    "confidential": "rahasia",
    "tarik": "tarik",
    "tarik laporan": "tarik",
    "batalkan laporan": "tarik",
    "batalkan": "tarik",
    "batal": "tarik",
    "batal laporan": "tarik",
    "withdraw": "tarik",
    "cancel": "tarik",
    "cancel report": "tarik",
}

# Languages named in a whole message switch at once: "english", "bahasa inggris".
LANGUAGE_PHRASES: Final[dict[str, str]] = {
    "english": "en",
    "english please": "en",
    "in english": "en",
    "bahasa inggris": "en",
    "bahasa indonesia": "id",
    "indonesia": "id",
    "indonesian": "id",
}

# Words around a command that do not change it: "batal aja min", "tolong cek status dong".
COURTESY: Final = frozenset(
    "min admin kak pak bu mas mbak om dik dong donk aja saja ya yah yaa deh please pls plz "
    "tolong mohon mau ingin pengen pingin saya aku sy kulo nggih njih".split()
)
ASKING_FOR_HELP: Final = frozenset("tolong mohon minta butuh perlu".split())
_REFERENCE = re.compile(
    r"#?\b(?P<prefix>[a-z]{2,8})[\s\-./]*(?P<year>\d{2})[\s\-./]*(?P<number>\d{1,9})\b", re.I
)
_WORD = re.compile(r"[\w']+", re.UNICODE)
_SLASH = re.compile(r"^/(?P<name>[a-z][a-z0-9_]{0,31})(?:@\w+)?(?:\s+(?P<args>.*))?$", re.I | re.S)
TICKET_DIGITS: Final = 6


@dataclass(frozen=True, slots=True)
class TypedCommand:
    name: str  # canonical: a key of `handlers.commands.COMMANDS`
    args: str = ""


def canonical(name: str) -> str:
    """The command a typed name stands for; an unknown name stays itself (it gets a hint)."""
    lowered = name.lower()
    return ALIASES.get(lowered, lowered)


def find_reference(text: str, prefix: str) -> str | None:
    """`KDR-26-000123` from "kdr-26-123", "KDR 26 000123" or "#kdr26000123"; None if absent."""
    match = _reference_match(text, prefix)
    if match is None:
        return None
    return f"{prefix.upper()}-{match['year']}-{int(match['number']):0{TICKET_DIGITS}d}"


def split_reference(text: str, prefix: str) -> tuple[str | None, str]:
    """(the reference in `text`, the words after it): "kdr-26-7 lubangnya makin lebar"."""
    match = _reference_match(text, prefix)
    if match is None:
        return None, text.strip()
    reference = find_reference(match.group(), prefix)
    return reference, text[match.end() :].strip(" \t\n:,-")


def _reference_match(text: str, prefix: str) -> re.Match[str] | None:
    """Only this deployment's prefix counts: "jl dhoho 12 3" is an address, not a reference."""
    for match in _REFERENCE.finditer(text):
        if match["prefix"].upper() == prefix.upper():
            return match
    return None


def typed_command(text: str, prefix: str) -> TypedCommand | None:
    """The command a whole message says, or None when it is anything else (a report, an answer)."""
    stripped = " ".join(text.split())
    if slash := _SLASH.match(stripped):
        return TypedCommand(canonical(slash["name"]), (slash["args"] or "").strip())
    if len(stripped) > 80:  # a command is short; a long message is a report
        return None
    reference = find_reference(stripped, prefix)
    if reference is not None:
        return _with_reference(stripped, reference, prefix)
    whole = " ".join(w.lower() for w in _WORD.findall(stripped))
    core = " ".join(_core_words(stripped))
    for said in (whole, core):  # "laporan saya" before "saya" is dropped as a courtesy word
        if said in LANGUAGE_PHRASES:
            return TypedCommand("bahasa", LANGUAGE_PHRASES[said])
        if said in PHRASES:
            if PHRASES[said] == "bantuan" and set(whole.split()) & ASKING_FOR_HELP:
                return None  # "mohon bantuan" asks for help with a problem: an opener
            return TypedCommand(PHRASES[said])
    head, _, rest = core.partition(" ")
    if canonical(head) == "bahasa" and rest in {"id", "en", "indonesia", "english", "inggris"}:
        return TypedCommand("bahasa", "en" if rest in {"en", "english", "inggris"} else "id")
    return None


def _with_reference(text: str, reference: str, prefix: str) -> TypedCommand | None:
    """ "status KDR-26-000123", or the reference alone (that asks for its status)."""
    match = _reference_match(text, prefix)
    if match is None:
        return None
    before = " ".join(_core_words(text[: match.start()]))
    after = " ".join(_core_words(text[match.end() :]))
    if not before and not after:
        return TypedCommand("status", reference)
    command = WITH_REFERENCE.get(before)
    if command is None:
        return None
    if command == "tambah" and after:
        return TypedCommand("tambah", f"{reference} {text[match.end() :].strip()}")
    if after:
        return None
    return TypedCommand(command, reference)


def _core_words(text: str) -> list[str]:
    """Lower-case words without the courtesy words at either end."""
    words = [w.lower() for w in _WORD.findall(text)]
    while words and words[0] in COURTESY:
        words.pop(0)
    while words and words[-1] in COURTESY:
        words.pop()
    return words
