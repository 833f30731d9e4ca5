"""`lapor chat` over stdin: anyone can try the whole dialog on a fresh clone with no token."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

from tests.conftest import Database

ROOT = Path(__file__).resolve().parents[2]


async def run_chat(database: Database, lines: list[str], **extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_"))}
    env["CHAT_DATABASE_URL"] = database.url
    if database.schema:
        env["CHAT_DATABASE_SCHEMA"] = database.schema
    env.update(extra)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "chat",
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdin = "".join(f"{line}\n" for line in lines).encode()
    out, err = await asyncio.wait_for(proc.communicate(stdin), timeout=60)
    assert proc.returncode == 0, err.decode()
    return out.decode()


async def test_resident_gets_a_reference_in_the_terminal(database: Database) -> None:
    out = await run_chat(
        database,
        [
            "jalan berlubang besar, aspal rusak di depan Pasar Setonobetek",
            "lokasi -7.8165,112.0115",
            "1",  # [1] Lewati: no photo
            "1",  # [1] Kirim
        ],
    )
    assert "Lapor:" in out and "[1] Kirim" in out
    assert re.search(r"KDR-\d{2}-\d{6}", out), out


async def test_status_works_after_restart(database: Database) -> None:
    first = await run_chat(
        database, ["sampah di TPS belum diangkut seminggu, bau sekali", "1", "1", "1"]
    )
    ref = re.search(r"KDR-\d{2}-\d{6}", first)
    assert ref, first
    second = await run_chat(database, [f"/status {ref.group()}"])
    assert second.count(ref.group()) >= 1


async def test_command_words_work_in_the_terminal(database: Database) -> None:
    out = await run_chat(database, ["aspal rusak, jalan berlubang sudah sebulan", "batal", "menu"])
    assert "Laporan dibatalkan" in out and "Lokasi: batal" not in out
    assert "selamat datang" in out


async def test_the_console_keeps_off_the_citys_database(database: Database, tmp_path: Path) -> None:
    """Beside a running `make run`: test tickets take no real ticket number of the city."""
    city = tmp_path / "city.db"
    out = await run_chat(
        database,
        ["sampah di TPS belum diangkut seminggu, bau sekali", "1", "1", "1"],
        DATABASE_URL=f"sqlite+aiosqlite:///{city}",
    )
    assert re.search(r"KDR-\d{2}-\d{6}", out), out
    assert not city.exists()  # the city's database was never opened
