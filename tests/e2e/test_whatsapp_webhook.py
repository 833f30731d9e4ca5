"""`/whatsapp/webhook` on `make_app()`: Meta's verification, signatures, storage, statuses.

Each test talks HTTP to the real app over loopback, with a migrated SQLite file and a
PostgreSQL schema, and checks what a resident or an operator would see: an answer (or none),
rows in the inbox and outbox, what FakeGraphApi received.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.channels.whatsapp import inbox_items
from db.tables import InboxRow, OutboxRow
from tests.conftest import FIXTURES as ALL_FIXTURES
from tests.conftest import Database
from tests.e2e.whatsapp import SITI, Lapor, open_lapor
from tests.fakes.graph_api import VERIFY_TOKEN, contact, message, sign, webhook

FIXTURES = ALL_FIXTURES / "whatsapp"


@pytest.fixture
async def lapor(database: Database) -> AsyncIterator[Lapor]:
    async with open_lapor(database) as app:
        yield app


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


async def verify(lapor: Lapor, **query: str) -> tuple[int, str, str]:
    params = {f"hub.{k}": v for k, v in query.items()}
    async with lapor.client.get("/whatsapp/webhook", params=params) as resp:
        return resp.status, await resp.text(), resp.content_type


async def test_meta_verification_gets_the_challenge_back(lapor: Lapor) -> None:
    answer = await verify(
        lapor, mode="subscribe", verify_token=VERIFY_TOKEN, challenge="1158201444"
    )
    assert answer == (200, "1158201444", "text/plain")


@pytest.mark.parametrize(
    "query",
    [
        {"mode": "subscribe", "verify_token": "guess", "challenge": "1"},
        {"mode": "unsubscribe", "verify_token": VERIFY_TOKEN, "challenge": "1"},
        {"mode": "subscribe", "challenge": "1"},
    ],
)
async def test_verification_without_our_token_is_refused(
    lapor: Lapor, query: dict[str, str]
) -> None:
    status, body, _ = await verify(lapor, **query)
    assert status == 403
    assert "1" not in body


async def test_a_forged_signature_is_refused_and_nothing_stored(lapor: Lapor) -> None:
    body = json.dumps(load("text")).encode()
    assert await lapor.post(body, signature=sign(body, "someone-elses-secret")) == 403
    assert await lapor.post(body, signature="sha256=" + "0" * 64) == 403
    assert await lapor.count(InboxRow) == 0


async def test_a_signature_without_its_sha256_prefix_is_refused(lapor: Lapor) -> None:
    body = json.dumps(load("text")).encode()
    bare_hex = sign(body).removeprefix("sha256=")  # the right digest, not in Meta's format
    for header in (bare_hex, f"sha1={bare_hex}", f"SHA256={bare_hex}", "sha256="):
        assert await lapor.post(body, signature=header) == 403
    assert await lapor.count(InboxRow) == 0
    assert await lapor.post(body, signature=f" sha256={bare_hex} ") == 200


async def test_a_body_changed_after_signing_is_refused(lapor: Lapor) -> None:
    body = json.dumps(load("text")).encode()
    signature = sign(body)
    assert await lapor.post(body.replace(b"gelap", b"terang"), signature=signature) == 403
    assert await lapor.count(InboxRow) == 0


async def test_an_unsigned_post_is_unauthorized_and_nothing_stored(lapor: Lapor) -> None:
    assert await lapor.post(load("text"), signature=None) == 401
    assert await lapor.count(InboxRow) == 0


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe"])
async def test_a_signed_body_that_is_no_json_object_is_a_bad_request(
    lapor: Lapor, body: bytes
) -> None:
    assert await lapor.post(body) == 400
    assert await lapor.count(InboxRow) == 0


async def test_a_replayed_message_is_stored_and_answered_once(lapor: Lapor) -> None:
    payload = load("text")
    assert await lapor.post(payload) == 200
    await lapor.settle()
    answered = len(lapor.api.sent)
    assert answered >= 1
    assert await lapor.post(payload) == 200  # Meta did not see our 200 and sends it again
    await lapor.settle()
    assert await lapor.count(InboxRow) == 1
    assert len(lapor.api.sent) == answered


@pytest.mark.parametrize("name", ["errors_system_level", "contacts_only_change"])
async def test_payloads_with_nothing_to_answer_are_accepted(lapor: Lapor, name: str) -> None:
    assert await lapor.post(load(name)) == 200
    await lapor.settle()
    assert await lapor.count(InboxRow) == 0
    assert lapor.api.sent == []


async def test_fifty_messages_in_one_post_are_fifty_inbox_rows(lapor: Lapor) -> None:
    residents = [f"628120000{n:04d}" for n in range(10)]
    messages = [
        message(residents[n % 10], f"wamid.BURST_{n:03d}", "text", {"body": f"halo {n}"})
        for n in range(50)
    ]
    payload = webhook(contacts=[contact(r) for r in residents], messages=messages)
    assert await lapor.post(payload) == 200
    assert await lapor.count(InboxRow) == 50
    await lapor.settle()
    answered_to = {body["to"] for body in lapor.api.sent}
    assert answered_to == set(residents)


async def test_every_message_of_every_entry_is_stored_once(lapor: Lapor) -> None:
    payload = load("multi_entry_multi_message")
    assert await lapor.post(payload) == 200
    assert await lapor.post(payload) == 200
    assert await lapor.count(InboxRow) == len(inbox_items(payload).items) == 6


async def test_a_status_for_a_message_lapor_never_sent_changes_nothing(lapor: Lapor) -> None:
    await lapor.say("halo")
    before = [(r.id, r.delivery_status, r.failed_at) for r in await lapor.outbox()]
    sent = len(lapor.api.sent)
    assert await lapor.post(load("status_unknown_wamid")) == 200
    await lapor.settle()
    assert [(r.id, r.delivery_status, r.failed_at) for r in await lapor.outbox()] == before
    assert len(lapor.api.sent) == sent


def status_of(wamid: str, state: str, **extra: Any) -> dict[str, Any]:
    status = {
        "id": wamid,
        "status": state,
        "timestamp": "1767236403",
        "recipient_id": SITI,
        **extra,
    }
    return webhook(contacts=[contact(SITI)], statuses=[status])


def failure(code: int, title: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "title": title, "error_data": {"details": title}}]}


async def greeted(lapor: Lapor) -> OutboxRow:
    await lapor.say("halo")
    [row] = await lapor.outbox()
    assert row.external_id == lapor.api.wamids[-1]
    return row


async def row_of(lapor: Lapor, row: OutboxRow) -> OutboxRow:
    [found] = [r for r in await lapor.outbox() if r.id == row.id]
    return found


async def test_statuses_move_forward_and_never_back(lapor: Lapor) -> None:
    row = await greeted(lapor)
    assert row.external_id is not None
    for state in ("sent", "read", "delivered"):  # delivered arrives after read
        assert await lapor.post(status_of(row.external_id, state)) == 200
        await lapor.settle()
    stored = await row_of(lapor, row)
    assert (stored.delivery_status, stored.delivery_mode) == ("read", "session")
    assert stored.failed_at is None


async def test_an_undeliverable_message_becomes_a_listed_failure(lapor: Lapor) -> None:
    row = await greeted(lapor)
    assert row.external_id is not None
    failed = status_of(row.external_id, "failed", **failure(131026, "Message undeliverable"))
    assert await lapor.post(failed) == 200
    await lapor.settle()
    stored = await row_of(lapor, row)
    assert stored.delivery_status == "failed"
    assert stored.failed_at is not None
    assert stored.last_error is not None and "131026" in stored.last_error


async def test_an_async_outage_failure_is_queued_again_as_a_new_row(lapor: Lapor) -> None:
    row = await greeted(lapor)
    assert row.external_id is not None
    failed = status_of(row.external_id, "failed", **failure(131000, "Something went wrong"))
    assert await lapor.post(failed) == 200
    await lapor.settle()
    stored = await row_of(lapor, row)
    assert stored.delivery_status == "failed" and stored.sent_at is not None  # the record stays
    assert stored.last_error is not None and "131000" in stored.last_error
    assert row.id is not None
    [again] = [r for r in await lapor.outbox() if (r.id or 0) > row.id]  # at the end of the chat
    assert again.payload == row.payload and again.key == row.key
    assert (again.sent_at, again.failed_at, again.delivery_status) == (None, None, None)
    assert again.next_attempt_at > datetime.now(UTC)  # after a pause, the dispatcher resends


async def test_the_webhook_is_absent_when_whatsapp_is_off(database: Database) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.config import Settings
    from bot.web.app import make_app
    from db import migrate

    await migrate.upgrade(database.url, schema=database.schema)
    settings = Settings(
        _env_file=None,
        database_url=database.url,
        database_schema=database.schema,
        telegram_bot_token=None,
        whatsapp_access_token=None,
    )
    async with TestClient(TestServer(make_app(settings))) as client:
        async with client.post("/whatsapp/webhook", data=b"{}") as resp:
            assert resp.status == 404
        async with client.get("/whatsapp/webhook") as resp:
            assert resp.status == 404
