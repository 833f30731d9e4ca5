"""The data of officers' buttons: `st:<action>:<ticket id>:<version>[:<arg>]`, at most 64 bytes.

Its own small module because the card, the prompts and the SLA alerts all make them.
"""

from __future__ import annotations

from db.tables import Ticket

BUTTON_DATA_MAX = 64  # Telegram's callback_data limit, in bytes


def tap_data(action: str, ticket: Ticket, arg: str = "") -> str:
    """The ticket's version rides along: a tap after the ticket moved on is stale."""
    data = f"st:{action}:{ticket.id}:{ticket.version}" + (f":{arg}" if arg else "")
    if len(data.encode()) > BUTTON_DATA_MAX:
        raise ValueError(f"button data longer than {BUTTON_DATA_MAX} bytes: {data!r}")
    return data
