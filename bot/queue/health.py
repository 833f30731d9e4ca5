"""What `/healthz` knows about this process's loops: which is failing, since when, and why."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class Health:
    """Loops report here; `/healthz` reads it. A loop task that ended is down too."""

    failing_since: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)

    def failing(self, name: str, exc: BaseException) -> None:
        self.failing_since.setdefault(name, time.monotonic())
        self.errors[name] = f"{type(exc).__name__}: {exc}"[:300]

    def ok(self, name: str) -> None:
        self.failing_since.pop(name, None)
        self.errors.pop(name, None)

    def watch(self, name: str, task: asyncio.Task[None]) -> None:
        self.tasks[name] = task

    def problems(self) -> dict[str, str]:
        """Loop name → what is wrong with it; empty when every loop runs."""
        found: dict[str, str] = {}
        for name, task in self.tasks.items():
            if task.done():
                found[name] = "stopped"
        for name, error in self.errors.items():
            found.setdefault(name, f"failing: {error}")
        return found
