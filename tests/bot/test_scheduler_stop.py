"""Stopping the scheduler ends its runs in flight, before the engine below it is disposed."""

from __future__ import annotations

import asyncio

from bot.scheduler import JobTasks


async def test_stopping_cancels_and_awaits_a_run_in_flight() -> None:
    runs = JobTasks()
    started, finished = asyncio.Event(), []

    async def slow_job() -> None:
        started.set()
        try:
            await asyncio.Event().wait()  # a sweep waiting on the database
        finally:
            finished.append(True)

    task = asyncio.create_task(runs.tracked(slow_job)())
    await started.wait()
    await asyncio.wait_for(runs.cancel_all(), timeout=5)
    assert finished == [True] and task.cancelled()


async def test_a_finished_run_is_forgotten() -> None:
    runs = JobTasks()

    async def quick_job() -> None:
        return None

    await runs.tracked(quick_job)()
    await asyncio.wait_for(runs.cancel_all(), timeout=5)  # nothing left to cancel
