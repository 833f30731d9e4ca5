"""A topic per ticket, end to end: what an officer writes in the ticket's topic reaches the
resident without a reply-to, `#internal` stays in the group, and the group's general chat
stays the officers' own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Database
from tests.e2e.staff_world import OFFICER, card, group, staff_catalog
from tests.e2e.telegram_world import PUPR_CHAT, World, open_world, settings_for
from tests.e2e.test_staff_flow import report
from tests.fakes.telegram_api import FakeBotApi


@pytest.fixture
async def topic_world(database: Database, api: FakeBotApi, tmp_path: Path) -> AsyncIterator[World]:
    path = staff_catalog(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for agency in data["agencies"]:
        if agency["code"] == "PUPR":
            agency["staff"]["topic_per_ticket"] = True
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    settings = await settings_for(database, api, tmp_path, catalog_path=path)
    world, client = await open_world(settings, api)
    try:
        yield world
    finally:
        await client.close()


def in_topic(world: World, thread_id: int | None, text: str) -> dict[str, Any]:
    """An officer's message as Telegram delivers it in a forum: inside a topic it carries the
    thread id and "replies" to the topic's creation; in the general chat it carries neither."""
    message: dict[str, Any] = {
        "message_id": world.next_update_id() % 1_000_000,
        "from": OFFICER,
        "chat": {**group(PUPR_CHAT), "is_forum": True},
        "date": 1767240000,
        "text": text,
    }
    if thread_id is not None:
        message["message_thread_id"] = thread_id
        message["is_topic_message"] = True
        message["reply_to_message"] = {
            "message_id": thread_id,
            "from": OFFICER,
            "chat": message["chat"],
            "date": 1767230000,
            "message_thread_id": thread_id,
            "forum_topic_created": {"name": "KDR", "icon_color": 7322096},
            "is_topic_message": True,
        }
    return {"update_id": world.next_update_id(), "message": message}


async def test_what_an_officer_writes_in_the_topic_reaches_the_resident(
    topic_world: World,
) -> None:
    world = topic_world
    ref = await report(world)
    [(chat_id, thread_id)] = list(world.api.topics)
    assert chat_id == PUPR_CHAT and world.api.topics[(chat_id, thread_id)].name.startswith(ref)
    card(world, PUPR_CHAT, ref)  # the card sits in the topic
    told = len(world.to_resident())

    await world.post(in_topic(world, thread_id, "Tim kami ke lokasi sore ini"))
    said = [str(m.get("text", "")) for m in world.to_resident()[told:]]
    assert any("Tim kami ke lokasi sore ini" in s and "Dinas PUPR" in s for s in said), said
    assert not any("Agus" in s for s in said)

    told, posted = len(world.to_resident()), len(world.to_chat(PUPR_CHAT))
    await world.post(in_topic(world, thread_id, "#internal cek dulu anggaran"))
    await world.post(in_topic(world, None, "rapat jam 2 ya rekan-rekan"))  # general chat
    await world.post(in_topic(world, thread_id + 500, "topik piket minggu ini"))  # not a ticket's
    assert world.to_resident()[told:] == []
    # Lapor confirms the note in its topic and answers nothing else in the group.
    [confirmed] = world.to_chat(PUPR_CHAT)[posted:]
    assert confirmed["message_thread_id"] == thread_id and "internal" in confirmed["text"]
    _, shown = card(world, PUPR_CHAT, ref)
    assert "cek dulu anggaran" in shown["text"]  # the internal note shows on the card's history
