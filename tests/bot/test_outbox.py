"""The outbox: sent after commit, in order per chat, retried as the channel asks, dead-lettered."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from bot.channels.base import SendError
from bot.queue.inbox import outbox_row
from bot.queue.outbox import OutboxDispatcher
from db import queue as db_queue
from db.engine import Sessions
from db.tables import Identity, OutboxRow, Resident
from handlers.messages import Outbound, OutboundKind
from tests.bot.channels import RecordingChannel, ReposterChannel

NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


async def queue(sessions: Sessions, *texts: str, chat: str = "c1") -> None:
    async with sessions.begin() as session:
        for text in texts:
            session.add(outbox_row(Outbound(channel="test", chat_id=chat, text=text), NOW))


async def rows(sessions: Sessions) -> list[OutboxRow]:
    async with sessions() as session:
        from sqlalchemy import select

        return list((await session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars())  # type: ignore[arg-type]


class SlowChannel(RecordingChannel):
    """Each send takes a moment, so two dispatchers overlap."""

    async def send(self, out: Outbound) -> str | None:
        await asyncio.sleep(0.002)
        return await super().send(out)


def dispatcher(sessions: Sessions, channel: RecordingChannel, clock: Clock) -> OutboxDispatcher:
    return OutboxDispatcher(sessions, {"test": channel}, clock=clock, max_attempts=3)


async def test_messages_of_a_chat_go_out_in_order(sessions: Sessions) -> None:
    channel, clock = RecordingChannel(), Clock()
    await queue(sessions, "one", "two", "three")
    await queue(sessions, "other", chat="c2")
    await dispatcher(sessions, channel, clock).drain()
    assert [o.text for o in channel.sent if o.chat_id == "c1"] == ["one", "two", "three"]
    assert all(r.sent_at == NOW and r.external_id for r in await rows(sessions))


async def test_a_429_pauses_the_whole_channel_with_jitter_and_counts_no_attempt(
    sessions: Sessions, caplog: pytest.LogCaptureFixture
) -> None:
    channel, clock = RecordingChannel(), Clock()
    channel.errors = [SendError("429", retryable=True, retry_after=30)]
    await queue(sessions, "first", "second")
    out = dispatcher(sessions, channel, clock)
    await out.drain()
    await queue(sessions, "elsewhere", chat="c2")  # another chat of the same bot waits too
    await out.drain()
    first, _, elsewhere = await rows(sessions)
    assert channel.sent == []  # the second waits behind the first: order is kept
    assert first.sent_at is None and first.attempts == 0 and elsewhere.sent_at is None
    wait = first.next_attempt_at - NOW
    assert timedelta(seconds=30) <= wait <= timedelta(seconds=36)  # 30 s, plus jitter
    assert not [r for r in caplog.records if r.exc_info]  # a 429 is no traceback
    clock.now = NOW + timedelta(seconds=29)
    await out.drain()
    assert channel.sent == []
    clock.now = NOW + timedelta(seconds=37)
    await out.drain()
    assert [o.text for o in channel.sent if o.chat_id == "c1"] == ["first", "second"]
    assert [o.text for o in channel.sent if o.chat_id == "c2"] == ["elsewhere"]


async def test_server_errors_back_off_then_dead_letter(sessions: Sessions) -> None:
    channel, clock = RecordingChannel(), Clock()
    channel.errors = [SendError("502", retryable=True) for _ in range(5)]
    await queue(sessions, "hello")
    out = dispatcher(sessions, channel, clock)
    delays = []
    for _ in range(3):
        await out.drain()
        (row,) = await rows(sessions)
        if row.failed_at is None:
            delays.append(row.next_attempt_at - clock.now)
            clock.now = row.next_attempt_at
    (row,) = await rows(sessions)
    assert row.failed_at is not None and row.sent_at is None and row.attempts == 3
    assert "502" in (row.last_error or "")
    assert delays[1] > delays[0] > timedelta(0)  # backoff grows


async def test_a_refused_message_is_dead_lettered_at_once_and_the_chat_goes_on(
    sessions: Sessions,
) -> None:
    channel, clock = RecordingChannel(), Clock()
    channel.errors = [SendError("403 blocked", retryable=False)]
    await queue(sessions, "refused", "next")
    await dispatcher(sessions, channel, clock).drain()
    refused, nxt = await rows(sessions)
    assert refused.failed_at is not None and refused.attempts == 1
    assert nxt.sent_at is not None
    assert [o.text for o in channel.sent] == ["next"]


async def test_messages_for_a_channel_that_is_off_wait(sessions: Sessions) -> None:
    await queue(sessions, "for later")
    await OutboxDispatcher(sessions, {"other": RecordingChannel("other")}).drain()
    (row,) = await rows(sessions)
    assert row.sent_at is None and row.failed_at is None and row.attempts == 0


async def test_a_message_is_sent_once_when_two_loops_look_at_the_outbox(
    sessions: Sessions,
) -> None:
    channel, clock = RecordingChannel(), Clock()
    out = dispatcher(sessions, channel, clock)
    for chat in range(20):
        await queue(sessions, *(f"{chat}-{n}" for n in range(5)), chat=f"c{chat}")
    background = asyncio.create_task(out.run())
    for _ in range(5):
        await out.drain()
    background.cancel()
    texts = [o.text for o in channel.sent]
    assert sorted(texts) == sorted(set(texts)) and len(texts) == 100


async def test_two_dispatchers_on_one_database_send_each_message_once_in_order(
    sessions: Sessions,
) -> None:
    """Two instances: each claims only heads, with its own name on the claim."""
    channel, clock = SlowChannel(), Clock()
    for chat in range(10):
        await queue(sessions, *(f"{chat}-{n}" for n in range(6)), chat=f"c{chat}")
    one, two = dispatcher(sessions, channel, clock), dispatcher(sessions, channel, clock)
    assert one.owner != two.owner
    await asyncio.gather(one.drain(), two.drain(), one.drain(), two.drain())
    texts = [o.text or "" for o in channel.sent]
    assert len(texts) == 60 and len(set(texts)) == 60
    for chat in range(10):
        mine = [t for t in texts if t.startswith(f"{chat}-")]
        assert mine == [f"{chat}-{n}" for n in range(6)]
    assert all(r.sent_at is not None and r.claimed_by is None for r in await rows(sessions))


async def test_a_crashed_instances_claim_returns_after_its_lease(sessions: Sessions) -> None:
    channel, clock = RecordingChannel(), Clock()
    await queue(sessions, "hello")
    async with sessions.begin() as session:  # an instance claimed it, then died
        claimed = await db_queue.claim_outbox_heads(
            session, channels=["test"], owner="dead", now=NOW, lease=timedelta(seconds=60), limit=9
        )
    assert len(claimed) == 1
    out = dispatcher(sessions, channel, clock)
    await out.drain()
    assert channel.sent == []  # still its claim
    clock.now = NOW + timedelta(seconds=61)
    await out.drain()
    assert [o.text for o in channel.sent] == ["hello"]


async def test_marked_sent_once_whoever_sent_it(sessions: Sessions) -> None:
    await queue(sessions, "hello")
    (row,) = await rows(sessions)
    assert row.id is not None
    async with sessions.begin() as session:
        assert await db_queue.mark_sent(session, row.id, external_id="m1", now=NOW)
    async with sessions.begin() as session:  # a lost lease's double: the first record stays
        later = NOW + timedelta(seconds=5)
        assert not await db_queue.mark_sent(session, row.id, external_id="m2", now=later)
    (row,) = await rows(sessions)
    assert (row.external_id, row.sent_at) == ("m1", NOW)


async def test_a_chat_held_back_holds_back_no_other(sessions: Sessions) -> None:
    """A staff group waiting out its backoff, behind a long backlog: residents still get theirs."""
    channel, clock = RecordingChannel(), Clock()
    channel.errors = [SendError("502", retryable=True)]
    await queue(sessions, *(f"group {n}" for n in range(300)), chat="group")
    await queue(sessions, "your report is in", chat="resident")
    await dispatcher(sessions, channel, clock).drain()
    assert [o.text for o in channel.sent] == ["your report is in"]


class BuggyChannel(RecordingChannel):
    """Lapor's own request building fails (as a UnicodeEncodeError once did): not the channel's."""

    async def send(self, out: Outbound) -> str | None:
        if out.text == "bad":
            "\ud800".encode()
        return await super().send(out)


async def test_our_own_error_is_a_dead_letter_at_once_with_its_traceback(
    sessions: Sessions,
) -> None:
    channel, clock = BuggyChannel(), Clock()
    await queue(sessions, "bad", "next")
    await dispatcher(sessions, channel, clock).drain()
    bad, nxt = await rows(sessions)
    assert bad.failed_at == NOW and bad.attempts == 1  # no eight tries over minutes
    assert "Traceback" in (bad.last_error or "") and "UnicodeEncodeError" in (bad.last_error or "")
    assert nxt.sent_at == NOW


class DatabaseGoneChannel(RecordingChannel):
    """The database fails under the first send (storing a fetched photo, recording a part)."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    async def send(self, out: Outbound) -> str | None:
        if not self.failed:
            self.failed = True
            raise sa.exc.OperationalError("INSERT INTO media ...", {}, Exception("server closed"))
        return await super().send(out)


