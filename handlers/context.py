"""What handlers know of the deployment, handed in by the service (never read from the env)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from handlers.corrections import Learned
from routing.catalog import Catalog
from routing.matcher import Router


@dataclass(frozen=True, slots=True)
class Context:
    catalog: Catalog
    router: Router
    ticket_prefix: str = "KDR"
    timezone: str = "Asia/Jakarta"
    dialog_idle: timedelta = timedelta(minutes=60)
    max_text_chars: int = 4000  # a report is kept whole; what is shown is shortened to this
    # which stored routing corrections `router` has learned (handlers/corrections.py)
    learned: Learned = field(default_factory=Learned)
