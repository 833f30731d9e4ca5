"""Answers to messages that are not reports: a salam, a hello, "mau lapor", thanks, a test.

Residents open with courtesy before they say what is wrong, and close with thanks after the
receipt. Taking those for a report starts a draft no officer can use (or saves "terima kasih"
as the location), so the router tags them (`RouteResult.small_talk`, routing/smalltalk.py) and
this module answers in kind: Wa'alaikumsalam for a salam, the time of day for a greeting,
"masalah apa?" for an opener, a short thanks back, and then the question about the problem.
It never classifies a text itself: the router's tags decide.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from db.tables import TicketStatus
from db.tickets import recent_tickets
from handlers.messages import Outbound
from handlers.texts import t
from handlers.turn import Turn

# Tags that are courtesy whatever the step; "question", "spam" and "other" mid-report may be
# an answer the router cannot place (an address is no complaint either), so they count idle only.
COURTESY_TAGS = frozenset({"salam", "greeting", "opener", "thanks", "farewell", "test"})
CLOSING_TAGS = frozenset({"thanks", "farewell"})  # after these, no question about a problem
CLOSED = frozenset({TicketStatus.CLOSED, TicketStatus.REJECTED})


def time_of_day(now: datetime, timezone: str) -> str:
    """pagi until 11, siang until 15, sore until 18, then malam: as Kediri greets."""
    hour = now.astimezone(ZoneInfo(timezone)).hour
    if 4 <= hour < 11:
        return "morning"
    if 11 <= hour < 15:
        return "midday"
    if 15 <= hour < 18:
        return "afternoon"
    return "night"


def greeting_lines(turn: Turn, tags: tuple[str, ...]) -> list[str]:
    """A salam is answered with its answer; any other greeting with the time of day."""
    if "salam" in tags:
        return [t(turn.lang, "smalltalk.salam")]
    if "greeting" in tags:
        when = time_of_day(turn.now, turn.ctx.timezone)
        return [t(turn.lang, f"smalltalk.greeting.{when}")]
    return []


async def answer(turn: Turn, tags: tuple[str, ...]) -> list[Outbound]:
    """While no report is open: answer in kind, then ask about the problem (unless a goodbye)."""
    lines = greeting_lines(turn, tags)
    if "spam" in tags:
        return [turn.say("smalltalk.spam")]
    if "thanks" in tags:
        lines.append(await thanks_line(turn))
    if "farewell" in tags:
        lines.append(t(turn.lang, "smalltalk.farewell"))
    if "test" in tags:
        lines.append(t(turn.lang, "smalltalk.test"))
    if "question" in tags:
        lines.append(t(turn.lang, "smalltalk.question"))
    if not set(tags) & CLOSING_TAGS:
        lines.append(t(turn.lang, "smalltalk.opener" if "opener" in tags else "smalltalk.ask"))
    return [turn.write("\n".join(lines))]


async def thanks_line(turn: Turn) -> str:
    """Thanks back; after a report, the promise that news comes here."""
    latest = await recent_tickets(turn.session, turn.resident_id, 1)
    if latest and latest[0].ref and latest[0].status not in CLOSED:
        return t(turn.lang, "smalltalk.thanks_after_report", ref=latest[0].ref)
    return t(turn.lang, "smalltalk.thanks")


def lead_mid_report(turn: Turn, tags: tuple[str, ...]) -> str | None:
    """In the middle of a report: a word back before the current question, or None."""
    if not set(tags) & COURTESY_TAGS:
        return None
    lines = greeting_lines(turn, tags)
    if set(tags) & CLOSING_TAGS:
        lines.append(t(turn.lang, "smalltalk.thanks_mid_report"))
    return "\n".join(lines) or t(turn.lang, "smalltalk.go_on")