async def test_a_database_outage_mid_send_is_tried_again_not_dead_lettered(
    sessions: Sessions,
) -> None:
    """Not Lapor's bug and not the message's fault: it waits a moment, uses no attempt, and
    the chat's next message stays behind it."""
    channel, clock = DatabaseGoneChannel(), Clock()
    await queue(sessions, "first", "second")
    await dispatcher(sessions, channel, clock).drain()
    first, second = await rows(sessions)
    assert first.failed_at is None and first.sent_at is None and first.attempts == 0
    assert first.next_attempt_at is not None and first.next_attempt_at > NOW
    assert second.sent_at is None and [o.text for o in channel.sent] == []
    clock.now = first.next_attempt_at
    await dispatcher(sessions, channel, clock).drain()
    assert [o.text for o in channel.sent] == ["first", "second"]


async def resident(sessions: Sessions, chat: str) -> None:
    async with sessions.begin() as session:
        person = Resident()
        session.add(person)
        await session.flush()
        assert person.id is not None
        session.add(Identity(resident_id=person.id, channel="test", external_id=chat, chat_id=chat))


async def test_a_resident_who_blocked_the_bot_is_not_written_to_until_they_write(
    sessions: Sessions,
) -> None:
    channel, clock = RecordingChannel(), Clock()
    await resident(sessions, "c1")
    channel.errors = [SendError("403 blocked by the user", retryable=False, blocked=True)]
    await queue(sessions, "refused")
    out = dispatcher(sessions, channel, clock)
    await out.drain()
    await queue(sessions, "news of the report")
    await out.drain()
    assert channel.sent == []  # the second message was never tried
    refused, news = await rows(sessions)
    assert refused.failed_at is not None and news.failed_at is not None
    assert "blocked" in (news.last_error or "")
    async with sessions() as session:
        assert await db_queue.blocked_residents(session) == 1
        identity = (await session.execute(select(Identity))).scalar_one()
        identity.blocked_at = None  # they wrote again (handlers/dispatch.py clears it)
        session.add(identity)
        await session.commit()
    await queue(sessions, "welcome back")
    await out.drain()
    assert [o.text for o in channel.sent] == ["welcome back"]


