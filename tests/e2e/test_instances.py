"""Two `lapor serve` processes on one PostgreSQL behind one webhook URL, one killed by SIGKILL in
the middle of a burst: no update lost or processed twice, no message sent twice, order kept per
chat. Telegram retries an update whose POST failed, as here (to the instance still up).

Either instance may die: the one that only stores and processes updates, or the one elected to
send (`/healthz` says which). The sender is killed while Telegram has accepted a message and
not yet answered (the fake holds the answer), so its row is never marked sent: Telegram has no
idempotency key, so after the lease the survivor sends that message again. That duplicate, and
only that kind, is allowed: the killed sender's last message in a chat, repeated right after it
by the survivor; never an earlier one, never out of order.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import sqlalchemy as sa

from db.engine import make_engine
from tests.conftest import Database
from tests.e2e.telegram_world import SECRET, catalog_with_staff_chats, settings_for
from tests.e2e.test_crash_recovery import free_port, serve
from tests.fakes.telegram_api import TOKEN, Delivery, FakeBotApi

CHATS, PER_CHAT = 30, 8
LEASE_SECONDS = 3  # QUEUE_LEASE_SECONDS: a killed instance's claims come back after this
REF = re.compile(r"KDR-26-(\d{6})")


@dataclass
class Instance:
    """One `lapor serve` process, reaching the fake Bot API through its own `base_url_for`."""

    name: str
    port: int
    proc: asyncio.subprocess.Process

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram/webhook"

    async def health(self, http: aiohttp.ClientSession) -> dict[str, Any]:
        async with http.get(f"http://127.0.0.1:{self.port}/healthz") as resp:
            body: dict[str, Any] = await resp.json()
            return body


def update(chat: int, n: int) -> dict[str, Any]:
    """The n-th update of a chat: `status KDR-26-…` whose number says which it was, so each
    reply names the update it answers."""
    user = {"id": 700000 + chat, "is_bot": False, "first_name": "Warga"}
    number = chat * 100 + n
    return {
        "update_id": 840000000 + number,
        "message": {
            "message_id": n + 1,
            "from": user,
            "chat": {"id": user["id"], "type": "private"},
            "date": 1767236400 + number,
            "text": f"status KDR-26-{number:06d}",
        },
    }


async def post_until_acked(
    http: aiohttp.ClientSession, urls: list[str], body: dict[str, Any], first: int
) -> None:
    """Telegram's way: an update not answered 200 is sent again until it is."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    for attempt in range(200):
        url = urls[(first + attempt) % len(urls)]
        try:
            async with http.post(url, json=body, headers=headers) as resp:
                if resp.status == 200:
                    return
        except (TimeoutError, aiohttp.ClientError):
            pass
        await asyncio.sleep(0.05)
    raise AssertionError(f"update {body['update_id']} was never acknowledged")


@asynccontextmanager
async def two_instances(
    database: Database, api: FakeBotApi, tmp_path: Path
) -> AsyncIterator[list[Instance]]:
    await settings_for(database, api, tmp_path)  # migrates
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_"))}
    env.update(
        DATABASE_URL=database.url,
        DATABASE_SCHEMA=database.schema or "",
        CATALOG_PATH=str(catalog_with_staff_chats(tmp_path)),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        PUBLIC_BASE_URL="https://lapor.example.test",
        LOG_LEVEL="WARNING",
        QUEUE_LEASE_SECONDS=str(LEASE_SECONDS),
        SLA_SWEEP_SECONDS="0",
    )
    instances: list[Instance] = []
    try:
        for name in ("a", "b"):
            port = free_port()
            extra = {"HTTP_PORT": str(port), "TELEGRAM_API_BASE_URL": api.base_url_for(name)}
            instances.append(Instance(name, port, await serve({**env, **extra})))
        yield instances
    finally:
        for instance in instances:
            if instance.proc.returncode is None:
                instance.proc.terminate()
                await instance.proc.wait()


