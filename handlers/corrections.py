"""Officers' routing corrections, learned by every instance: at once by the one that handled
the correction, by the others within `ROUTING_LEARN_SECONDS`.

Each `lapor serve` keeps its own router in memory, trained at start from the corrections
stored then (`trained_router`). A correction (a reassignment, a triage pick) is stored and
learned at once by the instance that handled it (`learn_correction`); in every instance the
scheduler runs `learn_stored`, which reads the corrections stored after the last one its
router knows, by id, and teaches the router each one once.

An id is handed out when its row is inserted but seen only once its transaction commits, so
a lower id can turn up after a higher one (two instances committing in the other order): an
id passed over is looked for again for `HOLE_WAIT`, then given up (a rolled-back insert never
comes). A correction this instance learned itself is remembered by id, so that reading it
back does not teach it twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from db.routing_examples import add_example, examples_after
from routing.catalog import Catalog
from routing.matcher import Router

if TYPE_CHECKING:
    from handlers.context import Context

HOLE_WAIT = timedelta(minutes=10)  # far longer than any transaction of ours
MAX_HOLES = 256  # of one gap, the ids nearest the top are looked for again


@dataclass
class Learned:
    """Which stored corrections this process's router has learned."""

    last_id: int = 0  # every correction up to this id is learned, but for the holes
    holes: dict[int, datetime] = field(default_factory=dict)  # ids passed over, since when
    own: set[int] = field(default_factory=set)  # learned at once here, not yet read back

    @classmethod
    def loaded(cls, ids: Iterable[int], now: datetime) -> Learned:
        """What a router trained on the corrections with these ids knows."""
        learned = cls()
        for example_id in sorted(ids):
            learned.passed(example_id, now)
        return learned

    def passed(self, example_id: int, now: datetime) -> bool:
        """A stored correction was read; whether the router has yet to learn it."""
        if example_id > self.last_id:
            for missing in range(max(self.last_id + 1, example_id - MAX_HOLES), example_id):
                self.holes.setdefault(missing, now)
            self.last_id = example_id
        else:
            self.holes.pop(example_id, None)
        if example_id in self.own:
            self.own.discard(example_id)
            return False
        return True

    def expire(self, now: datetime) -> None:
        """Stop looking for ids passed over long ago: their inserts were rolled back."""
        for example_id, since in list(self.holes.items()):
            if now - since > HOLE_WAIT:
                del self.holes[example_id]
                self.own.discard(example_id)


async def trained_router(
    session: AsyncSession, catalog: Catalog, now: datetime
) -> tuple[Router, Learned]:
    """A router trained on every stored correction, and the record of what it knows."""
    stored = await examples_after(session, 0)
    router = Router(catalog, examples=[(text, code) for _, text, code in stored])
    return router, Learned.loaded((example_id for example_id, _, _ in stored), now)


async def learn_correction(
    session: AsyncSession, ctx: Context, text: str, code: str, *, source: str, now: datetime
) -> None:
    """Store a correction and teach this instance's router at once; the other instances
    learn it from the stored row (`learn_stored`)."""
    example = await add_example(session, text, code, source=source, now=now)
    ctx.router.learn(text, code)
    if example.id is not None:
        ctx.learned.own.add(example.id)


async def learn_stored(session: AsyncSession, ctx: Context, now: datetime) -> int:
    """Teach the router the corrections stored since the last it knows (another instance's,
    or `lapor route learn`'s); how many it learned."""
    learned = ctx.learned
    found = await examples_after(session, learned.last_id, learned.holes.keys())
    taught = 0
    for example_id, text, code in found:
        # a code the catalog no longer has is skipped, as at start-up
        if learned.passed(example_id, now) and code in ctx.catalog.by_code:
            ctx.router.learn(text, code)
            taught += 1
    learned.expire(now)
    return taught
