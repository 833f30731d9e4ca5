"""Where the routing tests find their data."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHIPPED_CATALOG = REPO / "routing" / "catalog" / "kediri.yaml"
DEV_SET = REPO.parent / "shared" / "data" / "routing" / "dev.jsonl"
FRESH_SET = Path(__file__).resolve().parent / "fresh.jsonl"
