"""Ingest benchmark: N Telegram updates from many residents, C connections, to the real webhook.

Prints acks/s, p50/p99 acknowledgement latency, the time until every reply was sent, and the
server's peak memory, beside a bare aiohttp handler (parse JSON, answer 200) measured the same way
in the same run: the ratio is the figure, since these machines are noisy.

    .venv/bin/python bench/ingest.py [--updates 2000] [--residents 400] [--concurrency 64]

Lapor runs as its own process (`lapor serve`, SQLite in a temp dir) against a fake Bot API on
loopback, as in production; replies are bounded by Telegram's own 30 messages/s, which the
adapter's rate limiter obeys, so "replies done" cannot beat N/30 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from db.engine import make_engine  # noqa: E402
from tests.fakes.telegram_api import TOKEN, FakeBotApi  # noqa: E402

SECRET = "bench-secret"
TEXTS = [
    "/start",
    "jalan depan rumah berlubang besar, sudah dua minggu",
    "sampah di TPS belum diangkut, bau sekali",
    "lampu jalan mati di gang 3",
    "air PDAM tidak mengalir sejak pagi",
    "ada pohon tumbang menutup jalan",
]
BARE_APP = """
import json, sys
from aiohttp import web
async def handle(request):
    json.loads(await request.read())
    return web.Response(text="ok")
app = web.Application()
app.router.add_post("/telegram/webhook", handle)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def update(n: int, resident: int) -> dict[str, Any]:
    user = {"id": 100000 + resident, "is_bot": False, "first_name": "Warga", "language_code": "id"}
    text = TEXTS[n % len(TEXTS)]
    message: dict[str, Any] = {
        "message_id": n + 1,
        "from": user,
        "chat": {"id": user["id"], "type": "private", "first_name": "Warga"},
        "date": 1767236400 + n,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": 900000000 + n, "message": message}


async def wait_http(url: str, timeout: float = 60) -> None:
    async with aiohttp.ClientSession() as http:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                async with http.get(url) as resp:
                    if resp.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


async def blast(url: str, updates: list[dict[str, Any]], concurrency: int) -> dict[str, float]:
    """POST every update with `concurrency` connections; latency of each acknowledgement."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for item in updates:
        queue.put_nowait(item)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def client() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                start = time.perf_counter()
                async with http.post(url, json=body, headers=headers) as resp:
                    await resp.read()
                latencies.append(time.perf_counter() - start)
                statuses[resp.status] = statuses.get(resp.status, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    if set(statuses) != {200}:
        raise RuntimeError(f"not every update was acknowledged: {statuses}")
    return {
        "acks_per_s": len(updates) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "elapsed_s": elapsed,
    }


async def updates_per_commit(port: int) -> float:
    """From Lapor's own /metrics: how many updates one inbox commit carried on average."""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/metrics") as resp:
            text = await resp.text()
    values = {
        line.split()[0]: float(line.split()[1])
        for line in text.splitlines()
        if line.startswith(("lapor_inbox_commits_total", "lapor_inbox_stored_total"))
    }
    return values["lapor_inbox_stored_total"] / max(values["lapor_inbox_commits_total"], 1)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def start(cmd: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(*cmd, env=env, cwd=ROOT)


async def stop(proc: asyncio.subprocess.Process) -> None:
    proc.terminate()
    await proc.wait()


async def measure_bare(updates: list[dict[str, Any]], concurrency: int) -> dict[str, float]:
    port = free_port()
    proc = await start([sys.executable, "-c", BARE_APP, str(port)], dict(os.environ))
    try:
        await wait_http(f"http://127.0.0.1:{port}/telegram/webhook")
        figures = await blast(f"http://127.0.0.1:{port}/telegram/webhook", updates, concurrency)
        figures["peak_mb"] = peak_rss_mb(proc.pid)
    finally:
        await stop(proc)
    return figures


async def pending(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            inbox = await conn.scalar(sa.text("SELECT count(*) FROM inbox WHERE done_at IS NULL"))
            outbox = await conn.scalar(
                sa.text("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL")
            )
            return int(inbox or 0) + int(outbox or 0)
    finally:
        await engine.dispose()


async def measure_lapor(
    updates: list[dict[str, Any]],
    concurrency: int,
    api: FakeBotApi,
    workdir: Path,
    pause: float,
    database_url: str | None,
) -> dict[str, float]:
    port = free_port()
    db_url = database_url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    env = dict(
        os.environ,
        DATABASE_URL=db_url,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        TELEGRAM_MODE="webhook",
        PUBLIC_BASE_URL="https://lapor.example.test",
        HTTP_PORT=str(port),
        LOG_LEVEL="WARNING",
    )
    lapor = [sys.executable, "-m", "bot"]
    migrate = await start([*lapor, "migrate"], env)
    await migrate.wait()
    proc = await start([*lapor, "serve"], env)
    try:
        await wait_http(f"http://127.0.0.1:{port}/healthz")
        await asyncio.sleep(pause)  # time to attach a profiler (py-spy record -p PID)
        started = time.perf_counter()
        figures = await blast(f"http://127.0.0.1:{port}/telegram/webhook", updates, concurrency)
        while await pending(db_url):
            await asyncio.sleep(0.2)
        figures["replies_done_s"] = time.perf_counter() - started
        figures["updates_per_commit"] = await updates_per_commit(port)
        figures["replies_sent"] = len(api.sent)
        figures["peak_mb"] = peak_rss_mb(proc.pid)
    finally:
        await stop(proc)
    return figures


def show(name: str, figures: dict[str, float], fmt: Callable[[str, float], str]) -> None:
    print(f"{name:>6}: " + ", ".join(fmt(k, v) for k, v in figures.items()))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--residents", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--pause", type=float, default=0, help="seconds before the Lapor blast")
    parser.add_argument(
        "--database-url",
        help="e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test (default: temp SQLite)",
    )
    args = parser.parse_args()
    updates = [update(n, n % args.residents) for n in range(args.updates)]
    print(
        f"{args.updates} updates from {args.residents} residents, "
        f"{args.concurrency} concurrent connections"
    )

    def fmt(key: str, value: float) -> str:
        return f"{key}={value:.1f}" if isinstance(value, float) else f"{key}={value}"

    bare = await measure_bare(updates, args.concurrency)
    show("bare", bare, fmt)
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeBotApi() as api:
            lapor = await measure_lapor(
                updates, args.concurrency, api, Path(tmp), args.pause, args.database_url
            )
    show("lapor", lapor, fmt)
    print(
        f"ratio: lapor acks/s = {lapor['acks_per_s'] / bare['acks_per_s']:.2f} x bare "
        f"(aim >= 0.5); p99 {lapor['p99_ms']:.1f} ms (aim < 50); "
        f"peak {lapor['peak_mb']:.0f} MB (aim < 300); replies floor at 30 msg/s: "
        f"{lapor['replies_sent'] / 30:.0f} s"
    )


if __name__ == "__main__":
    asyncio.run(main())
