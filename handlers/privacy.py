"""Residents' personal data kept out of what officers read: phone numbers, e-mail addresses and
identity numbers (NIK, the KK number).

A resident writes "hubungi saya 0812-3456-7890" or "NIK saya 3571 0112 3456 7890" into a
report; the description goes to a staff group that many people read and may forward. Text shown
to officers passes through `mask_personal`; the resident's own copy of their words stays whole.
Only symbols replace what is hidden (no words: texts people read live in the catalogues), and
the last digits stay, so two officers can still tell two numbers apart. Coordinates, ticket
references and amounts are not phone numbers: a number must start like an Indonesian one (0,
62, +62) and be 9 to 15 digits long. An identity number is 16 digits, written whole or in
groups with one kind of separator (space, dot or dash); a pair of coordinates typed with a dot
and a space is not one. Log lines pass through `mask_personal` too (`bot/logmask.py`, with
`*`): this module is where the patterns live.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+)@((?:[\w-]+\.)+)([A-Za-z]{2,})(?![\w-])")
# 0812-3456-7890, +62 812 3456 7890, (0354) 682 955, 62812345678901
_PHONE = re.compile(r"(?<![\w.,/-])(?:\+62|62|\(?0)[\d\s().-]{7,20}\d(?![\w])")
# 3571011234567890, 3571 0112 3456 7890, 35.71.01.120590.0001: 16 digits, no more
_IDENTITY = re.compile(r"(?<!\d)(?<!\d[ .,-])\d(?:[ .-]?\d){15}(?![ .-]?\d)")
_KEEP = 3  # trailing digits left visible
_HIDDEN = "•"


def mask_personal(text: str, hidden: str = _HIDDEN) -> str:
    """`text` with every identity number, phone number and e-mail address masked by `hidden`."""
    text = _EMAIL.sub(lambda m: _mask_email(m, hidden), mask_identity_numbers(text, hidden))
    return _PHONE.sub(lambda m: _mask_phone(m, hidden), text)


def mask_identity_numbers(text: str, hidden: str = _HIDDEN) -> str:
    """`text` with every NIK or KK number masked by `hidden`, all but its last digits.

    First, before phone numbers: a group of a spaced NIK may look like the start of a phone
    number ("3571 0812 3456 7890")."""

    def mask(match: re.Match[str]) -> str:
        found = match.group()
        if len({char for char in found if not char.isdigit()}) > 1:
            return found  # "-7.816895 112.011230": two numbers, not one
        return _hide_digits(found, 16, hidden)

    return _IDENTITY.sub(mask, text)


def _mask_phone(match: re.Match[str], hidden: str) -> str:
    found = match.group()
    digits = sum(c.isdigit() for c in found)
    return _hide_digits(found, digits, hidden) if 9 <= digits <= 15 else found


def _hide_digits(found: str, digits: int, hidden: str) -> str:
    left, out = digits - _KEEP, []
    for char in found:
        if char.isdigit() and left > 0:
            out.append(hidden)
            left -= 1
        else:
            out.append(char)
    return "".join(out)


def _mask_email(match: re.Match[str], hidden: str) -> str:
    local, _, tld = match.groups()
    return f"{local[0]}{hidden * 3}@{hidden * 3}.{tld}"
