"""Routing corrections stored by one instance are learned by another, each once, whatever the
order their transactions commit in; on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from bot.config import DEFAULT_CATALOG
from db.engine import Sessions
from db.tables import RoutingExample
from handlers.context import Context
from handlers.corrections import HOLE_WAIT, learn_correction, learn_stored, trained_router
from routing.catalog import load_catalog
from tests.handlers.conftest import NOW
from tests.handlers.staffdesk import LearningRouter, staff_ctx

VAGUE = "tolong dibantu pak, ada masalah di depan rumah saya"  # the router alone: triage
LOOK_ALIKE = "tolong dibantu pak, ada masalah di depan rumah kami"


def taught(ctx: Context) -> list[tuple[str, str]]:
    assert isinstance(ctx.router, LearningRouter)
    return ctx.router.learned


async def store(sessions: Sessions, example_id: int, text: str, code: str = "DLHKP") -> None:
    """A correction another instance committed, with the id its insert was given."""
    async with sessions.begin() as session:
        session.add(RoutingExample(id=example_id, text=text, agency_code=code, created_at=NOW))


async def run_job(sessions: Sessions, ctx: Context, *, after: timedelta = timedelta()) -> int:
    async with sessions() as session:
        return await learn_stored(session, ctx, NOW + after)


async def test_a_correction_made_in_one_instance_is_learned_by_the_other_once(
    sessions: Sessions,
) -> None:
    here, there = staff_ctx(), staff_ctx()
    async with sessions.begin() as session:
        await learn_correction(session, here, "sampah di selokan", "DLHKP", source="x", now=NOW)
    assert taught(here) == [("sampah di selokan", "DLHKP")]
    assert taught(there) == []
    assert await run_job(sessions, there) == 1
    assert taught(there) == [("sampah di selokan", "DLHKP")]
    for ctx in (here, there):  # read back here, read again there: nothing learned twice
        assert await run_job(sessions, ctx) == 0
        assert taught(ctx) == [("sampah di selokan", "DLHKP")]


async def test_a_correction_committed_after_a_later_one_is_learned_too(
    sessions: Sessions,
) -> None:
    ctx = staff_ctx()
    await store(sessions, 7, "seventh")
    assert await run_job(sessions, ctx) == 1
    await store(sessions, 5, "fifth")  # inserted before the seventh, committed after it
    await store(sessions, 8, "eighth")
    assert await run_job(sessions, ctx) == 2
    assert taught(ctx) == [("seventh", "DLHKP"), ("fifth", "DLHKP"), ("eighth", "DLHKP")]
    assert 6 in ctx.learned.holes  # may still come...
    await run_job(sessions, ctx, after=HOLE_WAIT + timedelta(seconds=1))
    assert ctx.learned.holes == {}  # ...until it is given up: that insert was rolled back


async def test_a_code_the_catalog_no_longer_has_is_skipped(sessions: Sessions) -> None:
    ctx = staff_ctx()
    await store(sessions, 1, "dinas yang sudah dibubarkan", code="DINAS_LAMA")
    assert await run_job(sessions, ctx) == 0
    assert taught(ctx) == []


async def test_a_router_trained_at_start_learns_the_stored_ones_once(
    sessions: Sessions,
) -> None:
    await store(sessions, 1, VAGUE, code="BPBD")
    catalog = load_catalog(DEFAULT_CATALOG)
    async with sessions() as session:
        router, learned = await trained_router(session, catalog, NOW)
    ctx = Context(catalog=catalog, router=router, learned=learned)
    assert router.route(LOOK_ALIKE).opd == "BPBD"
    assert await run_job(sessions, ctx) == 0
    assert router.examples == [(VAGUE, "BPBD")]
