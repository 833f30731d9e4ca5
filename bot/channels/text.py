"""Long texts cut into parts a channel accepts: shared by the Telegram and WhatsApp adapters."""

from __future__ import annotations

from typing import Final

MAX_PARTS: Final = 5  # a longer text is cut: a resident should never get a wall of messages


def _utf16_units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def split_text(text: str, limit: int, max_parts: int = MAX_PARTS) -> list[str]:
    """Cut a long text at line or word breaks into parts of at most `limit` (no empty ones).

    Counted in UTF-16 code units, as Telegram counts, so an emoji weighs two (for WhatsApp
    that errs on the safe side). Past `max_parts` the rest is cut
    with an ellipsis: a text that long is a bug upstream, and the resident should still get it.
    """
    parts: list[str] = []
    rest = text.strip()
    while rest and len(parts) < max_parts:
        size, cut = 0, 0
        for char in rest:
            size += _utf16_units(char)
            if size > limit:
                break
            cut += 1
        if cut < len(rest):
            window = rest[:cut]
            brk = window.rfind("\n")
            if brk <= cut // 2:
                brk = window.rfind(" ")
            if brk > cut // 2:
                cut = brk
        part, rest = rest[:cut].strip(), rest[cut:].strip()
        if rest and len(parts) == max_parts - 1:
            part = part[: len(part) - 2].rstrip() + " …"
        if part:
            parts.append(part)
    return parts
