"""Where the routing tests find their data."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHIPPED_CATALOG = REPO / "routing" / "catalog" / "kediri.yaml"
DATA = Path(__file__).resolve().parent / "data"  # copied from the project's shared set
DEV_SET = DATA / "dev.jsonl"
LABELS = DATA / "labels.md"
FRESH_SET = Path(__file__).resolve().parent / "fresh.jsonl"
# Written blind to the catalog and dev set: tune on ids ending in an even digit, never the rest.
HOLDOUT_SET = Path(__file__).resolve().parent / "holdout.jsonl"
