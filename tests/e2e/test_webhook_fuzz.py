"""Random and mutated payloads against both webhooks: never a 500, nothing half-stored.

Hypothesis starts from the shared fixtures (`tests/fixtures/`) and breaks them the ways the
review found — wrong types, lone surrogates, NUL, NaN, huge numbers, deep nesting, missing
keys, truncated or non-JSON bodies — or posts random JSON. For every body:

- the answer is 200 or 400, never 500;
- a 400 stored nothing; a 200 stored each storable item exactly as it was posted (or had it
  already: a retried delivery);
- every stored item is read by its adapter into `Inbound`s or refused as `Unreadable`: no
  other exception, so no inbox row is retried for a bug a payload can trigger.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.base import Channel, Unreadable
from bot.channels.whatsapp import inbox_items
from db.tables import InboxRow
from tests.conftest import FIXTURES, Database
from tests.e2e.telegram_world import SECRET, World, open_world, settings_for
from tests.e2e.whatsapp import Lapor, open_lapor
from tests.fakes.telegram_api import FakeBotApi

EXAMPLES = 60  # per webhook and database; each is one real HTTP request and commit
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no example store in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_IDS = itertools.count(900_000_000)


def fixtures(channel: str) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((FIXTURES / channel).glob("*.json"))]


TELEGRAM = fixtures("telegram")
WHATSAPP = fixtures("whatsapp")

nasty_text = st.one_of(
    st.text(st.characters(blacklist_categories=()), max_size=12),  # surrogates included
    st.sampled_from(["\ud800", "x\udfff", "\x00", "a" * 200, "", "NaN", "sha256=00"]),
)
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    nasty_text,
)
json_value = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(nasty_text, inner, max_size=3),
    max_leaves=8,
)
# Well past Lapor's limit (64) yet shallow enough for the test's own json.dumps, whose C
# encoder shares the interpreter's recursion limit with pytest's stack (1,500 overflowed it
# now and then). Depths of 1,000 and 100,000 are posted as raw bytes in test_webhook_refusals.
deep = st.integers(min_value=50, max_value=600).map(lambda d: _nest(d))


def _nest(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value that a mutation can hit."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += paths(item, (*prefix, i))
    return found


def mutate(data: st.DataObject, payload: Any) -> Any:
    for _ in range(data.draw(st.integers(1, 3))):
        places = paths(payload)
        if not places:
            return data.draw(json_value)
        *parents, last = data.draw(st.sampled_from(places))
        node = payload
        for key in parents:
            node = node[key]
        if data.draw(st.booleans()) and isinstance(node, dict):
            del node[last]
        else:
            node[last] = data.draw(st.one_of(json_value, deep))
    return payload


def body(data: st.DataObject, base: list[dict[str, Any]], fresh: Any) -> bytes:
    """A fixture made new (fresh ids), then broken; sometimes random JSON or no JSON at all."""
    shape = data.draw(st.sampled_from(["mutated"] * 6 + ["random", "truncated", "bytes"]))
    if shape == "bytes":
        return data.draw(st.binary(max_size=64))
    if shape == "random":
        return json.dumps(data.draw(json_value)).encode()
    payload = mutate(data, fresh(json.loads(json.dumps(data.draw(st.sampled_from(base))))))
    text = json.dumps(payload, allow_nan=True).encode()
    if shape == "truncated":
        return text[: data.draw(st.integers(0, max(len(text) - 1, 0)))]
    return text


async def inbox(sessions_of: Any) -> dict[tuple[str, str], Any]:
    async with sessions_of() as session:
        rows = (await session.execute(sa.select(InboxRow))).scalars().all()
    return {(row.channel, row.external_id): row.payload for row in rows}


async def readable_or_unreadable(channel: Channel, payload: dict[str, Any]) -> None:
    try:
        await channel.parse(payload)
    except Unreadable:
        pass


# --- Telegram -------------------------------------------------------------------------------


def fresh_update(payload: dict[str, Any]) -> dict[str, Any]:
    payload["update_id"] = next(_IDS)
    return payload


@pytest.fixture
async def telegram(database: Database, tmp_path: Path) -> AsyncIterator[World]:
    async with FakeBotApi() as api:
        world, client = await open_world(await settings_for(database, api, tmp_path), api)
        await world.services.stop_background()  # the properties are about the webhook
        try:
            yield world
        finally:
            await client.close()


@FUZZ
@given(data=st.data())
async def test_telegram_webhook_answers_no_500_and_stores_whole_updates(
    telegram: World, data: st.DataObject
) -> None:
    raw = body(data, TELEGRAM, fresh_update)
    before = await inbox(telegram.services.sessions)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    resp = await telegram.client.post("/telegram/webhook", data=raw, headers=headers)
    assert resp.status in (200, 400), await resp.text()
    after = await inbox(telegram.services.sessions)
    new = {k: v for k, v in after.items() if k not in before}
    if resp.status == 400:
        assert new == {}
        return
    sent = json.loads(raw)
    key = ("telegram", str(sent["update_id"]))
    assert key in after, "answered 200 without storing it"
    assert set(new) <= {key}
    assert after[key] == sent or key in before, "stored differently from what was posted"
    for payload in new.values():
        await readable_or_unreadable(telegram.services.channels["telegram"], payload)


# --- WhatsApp -------------------------------------------------------------------------------


def fresh_wamids(payload: Any) -> Any:
    """Every message and status gets an id never posted before (a retry keeps its ids)."""
    for entry in payload.get("entry", []) if isinstance(payload, dict) else []:
        for change in entry.get("changes", []):
            value = change.get("value", {})
            for item in value.get("messages", []) + value.get("statuses", []):
                item["id"] = f"wamid.FUZZ_{next(_IDS)}"
    return payload


@pytest.fixture
async def whatsapp(database: Database) -> AsyncIterator[Lapor]:
    async with open_lapor(database) as lapor:
        yield lapor


@FUZZ
@given(data=st.data())
async def test_whatsapp_webhook_answers_no_500_and_stores_what_can_be_stored(
    whatsapp: Lapor, data: st.DataObject
) -> None:
    raw = body(data, WHATSAPP, fresh_wamids)
    before = await inbox(whatsapp.services.sessions)
    status = await whatsapp.post(raw)
    assert status in (200, 400)
    after = await inbox(whatsapp.services.sessions)
    new = {k: v for k, v in after.items() if k not in before}
    if status == 400:
        assert new == {}
        return
    items = inbox_items(json.loads(raw)).items
    posted = {("whatsapp", item.external_id): item.payload for item in items}
    assert set(new) <= set(posted), "stored something the POST did not hold"
    for key, payload in new.items():
        assert payload == json.loads(json.dumps(posted[key])), "stored differently"
    for payload in new.values():
        await readable_or_unreadable(whatsapp.services.channels["whatsapp"], payload)
