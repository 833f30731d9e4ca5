"""The SLA sweep: warnings, breach alerts and the escalation ladder, each sent exactly once.

A sweep looks only at tickets whose stored `sla_next_at` has come (an indexed query), works
out which rungs of the ladder they have reached, claims each alert by its unique key and
returns the messages for the claimed ones. The caller writes those as outbox rows in the
same transaction as the claims, so an alert and its messages commit together or not at all:
a crash mid-sweep, a sweep run twice, or two instances at once send every alert once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.sla import claim_alerts, due_tickets, set_next_looks
from db.tables import Ticket
from handlers.context import Context
from handlers.messages import Button, Outbound
from handlers.slaclock import Clock, Level, clock_of, moment, watched
from handlers.staff.buttons import tap_data
from handlers.texts import format_hours, format_moment, shorten, t

log = logging.getLogger(__name__)

STAFF_LANGUAGE = "id"  # officers and supervisors read Indonesian
SWEEP_BATCH = 1000  # tickets per transaction: bounded locks and memory, few commits
ALERT_DESCRIPTION_MAX = 160


@dataclass(frozen=True, slots=True)
class Alert:
    """One rung reached by one ticket's clock: the unit that is claimed and sent once."""

    ticket: Ticket
    clock: Clock
    target: str
    level: Level
    due_at: datetime  # when this rung was reached
    deadline: datetime  # when the target itself is (or was) due
    key: str  # `sla:<ticket>:<clock>:<target>:<level>`, unique in `sla_alert`

    def row(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "ticket_id": self.ticket.id,
            "agency_code": self.ticket.sla_agency_code,
            "target": self.target,
            "clock": self.ticket.sla_clock,
            "level": self.level.code,
            "due_at": self.due_at,
        }


@dataclass
class SweepBatch:
    """What one batch did: tickets looked at, alerts this batch won, messages to write."""

    tickets: int = 0
    alerts: list[Alert] = field(default_factory=list)
    outbounds: list[Outbound] = field(default_factory=list)


def reached(
    ticket: Ticket, clock: Clock | None, now: datetime
) -> tuple[list[Alert], datetime | None]:
    """The rungs of the watched target reached by `now`, and when the next one will be."""
    target = watched(ticket)
    if clock is None or target is None:
        return [], None
    found: list[Alert] = []
    deadline = moment(ticket, clock, target, 1.0)
    prefix = f"sla:{ticket.id}:{ticket.sla_clock}:{target}:"
    for level in clock.ladder:
        at = deadline if level.multiple == 1.0 else moment(ticket, clock, target, level.multiple)
        if at > now:
            return found, at
        found.append(Alert(ticket, clock, target, level, at, deadline, prefix + level.code))
    return found, None


async def sweep_batch(
    session: AsyncSession, ctx: Context, now: datetime, *, limit: int = SWEEP_BATCH
) -> SweepBatch:
    """One batch of due tickets, in the caller's transaction; run until `tickets < limit`."""
    batch = SweepBatch()
    tickets = await due_tickets(session, now, limit=limit)
    batch.tickets = len(tickets)
    candidates: list[Alert] = []
    looks: list[tuple[int, datetime | None]] = []
    for ticket in tickets:
        found, next_at = reached(ticket, clock_of(ticket, ctx.catalog), now)
        if ticket.id is not None:
            looks.append((ticket.id, next_at))
        candidates.extend(found)
    # One UPDATE for the batch, not one per ticket: the rows are ours (locked on PostgreSQL,
    # SQLite has one writer), and a sweep over a quiet weekend's backlog touches thousands.
    await set_next_looks(session, looks)
    won = await claim_alerts(session, [alert.row() for alert in candidates], now=now)
    for alert in candidates:
        if alert.key in won:
            batch.alerts.append(alert)
            batch.outbounds.extend(alert_messages(alert, ctx, now))
    return batch


