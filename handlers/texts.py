"""Every sentence a person reads, looked up by key in one catalogue per language.

The catalogues are `handlers/locales/<lang>.yaml`, flat `key: text` maps with `{placeholders}`.
Keeping the words out of the code lets a translator or the city's editor change them without
touching a handler, and a test keeps both languages with the same keys and placeholders.
A key missing in English falls back to Indonesian, the language every resident can be served in.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

import yaml

DEFAULT_LANGUAGE = "id"
LANGUAGES = ("id", "en")
ELLIPSIS = "…"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The texts of one language, read once from the package."""
    source = resources.files("handlers").joinpath("locales", f"{lang}.yaml")
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"locales/{lang}.yaml: expected a mapping of key: text")
    return {str(key): str(value) for key, value in raw.items()}


def t(lang: str, key: str, **params: object) -> str:
    """The text for `key` in `lang` (else Indonesian), with `params` filled in."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    texts = catalogue(lang)
    template = texts.get(key)
    if template is None:
        template = catalogue(DEFAULT_LANGUAGE)[key]
    return template.format_map(params)


def status_label(lang: str, status: str) -> str:
    return t(lang, f"status.{status}")


def shorten(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def text_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units), never less than WhatsApp's count."""
    return len(text.encode("utf-16-le")) // 2


def format_hours(hours: float, lang: str) -> str:
    """8.0 -> "8"; 1.5 -> "1,5" in Indonesian, "1.5" in English."""
    text = f"{hours:g}"
    return text.replace(".", ",") if lang == "id" else text


def format_moment(at: datetime, timezone: str, lang: str) -> str:
    """`Senin 12-01-2026 15:30 WIB`: the city's time, with the day, as people say it."""
    local = at.astimezone(ZoneInfo(timezone))
    return t(
        lang,
        "sla.moment",
        day=t(lang, f"sla.day.{local.weekday()}"),
        date=local.strftime("%d-%m-%Y"),
        time=local.strftime("%H:%M"),
        zone=local.strftime("%Z"),
    )
