"""The outbox: sent after commit, in order per chat, retried as the channel asks, dead-lettered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.channels.base import SendError
from bot.queue.inbox import outbox_row
from bot.queue.outbox import OutboxDispatcher
from db.engine import Sessions
from db.tables import OutboxRow
from handlers.messages import Outbound, OutboundKind
from tests.bot.channels import RecordingChannel

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


def dispatcher(sessions: Sessions, channel: RecordingChannel, clock: Clock) -> OutboxDispatcher:
    return OutboxDispatcher(sessions, {"test": channel}, clock=clock, max_attempts=3)


async def test_messages_of_a_chat_go_out_in_order(sessions: Sessions) -> None:
    channel, clock = RecordingChannel(), Clock()
    await queue(sessions, "one", "two", "three")
    await queue(sessions, "other", chat="c2")
    await dispatcher(sessions, channel, clock).drain()
    assert [o.text for o in channel.sent if o.chat_id == "c1"] == ["one", "two", "three"]
    assert all(r.sent_at == NOW and r.external_id for r in await rows(sessions))


async def test_retry_after_is_obeyed_without_counting_an_attempt(sessions: Sessions) -> None:
    channel, clock = RecordingChannel(), Clock()
    channel.errors = [SendError("429", retryable=True, retry_after=30)]
    await queue(sessions, "first", "second")
    out = dispatcher(sessions, channel, clock)
    await out.drain()
    first, _ = await rows(sessions)
    assert channel.sent == []  # the second waits behind the first: order is kept
    assert first.sent_at is None and first.attempts == 0
    assert first.next_attempt_at == NOW + timedelta(seconds=30)
    clock.now = NOW + timedelta(seconds=29)
    await out.drain()
    assert channel.sent == []
    clock.now = NOW + timedelta(seconds=31)
    await out.drain()
    assert [o.text for o in channel.sent] == ["first", "second"]


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
    import asyncio

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
