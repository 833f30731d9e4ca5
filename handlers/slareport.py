"""SLA compliance by agency over a period: what `lapor sla report` prints.

Each agency is judged by its own shares of tickets (handlers/slaclock.py): a share resolved
within both targets is on time; a share resolved late, or still open after a breach alert,
is late; a share still within its targets, or passed on before it was late, is not judged
yet. Times are working hours on the agency's calendar.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.sla import breaches_claimed, shares_started
from db.tables import SlaShare
from handlers.context import Context

HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class AgencyCompliance:
    code: str
    label: str
    shares: int  # tickets the agency held in the period (each reassignment is a share)
    judged: int
    on_time: int
    median_first_response_hours: float | None
    median_resolution_hours: float | None
    breaches: int  # breach alerts sent in the period

    @property
    def on_time_percent(self) -> float | None:
        return 100.0 * self.on_time / self.judged if self.judged else None


def verdict(share: SlaShare, breached: bool) -> bool | None:
    """True on time, False late, None not judged yet."""
    if share.resolution_seconds is not None:
        first = share.first_response_seconds or 0.0
        return (
            first <= share.first_response_target_seconds
            and share.resolution_seconds <= share.resolution_target_seconds
        )
    return False if breached else None


def median_hours(values: list[float]) -> float | None:
    return statistics.median(values) / HOUR if values else None


async def compliance(
    session: AsyncSession, ctx: Context, start: datetime, end: datetime
) -> list[AgencyCompliance]:
    shares, breached = await shares_started(session, start, end)
    breaches = await breaches_claimed(session, start, end)
    by_agency: dict[str, list[SlaShare]] = {}
    for share in shares:
        by_agency.setdefault(share.agency_code, []).append(share)
    found = []
    for code in sorted(set(by_agency) | set(breaches)):
        own = by_agency.get(code, [])
        verdicts = [verdict(s, (s.ticket_id, s.clock) in breached) for s in own]
        agency = ctx.catalog.by_code.get(code)
        found.append(
            AgencyCompliance(
                code=code,
                label=agency.label if agency is not None else code,
                shares=len(own),
                judged=sum(v is not None for v in verdicts),
                on_time=sum(v is True for v in verdicts),
                median_first_response_hours=median_hours(
                    [s.first_response_seconds for s in own if s.first_response_seconds is not None]
                ),
                median_resolution_hours=median_hours(
                    [s.resolution_seconds for s in own if s.resolution_seconds is not None]
                ),
                breaches=breaches.get(code, 0),
            )
        )
    return found
