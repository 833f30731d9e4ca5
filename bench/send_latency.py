"""Send latency through the adapters: a Telegram text, a WhatsApp text, a stored photo uploaded.

Each send goes through the real adapter (python-telegram-bot's client, our aiohttp client) to
the fake Bot API / Graph API on loopback, beside a baseline measured the same way in the same
run: one bare aiohttp POST of the same size to the same fake. The ratio is the figure (these
machines are noisy); the absolute p99 of the photo upload is what the send timeouts
(TELEGRAM_SEND_TIMEOUT, WHATSAPP_SEND_TIMEOUT) must stay well above, with the channel's own
processing on top (the fakes answer at once; Telegram and Graph take seconds for a photo).

    .venv/bin/python bench/send_latency.py [--sends 300] [--photo-kb 1500]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
from PIL import Image
from sqlmodel import SQLModel

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import db.tables  # noqa: E402, F401  (registers the tables)
from bot.channels.base import Outbound, OutboundKind  # noqa: E402
from bot.channels.media import MediaStore  # noqa: E402
from bot.channels.telegram import TelegramChannel  # noqa: E402
from bot.channels.whatsapp import WhatsAppChannel  # noqa: E402
from db.engine import make_engine, make_sessions  # noqa: E402
from tests.fakes.graph_api import PHONE_NUMBER_ID, FakeGraphApi  # noqa: E402
from tests.fakes.settings import channel_settings  # noqa: E402
from tests.fakes.telegram_api import FakeBotApi  # noqa: E402

TEXT = "Laporan KDR-26-000123 sudah diterima Dinas PUPR dan akan ditangani. " * 3
RESIDENT = "555001"  # a private chat: a group's 20 messages a minute would pace every send
PACE = 0.04  # seconds between sends
SITI = "6281200000001"


def photo(kb: int) -> bytes:
    """A phone-sized JPEG of about `kb` kilobytes (noise compresses badly, like a real photo)."""
    side = 400
    while True:
        rng = random.Random(side)
        image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85)
        if out.tell() >= kb * 1024 or side > 4000:
            return out.getvalue()
        side = int(side * 1.3)


async def timed(n: int, send: Callable[[], Awaitable[object]]) -> list[float]:
    """Each send's own time, paced below Telegram's 30 messages/s so that the adapter's rate
    limiter (a wait the outbox chose, not send latency) stays out of the figure."""
    for _ in range(min(10, n)):  # warm up: connections, PTB's first-call work
        await send()
        await asyncio.sleep(PACE)
    took = []
    for _ in range(n):
        start = time.perf_counter()
        await send()
        took.append(time.perf_counter() - start)
        await asyncio.sleep(PACE)
    return took


def line(name: str, took: list[float], base: list[float] | None = None) -> str:
    q = statistics.quantiles(took, n=100)
    p50, p99 = statistics.median(took), q[98]
    text = f"{name:<34} p50 {p50 * 1000:7.2f} ms   p99 {p99 * 1000:7.2f} ms"
    if base:
        text += f"   ({p50 / statistics.median(base):4.1f}x the bare POST's p50)"
    return text


async def main(sends: int, photo_kb: int) -> None:
    data = photo(photo_kb)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        async with engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.create_all)
        store = MediaStore(make_sessions(engine))
        media_id = await store.save("whatsapp", "bench-photo", "image/jpeg", data)
        async with FakeBotApi() as tg, FakeGraphApi() as wa, aiohttp.ClientSession() as http:
            settings = channel_settings(tg, wa)
            telegram = TelegramChannel(settings, media=store)
            whatsapp = WhatsAppChannel(settings, media=store)
            await telegram.start()
            await whatsapp.start()
            try:
                tg_url = f"{tg.base_url}{tg.token}/sendMessage"
                wa_url = f"{wa.base_url}/{PHONE_NUMBER_ID}/messages"
                wa_headers = {"Authorization": f"Bearer {wa.token}"}
                wa_body = {"messaging_product": "whatsapp", "to": SITI, "type": "text",
                           "text": {"body": TEXT}}  # fmt: skip

                async def bare_tg() -> None:
                    form = {"chat_id": RESIDENT, "text": TEXT}
                    async with http.post(tg_url, data=form) as resp:
                        assert resp.status == 200, await resp.text()

                async def bare_wa() -> None:
                    async with http.post(wa_url, json=wa_body, headers=wa_headers) as resp:
                        assert resp.status == 200, await resp.text()

                async def bare_upload() -> None:
                    form = aiohttp.FormData({"chat_id": RESIDENT})
                    form.add_field("photo", data, filename="p.jpg", content_type="image/jpeg")
                    async with http.post(f"{tg.base_url}{tg.token}/sendPhoto", data=form) as resp:
                        assert resp.status == 200, await resp.text()

                text_out = Outbound(channel="telegram", chat_id=RESIDENT, text=TEXT)
                wa_out = Outbound(channel="whatsapp", chat_id=SITI, text=TEXT)
                photo_out = Outbound(
                    channel="telegram",
                    chat_id=RESIDENT,
                    kind=OutboundKind.PHOTO,
                    media=f"media:{media_id}",
                    text="Foto laporan KDR-26-000123",
                )
                wa_photo = Outbound(
                    channel="whatsapp",
                    chat_id=SITI,
                    kind=OutboundKind.PHOTO,
                    media=f"media:{media_id}",
                    text="Foto perbaikan",
                )
                photos = max(20, sends // 10)
                figures: list[tuple[str, list[float], list[float] | None]] = [
                    ("bare POST sendMessage", await timed(sends, bare_tg), None),
                    ("bare POST Graph /messages", await timed(sends, bare_wa), None),
                    ("bare POST sendPhoto (upload)", await timed(photos, bare_upload), None),
                ]
                base = {name: took for name, took, _ in figures}
                figures += [
                    (
                        "Telegram text (adapter)",
                        await timed(sends, lambda: telegram.send(text_out)),
                        base["bare POST sendMessage"],
                    ),
                    (
                        "WhatsApp text (adapter)",
                        await timed(sends, lambda: whatsapp.send(wa_out)),
                        base["bare POST Graph /messages"],
                    ),
                    (
                        "Telegram stored photo (EXIF off)",
                        await timed(photos, lambda: telegram.send(photo_out)),
                        base["bare POST sendPhoto (upload)"],
                    ),
                    (
                        "WhatsApp stored photo (upload+send)",
                        await timed(photos, lambda: whatsapp.send(wa_photo)),
                        base["bare POST sendPhoto (upload)"],
                    ),
                ]
            finally:
                await telegram.stop()
                await whatsapp.stop()
        await engine.dispose()
    print(f"{sends} texts each, {photos} photos of {len(data) // 1024} KB, fakes on loopback")
    for name, took, against in figures:
        print(line(name, took, against))
    print(
        f"send timeouts: TELEGRAM_SEND_TIMEOUT={settings.telegram_send_timeout:g} s, "
        f"WHATSAPP_SEND_TIMEOUT={settings.whatsapp_send_timeout:g} s"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=300)
    parser.add_argument("--photo-kb", type=int, default=1500)
    args = parser.parse_args()
    asyncio.run(main(args.sends, args.photo_kb))