async def elected(instances: list[Instance]) -> tuple[Instance, Instance]:
    """(the sender, the other), as their `/healthz` say: exactly one sends for Telegram."""
    async with aiohttp.ClientSession() as http:
        for _ in range(100):
            bodies = [await i.health(http) for i in instances]
            senders = [i for i, b in zip(instances, bodies, strict=True) if b["sends_for"]]
            if senders:
                break
            await asyncio.sleep(0.1)
    assert len(senders) == 1, bodies
    for instance, body in zip(instances, bodies, strict=True):  # the id names the process
        assert body["instance"].split(":")[1] == str(instance.proc.pid), body
    sender = senders[0]
    assert next(b for i, b in zip(instances, bodies, strict=True) if i is sender)["sends_for"] == [
        "telegram"
    ]
    return sender, next(i for i in instances if i is not sender)


async def until_elected(instance: Instance, since: float) -> float:
    """Seconds from `since` until `instance` says it sends for Telegram."""
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if (await instance.health(http))["sends_for"] == ["telegram"]:
                return time.monotonic() - since
            await asyncio.sleep(0.05)
    raise AssertionError(f"instance {instance.name} never took over sending")


@dataclass
class Acks:
    """How many updates of the burst were acknowledged; `third` is set at a third."""

    count: int = 0
    third: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self) -> None:
        self.count += 1
        if self.count >= CHATS * PER_CHAT // 3:
            self.third.set()


async def burst(instances: list[Instance], acked: Acks, *, pause: float = 0.0) -> None:
    """Every chat's updates in order, each to either instance, `pause` s apart (residents
    typing: replies go out while updates still come in)."""
    urls = [i.webhook for i in instances]

    async def chat(c: int) -> None:
        async with aiohttp.ClientSession() as http:
            for n in range(PER_CHAT):
                await post_until_acked(http, urls, update(c, n), first=c + n)
                acked.add()
                await asyncio.sleep(pause)

    await asyncio.gather(*(chat(c) for c in range(CHATS)))


def kill(instance: Instance) -> float:
    """SIGKILL, as a crash or the OOM killer: no cleanup runs. When it was sent (monotonic)."""
    instance.proc.send_signal(signal.SIGKILL)
    return time.monotonic()


async def test_two_instances_one_killed_mid_burst(database: Database, tmp_path: Path) -> None:
    """The instance that does not send dies: nothing it stored or claimed is lost or doubled."""
    if database.backend != "postgres":
        pytest.skip("several instances share one PostgreSQL")
    async with FakeBotApi() as api, two_instances(database, api, tmp_path) as instances:
        sender, victim = await elected(instances)
        acked = Acks()
        sending = asyncio.create_task(burst(instances, acked))
        await asyncio.wait_for(acked.third.wait(), 60)
        kill(victim)
        await victim.proc.wait()
        print(
            f"\nthe other instance killed after {acked.count} of {CHATS * PER_CHAT} updates acked"
        )
        await sending
        deliveries = await until_all_replied(api, database)
    assert {d.via for d in deliveries} == {sender.name}  # one sender throughout
    assert per_chat_duplicates(deliveries, victim=victim.name) == {}  # none twice


