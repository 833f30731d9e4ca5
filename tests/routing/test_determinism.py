"""Every instance of Lapor routes a message alike: two processes with other string hashes (Python
seeds them at random per process) give the same agency, confidence and candidates."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.routing.paths import REPO, STYLES_SET, TWOMAIN_SET

ROUTE_ALL = """
import json, sys
from routing.catalog import load_catalog
from routing.matcher import Router
from tests.routing.paths import SHIPPED_CATALOG
router = Router(load_catalog(SHIPPED_CATALOG))
out = []
for line in sys.stdin:
    result = router.route(json.loads(line)["text"])
    out.append([result.opd, result.confidence, list(result.candidates)])
print(json.dumps(out))
"""


def _routed_with_seed(seed: str, lines: str) -> list[object]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(  # noqa: S603  (this interpreter, our own script)
        [sys.executable, "-c", ROUTE_ALL],
        input=lines,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=True,
        timeout=120,
    )
    routed: list[object] = json.loads(done.stdout)
    return routed


def test_two_processes_route_every_message_alike() -> None:
    lines = "".join(
        path.read_text(encoding="utf-8") for path in (STYLES_SET, TWOMAIN_SET)
    )  # typos, look-alikes and two problems: where a tie would be broken by hash order
    first = _routed_with_seed("1", lines)
    assert len(first) > 500
    assert first == _routed_with_seed("3", lines)
