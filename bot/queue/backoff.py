"""How long to wait before trying again: one formula for the inbox and the outbox."""

from __future__ import annotations

import random


def backoff(attempt: int, *, base: float = 2.0, cap: float = 600.0) -> float:
    """Seconds before retry `attempt` (1-based): doubling, capped, with jitter against herds."""
    delay: float = min(cap, base * 2.0 ** (attempt - 1))
    return delay * random.uniform(0.8, 1.2)  # noqa: S311  (jitter, not security)


# A database outage is nobody's input at fault: the row waits this long, and no attempt counts.
OUTAGE_RETRY_SECONDS = 5.0