async def test_two_instances_sender_killed_between_accepted_and_marked_sent(
    database: Database, tmp_path: Path
) -> None:
    """The sender dies while Telegram holds a message it accepted: the survivor is elected,
    takes the dead one's claims when their lease ends, and goes on in order; only a message
    in flight at the kill may arrive twice, once per chat at most."""
    if database.backend != "postgres":
        pytest.skip("several instances share one PostgreSQL")
    async with FakeBotApi() as api, two_instances(database, api, tmp_path) as instances:
        victim, survivor = await elected(instances)
        held = api.hold("sendMessage", after=CHATS * PER_CHAT // 4)
        acked = Acks()
        sending = asyncio.create_task(burst(instances, acked, pause=0.8))
        await asyncio.wait_for(held.reached.wait(), 60)
        killed_at = kill(victim)
        cut = len(api.deliveries)  # before any await: all the fake accepted from the live sender
        await victim.proc.wait()
        held.release()  # the answer goes nowhere: the sender is gone
        election = await until_elected(survivor, killed_at)
        print(
            f"\nsender killed after {acked.count} of {CHATS * PER_CHAT} updates acked and {cut} "
            f"messages accepted; the survivor was elected {election:.2f} s after the kill"
        )
        await sending
        deliveries = await until_all_replied(api, database)

    assert held.delivery is not None
    assert all(d.via == victim.name for d in deliveries[:cut])  # it alone sent until it died
    first_survivor = next(i for i, d in enumerate(deliveries) if d.via == survivor.name)
    in_flight = deliveries[cut:first_survivor]  # reached the fake after the kill signal
    assert all(d.via == victim.name for d in in_flight)
    assert all(d.via == survivor.name for d in deliveries[first_survivor:])  # never two senders

    duplicates = per_chat_duplicates(deliveries, victim=victim.name)
    held_chat, held_number = reply_of(held.delivery)
    assert duplicates.get(held_chat) == held_number  # the one held in the window came twice
    resent = next(d for d in deliveries[first_survivor:] if reply_of(d) == (held_chat, held_number))
    print(
        f"duplicates: {len(duplicates)} in {CHATS} chats ({sorted(duplicates.values())}), "
        f"{len(in_flight)} reached the fake after the kill signal; first message from the survivor "
        f"{deliveries[first_survivor].at - killed_at:.2f} s after the kill, the held one sent "
        f"again {resent.at - killed_at:.2f} s after (lease {LEASE_SECONDS} s)"
    )


def reply_of(delivery: Delivery) -> tuple[int, int]:
    """(chat, number of the update it answers)."""
    found = REF.search(delivery.params.get("text") or "")
    assert found, delivery.params
    return int(delivery.params["chat_id"]), int(found.group(1))


def per_chat_duplicates(deliveries: list[Delivery], *, victim: str) -> dict[int, int]:
    """Chat → the one answer it got twice; fails unless every chat got each of its answers, in
    order, and a repeat is the killed sender's last message in that chat sent again right after
    by the survivor (the message in flight at the kill)."""
    duplicates: dict[int, int] = {}
    for c in range(CHATS):
        chat_id = 700000 + c
        mine = [(reply_of(d)[1], d.via) for d in deliveries if d.params["chat_id"] == chat_id]
        victims_last = max((i for i, (_, via) in enumerate(mine) if via == victim), default=None)
        answers: list[int] = []
        for i, (number, via) in enumerate(mine):
            if answers and number == answers[-1]:
                assert i - 1 == victims_last and via != victim, f"chat {c} re-sent: {mine}"
                assert chat_id not in duplicates, f"chat {c} got two repeats: {mine}"
                duplicates[chat_id] = number
                continue
            answers.append(number)
        expected = [c * 100 + n for n in range(PER_CHAT)]
        assert answers == expected, f"chat {c}: answers lost, doubled or out of order: {mine}"
    return duplicates


async def until_all_replied(api: FakeBotApi, database: Database) -> list[Delivery]:
    """Every update processed and every message sent (or given up): what the fake accepted."""
    engine = make_engine(database.url, schema=database.schema)
    try:
        for _ in range(600):
            async with engine.connect() as conn:
                left = await conn.scalar(
                    sa.text(
                        "SELECT (SELECT count(*) FROM inbox WHERE done_at IS NULL)"
                        " + (SELECT count(*) FROM outbox WHERE sent_at IS NULL"
                        " AND failed_at IS NULL)"
                    )
                )
                stored = await conn.scalar(sa.text("SELECT count(*) FROM inbox"))
            if not left and stored == CHATS * PER_CHAT:
                break
            await asyncio.sleep(0.1)
        async with engine.connect() as conn:
            outbox = await conn.scalar(sa.text("SELECT count(*) FROM outbox"))
            failed = await conn.scalar(
                sa.text("SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL")
            )
    finally:
        await engine.dispose()
    assert outbox == CHATS * PER_CHAT  # each update decided once: one answer each
    assert failed == 0
    return list(api.deliveries)