async def test_keys_become_the_ids_the_channel_gave_earlier_messages(sessions: Sessions) -> None:
    """A card edited in place, a reply to it, a post in its topic: each names it by key."""
    channel, clock = RecordingChannel(), Clock()
    card = Outbound(channel="test", chat_id="g", text="card v1", key="card:R1")
    edit = Outbound(
        channel="test", chat_id="g", text="card v2", kind=OutboundKind.EDIT, edit_key="card:R1"
    )
    reply = Outbound(channel="test", chat_id="g", text="answer", reply_key="card:R1")
    topic = Outbound(
        channel="test", chat_id="g", text="R1", kind=OutboundKind.OPEN_TOPIC, key="topic:R1"
    )
    in_topic = Outbound(channel="test", chat_id="g", text="news", thread_key="topic:R1")
    for out in (card, edit, reply, topic, in_topic):
        async with sessions.begin() as session:
            session.add(outbox_row(out, NOW))
        await dispatcher(sessions, channel, clock).drain()
    sent = channel.sent
    assert sent[1].kind is OutboundKind.EDIT and sent[1].target_message_id == "m1"
    assert sent[2].reply_to_message_id == "m1"
    assert sent[4].thread_id is None  # "m4" is not a thread number: the chat itself
    assert [r.key for r in await rows(sessions)] == ["card:R1", "card:R1", None, "topic:R1", None]


