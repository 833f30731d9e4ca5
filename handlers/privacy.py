"""Residents' contact details kept out of what officers read: phone numbers and e-mail addresses.

A resident writes "hubungi saya 0812-3456-7890" into a report; the description goes to a staff
group that many people read and may forward. Text shown to officers passes through
`mask_contacts`; the resident's own copy of their words stays whole. Only symbols replace what
is hidden (no words: texts people read live in the catalogues), and the last digits stay, so
two officers can still tell two numbers apart. Coordinates, ticket references and amounts are
not phone numbers: a number must start like an Indonesian one (0, 62, +62) and be 9 to 15
digits long.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+)@((?:[\w-]+\.)+)([A-Za-z]{2,})(?![\w-])")
# 0812-3456-7890, +62 812 3456 7890, (0354) 682 955, 62812345678901
_PHONE = re.compile(r"(?<![\w.,/-])(?:\+62|62|\(?0)[\d\s().-]{7,20}\d(?![\w])")
_KEEP = 3  # trailing digits left visible


def mask_contacts(text: str) -> str:
    """`text` with every phone number and e-mail address masked."""
    return _PHONE.sub(_mask_phone, _EMAIL.sub(_mask_email, text))


def _mask_phone(match: re.Match[str]) -> str:
    found = match.group()
    digits = sum(c.isdigit() for c in found)
    if not 9 <= digits <= 15:
        return found
    hidden, out = digits - _KEEP, []
    for char in found:
        if char.isdigit() and hidden > 0:
            out.append("•")
            hidden -= 1
        else:
            out.append(char)
    return "".join(out)


def _mask_email(match: re.Match[str]) -> str:
    local, _, tld = match.groups()
    return f"{local[0]}•••@•••.{tld}"
