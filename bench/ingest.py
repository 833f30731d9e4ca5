"""Ingest benchmark: N Telegram updates from many residents, C connections, to the real webhook.

Prints acks/s, p50/p99 acknowledgement latency, the time until every reply was sent, the gap
between "Telegram accepted" and "marked sent", and the server's peak memory, beside a bare
aiohttp handler (parse JSON, answer 200) measured the same way in the same run: the ratio is the
figure, since these machines are noisy. Bare and Lapor runs alternate, `--pairs` times, and the
median ratio is reported; on SQLite each pair runs Lapor with `synchronous=FULL` (the default:
an acknowledged update survives a power cut) and with `NORMAL`, and prints what FULL costs.

    .venv/bin/python bench/ingest.py [--updates 2000] [--residents 400] [--concurrency 64]
        [--pairs 5] [--instances 2 --database-url postgresql+asyncpg://...]

`--instances 2` runs two `lapor serve` processes on one database, each taking half the
connections (as behind a load balancer), beside one instance: throughput of one and two.

Lapor runs as its own process (`lapor serve`, SQLite in a temp dir) against a fake Bot API on
loopback, as in production; replies are bounded by Telegram's own 30 messages/s, which the
adapter's rate limiter obeys, so "replies done" cannot beat N/30 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
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


async def blast(
    urls: str | list[str], updates: list[dict[str, Any]], concurrency: int
) -> dict[str, float]:
    """POST every update with `concurrency` connections (shared among `urls`); latencies."""
    if isinstance(urls, str):
        urls = [urls]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for item in updates:
        queue.put_nowait(item)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def client(url: str) -> None:
            while not queue.empty():
                body = queue.get_nowait()
                start = time.perf_counter()
                async with http.post(url, json=body, headers=headers) as resp:
                    await resp.read()
                latencies.append(time.perf_counter() - start)
                statuses[resp.status] = statuses.get(resp.status, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(client(urls[n % len(urls)]) for n in range(concurrency)))
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


async def scrape(port: int) -> dict[str, float]:
    """Lapor's own /metrics, summed over label sets."""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/metrics") as resp:
            text = await resp.text()
    values: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("lapor_"):
            name, value = line.rsplit(" ", 1)
            values[name] = values.get(name, 0.0) + float(value)
    return values


def updates_per_commit(metrics: dict[str, float]) -> float:
    """How many updates one inbox commit carried on average."""
    stored = metrics.get("lapor_inbox_stored_total", 0.0)
    return stored / max(metrics.get("lapor_inbox_commits_total", 1.0), 1.0)


def gap_quantile(metrics: dict[str, float], q: float) -> float:
    """The accepted → marked-sent gap at quantile `q`, in ms: the upper bound of its bucket."""
    prefix = "lapor_outbox_mark_sent_seconds_bucket{le="
    buckets = sorted(
        (float(k[len(prefix) :].strip('}"')), v) for k, v in metrics.items() if k.startswith(prefix)
    )
    if not buckets or buckets[-1][1] == 0:
        return float("nan")
    total = buckets[-1][1]
    for bound, count in buckets:
        if count >= q * total:
            return bound * 1000
    return float("inf")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
        cpu = cpu_seconds(proc.pid)
        figures = await blast(f"http://127.0.0.1:{port}/telegram/webhook", updates, concurrency)
        figures["cpu_us_per_update"] = (cpu_seconds(proc.pid) - cpu) / len(updates) * 1e6
        figures["peak_mb"] = peak_rss_mb(proc.pid)
    finally:
        await stop(proc)
    return figures


async def pending(db_url: str, schema: str) -> int:
    engine = make_engine(db_url, schema=schema or None)
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
    database: tuple[str, str],
    pause: float,
    *,
    instances: int = 1,
    synchronous: str = "FULL",
    ack_only: bool = False,
) -> dict[str, float]:
    ports = [free_port() for _ in range(instances)]
    db_url, schema = database
    base = dict(
        os.environ,
        DATABASE_URL=db_url,
        DATABASE_SCHEMA=schema,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        TELEGRAM_MODE="webhook",
        PUBLIC_BASE_URL="https://lapor.example.test",
        LOG_LEVEL="WARNING",
        SQLITE_SYNCHRONOUS=synchronous,
        SLA_SWEEP_SECONDS="0",
    )
    lapor = [sys.executable, "-m", "bot"]
    migrate = await start([*lapor, "migrate"], base)
    await migrate.wait()
    api.sent.clear()
    procs = [await start([*lapor, "serve"], dict(base, HTTP_PORT=str(p))) for p in ports]
    try:
        for port in ports:
            await wait_http(f"http://127.0.0.1:{port}/healthz")
        await asyncio.sleep(pause)  # time to attach a profiler (py-spy record -p PID)
        started = time.perf_counter()
        urls = [f"http://127.0.0.1:{p}/telegram/webhook" for p in ports]
        cpu = sum(cpu_seconds(proc.pid) for proc in procs)
        figures = await blast(urls, updates, concurrency)
        # the acknowledgements' CPU (and whatever background work ran during the burst)
        spent = sum(cpu_seconds(proc.pid) for proc in procs) - cpu
        figures["cpu_us_per_update"] = spent / len(updates) * 1e6
        while not ack_only and await pending(db_url, schema):
            await asyncio.sleep(0.2)
        figures["replies_done_s"] = time.perf_counter() - started
        metrics: dict[str, float] = {}
        for port in ports:
            for key, value in (await scrape(port)).items():
                metrics[key] = metrics.get(key, 0.0) + value
        figures["updates_per_commit"] = updates_per_commit(metrics)
        figures["sent_gap_p50_ms"] = gap_quantile(metrics, 0.5)
        figures["sent_gap_max_ms"] = gap_quantile(metrics, 1.0)
        figures["replies_sent"] = len(api.sent)
        figures["peak_mb"] = max(peak_rss_mb(proc.pid) for proc in procs)
    finally:
        for proc in procs:
            await stop(proc)
    return figures


