"""A fake third-party API as a real aiohttp server on 127.0.0.1, port 0.

The shape of aiohttp's `examples/fake_server.py` FakeFacebook: our clients (python-telegram-bot's,
our aiohttp one) talk HTTP to it exactly as they would to the real service.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

from aiohttp import web


class LoopbackServer:
    """Subclasses record what their client sent in `sent`, and notify `_changed` on each."""

    _runner: web.AppRunner | None = None
    sent: list[dict[str, Any]]
    _changed: asyncio.Condition

    def sent_summary(self) -> Sequence[str | None]:
        """What a failing test shows of the messages that did arrive."""
        raise NotImplementedError

    async def wait_for_sent(
        self,
        n: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test helper: the deadline is the point
    ) -> list[dict[str, Any]]:
        """Wait until at least `n` messages were sent; fail with what did arrive otherwise."""
        try:
            async with asyncio.timeout(timeout):
                async with self._changed:
                    await self._changed.wait_for(lambda: len(self.sent) >= n)
        except TimeoutError:
            message = f"expected {n} sent messages within {timeout}s, got {self.sent_summary()}"
            raise AssertionError(message) from None
        return list(self.sent)

    async def start(self) -> str:
        """Build the app, `serve` it, and return the base URL the client is configured with."""
        raise NotImplementedError

    async def serve(self, app: web.Application) -> str:
        # a held request (a getUpdates long poll) must not keep stop() waiting for 60 s
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()