async def test_an_edit_sent_as_a_new_message_makes_that_message_the_card(
    sessions: Sessions,
) -> None:
    """WhatsApp has no edits: the newest message is the card that later replies answer, and
    its id is the one delivery reports name."""
    channel, clock = ReposterChannel(), Clock()
    card = Outbound(channel="test", chat_id="g", text="card v1", key="card:R1")
    edit = Outbound(
        channel="test", chat_id="g", text="card v2", kind=OutboundKind.EDIT, edit_key="card:R1",
        key="card:R1",
    )  # fmt: skip
    reply = Outbound(channel="test", chat_id="g", text="answer", reply_key="card:R1")
    for out in (card, edit, reply):
        async with sessions.begin() as session:
            session.add(outbox_row(out, NOW))
        await dispatcher(sessions, channel, clock).drain()
    assert [r.external_id for r in await rows(sessions)] == ["m1", "m2", "m3"]
    assert channel.sent[2].reply_to_message_id == "m2"


async def test_an_edit_of_a_message_never_sent_goes_as_a_new_one(sessions: Sessions) -> None:
    channel, clock = RecordingChannel(), Clock()
    edit = Outbound(
        channel="test",
        chat_id="g",
        text="card v2",
        kind=OutboundKind.EDIT,
        edit_key="card:R9",
        reply_key="card:R9",
    )
    async with sessions.begin() as session:
        session.add(outbox_row(edit, NOW))
    await dispatcher(sessions, channel, clock).drain()
    assert channel.sent[0].kind is OutboundKind.MESSAGE
    assert channel.sent[0].reply_to_message_id is None
    async with sessions() as session:
        from db.queue import sent_message_id

        found = await sent_message_id(session, channel="test", chat_id="g", key="card:R9")
    assert found == "m1"  # the next edit of the card finds this message


class VerySlowChannel(RecordingChannel):
    async def send(self, out: Outbound) -> str | None:
        await asyncio.sleep(2.5)  # longer than the lease below
        return await super().send(out)


async def test_a_send_slower_than_the_lease_keeps_its_claim(sessions: Sessions) -> None:
    """The running loop renews its claims: another instance does not send the message again."""
    channel = VerySlowChannel()
    await queue(sessions, "slow")
    async with sessions.begin() as session:  # due now, by the real clock the leases use
        await session.execute(sa.update(OutboxRow).values(next_attempt_at=datetime.now(UTC)))
    lease = timedelta(seconds=1)
    one = OutboxDispatcher(sessions, {"test": channel}, lease=lease, poll_seconds=0.1)
    two = OutboxDispatcher(sessions, {"test": channel}, lease=lease, poll_seconds=0.1)
    running = asyncio.create_task(one.run())
    await asyncio.sleep(0.3)  # the running instance has claimed it and is sending
    try:
        for _ in range(30):  # three seconds of the other instance looking
            await two.drain()
            await asyncio.sleep(0.1)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert [o.text for o in channel.sent] == ["slow"]