@contextlib.asynccontextmanager
async def fresh_database(db_url: str | None, workdir: Path) -> AsyncIterator[tuple[str, str]]:
    """Each run starts empty (the same update ids are posted again): a new SQLite file, or a
    new PostgreSQL schema dropped afterwards. Yields (DATABASE_URL, DATABASE_SCHEMA)."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    if db_url is None:
        yield f"sqlite+aiosqlite:///{workdir / name}.db", ""
        return
    admin = make_engine(db_url)
    async with admin.begin() as conn:
        await conn.execute(sa.text(f"CREATE SCHEMA {name}"))
    try:
        yield db_url, name
    finally:
        async with admin.begin() as conn:
            await conn.execute(sa.text(f"DROP SCHEMA {name} CASCADE"))
        await admin.dispose()


def show(name: str, figures: dict[str, float], fmt: Callable[[str, float], str]) -> None:
    print(f"{name:>6}: " + ", ".join(fmt(k, v) for k, v in figures.items()))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--residents", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--pairs", type=int, default=5, help="bare/Lapor pairs (median)")
    parser.add_argument("--instances", type=int, default=1, help="2: one vs two instances")
    parser.add_argument("--pause", type=float, default=0, help="seconds before the Lapor blast")
    parser.add_argument(
        "--ack-only", action="store_true", help="do not wait for the replies (no gap figures)"
    )
    parser.add_argument(
        "--database-url",
        help="e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test (default: temp SQLite)",
    )
    args = parser.parse_args()
    updates = [update(n, n % args.residents) for n in range(args.updates)]
    print(
        f"{args.updates} updates from {args.residents} residents, "
        f"{args.concurrency} concurrent connections, {args.pairs} pairs"
    )

    def fmt(key: str, value: float) -> str:
        return f"{key}={value:.1f}" if isinstance(value, float) else f"{key}={value}"

    with tempfile.TemporaryDirectory() as tmp:
        sqlite = args.database_url is None
        variants = [("FULL", 1), ("NORMAL", 1)] if sqlite else [("FULL", 1)]
        if args.instances > 1:
            variants.append(("FULL", args.instances))
        ratios: dict[tuple[str, int], list[float]] = {v: [] for v in variants}
        runs: dict[tuple[str, int], list[dict[str, float]]] = {v: [] for v in variants}
        bare_cpu: list[float] = []
        async with FakeBotApi() as api:
            for pair in range(args.pairs):
                for variant in variants:
                    bare = await measure_bare(updates, args.concurrency)
                    async with fresh_database(args.database_url, Path(tmp)) as database:
                        lapor = await measure_lapor(
                            updates,
                            args.concurrency,
                            api,
                            database,
                            args.pause,
                            synchronous=variant[0],
                            instances=variant[1],
                            ack_only=args.ack_only,
                        )
                    ratios[variant].append(lapor["acks_per_s"] / bare["acks_per_s"])
                    bare_cpu.append(bare["cpu_us_per_update"])
                    runs[variant].append(lapor)
                    show(f"{pair + 1} bare", bare, fmt)
                    show(f"{pair + 1} {variant[0]}x{variant[1]}", lapor, fmt)
    print()
    print(f"bare: {statistics.median(bare_cpu):.0f} us CPU per update")
    for variant in variants:
        median = statistics.median(ratios[variant])
        spread = f"{min(ratios[variant]):.2f}-{max(ratios[variant]):.2f}"
        last = runs[variant]
        gap50 = statistics.median(r["sent_gap_p50_ms"] for r in last)
        gapmax = max(r["sent_gap_max_ms"] for r in last)
        acks = statistics.median(r["acks_per_s"] for r in last)
        cpu = statistics.median(r["cpu_us_per_update"] for r in last)
        p99 = statistics.median(r["p99_ms"] for r in last)
        print(
            f"synchronous={variant[0]} instances={variant[1]}: lapor acks/s = {median:.2f} x bare"
            f" (median of {len(last)}, spread {spread}; aim >= 0.5, 0.8); {acks:.0f} acks/s;"
            f" p99 {p99:.1f} ms; {cpu:.0f} us CPU per update during the burst;"
            f" accepted->marked sent p50 <= {gap50:.1f} ms,"
            f" max <= {gapmax:.0f} ms"
        )
    if sqlite:
        full = statistics.median(ratios[("FULL", 1)])
        normal = statistics.median(ratios[("NORMAL", 1)])
        print(f"cost of synchronous=FULL: {full / normal:.2f} x the NORMAL throughput")
    if args.instances > 1:
        one = statistics.median(r["acks_per_s"] for r in runs[("FULL", 1)])
        more = statistics.median(r["acks_per_s"] for r in runs[("FULL", args.instances)])
        print(
            f"one instance: {one:.0f} acks/s; {args.instances} instances: {more:.0f} acks/s"
            f" ({more / one:.2f} x)"
        )


if __name__ == "__main__":
    asyncio.run(main())