def alert_chat(alert: Alert, ctx: Context) -> tuple[int | None, int | None]:
    """(chat, topic): warnings to the agency's group (or triage, where its cards wait),
    breaches to the supervisors, each escalation rung to its own chat."""
    catalog = ctx.catalog
    agency_code = alert.ticket.sla_agency_code
    if alert.level.escalation is not None:
        chat = catalog.escalation_chat(alert.level.escalation, agency_code)
        return chat.telegram_chat_id, chat.telegram_thread_id
    if alert.level.code == "breach":
        return catalog.supervisors.telegram_chat_id, catalog.supervisors.telegram_thread_id
    agency = catalog.by_code.get(agency_code or "")
    if agency is not None and agency.staff.telegram_chat_id is not None:
        return agency.staff.telegram_chat_id, agency.staff.telegram_thread_id
    return catalog.triage.telegram_chat_id, catalog.triage.telegram_thread_id


def alert_messages(alert: Alert, ctx: Context, now: datetime) -> list[Outbound]:
    chat_id, thread_id = alert_chat(alert, ctx)
    ticket = alert.ticket
    if chat_id is None:
        log.warning(
            "SLA %s for %s: no chat configured for this level", alert.level.code, ticket.ref
        )
        return []
    warning = alert.level.code == "warning"
    return [
        Outbound(
            channel="telegram",
            chat_id=str(chat_id),
            thread_id=thread_id,
            text=alert_text(alert, ctx, now),
            ticket_ref=ticket.ref,
            purpose="sla_alert",
            key=alert.key,
            # a warning answers the card in the agency's group; higher up, where no card is,
            # the alert itself offers the history and a reassignment
            reply_key=f"card:{ticket.ref}" if warning else None,
            buttons=() if warning else alert_buttons(ticket),
        )
    ]


def alert_buttons(ticket: Ticket) -> tuple[tuple[Button, ...], ...]:
    return (
        (
            Button(t(STAFF_LANGUAGE, "staff.button.history"), tap_data("hist", ticket)),
            Button(t(STAFF_LANGUAGE, "staff.button.reassign"), tap_data("mv", ticket)),
        ),
    )


def alert_text(alert: Alert, ctx: Context, now: datetime) -> str:
    say = STAFF_LANGUAGE
    ticket, clock = alert.ticket, alert.clock
    deadline = alert.deadline
    agency = ctx.catalog.by_code.get(ticket.sla_agency_code or "")
    params: dict[str, object] = {
        "ref": ticket.ref,
        "agency": agency.label if agency is not None else ticket.sla_agency_code,
        "target": t(say, f"sla.target.{alert.target}"),
        "due": format_moment(deadline, ctx.timezone, say),
        "description": shorten(ticket.description, ALERT_DESCRIPTION_MAX),
        "level": alert.level.escalation.name if alert.level.escalation else alert.level.code,
        "multiple": format_hours(alert.level.multiple, say),
    }
    late = clock.time.between(deadline, now)
    if alert.level.code == "warning":
        if now >= deadline:  # the sweep came late (the service was down): say so
            return t(say, "sla.warning_late", late=format_duration(late, say, clock), **params)
        left = clock.time.between(now, deadline)
        return t(say, "sla.warning", left=format_duration(left, say, clock), **params)
    key = "sla.breach" if alert.level.escalation is None else "sla.escalation"
    return t(say, key, late=format_duration(late, say, clock), **params)


def format_duration(span: timedelta, lang: str, clock: Clock) -> str:
    """Working time in the unit people count it in: minutes under an hour, else hours."""
    plain = ".plain" if clock.time.round_the_clock else ""
    minutes = span.total_seconds() / 60
    if minutes < 60:
        return t(lang, f"sla.duration.minutes{plain}", n=max(round(minutes), 1))
    return t(lang, f"sla.duration.hours{plain}", n=format_hours(round(minutes / 60, 1), lang))
