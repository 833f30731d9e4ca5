"""Officers in their Telegram groups, end to end: taps and replies built on what Lapor sent.

Each update is shaped like Telegram's (the shared fixtures' group reply and callback query),
aimed at a message the fake Bot API really holds, so a tap carries the card's real
`callback_data` and a reply carries the real `reply_to_message`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.config import DEFAULT_CATALOG
from tests.e2e.telegram_world import PUPR_CHAT, TRIAGE_CHAT, World, button_data

DLHKP_CHAT = -1001000000002
SUPERVISORS_CHAT = -1001000000077
OTHER_GROUP = -1001000000055
OFFICER = {"id": 9001, "is_bot": False, "first_name": "Agus", "last_name": "Petugas"}
DLHKP_OFFICER = {"id": 9200, "is_bot": False, "first_name": "Dewi", "last_name": "Hijau"}
STRANGER = {"id": 4242, "is_bot": False, "first_name": "Tamu", "last_name": "Grup"}
TRIAGE_OFFICER = {"id": 7001, "is_bot": False, "first_name": "Sari", "last_name": "Kominfo"}


def staff_catalog(tmp: Path, *, officers: list[int] | None = None) -> Path:
    """The shipped catalog with groups for PUPR and DLHKP, triage and the supervisors."""
    data = yaml.safe_load(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    for agency in data["agencies"]:
        if agency["code"] == "PUPR":
            agency["staff"] = {"telegram_chat_id": PUPR_CHAT, "officers": officers or []}
        if agency["code"] == "DLHKP":
            agency["staff"] = {"telegram_chat_id": DLHKP_CHAT}
    data["triage"] = {"telegram_chat_id": TRIAGE_CHAT}
    data["supervisors"] = {"telegram_chat_id": SUPERVISORS_CHAT}
    path = tmp / "staff_catalog.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def group(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "title": f"Grup {chat_id}", "type": "supergroup"}


def card(world: World, chat_id: int, ref: str) -> tuple[int, dict[str, Any]]:
    """The one card of `ref` in the group, as it shows now (edits applied)."""
    found = card_messages(world, chat_id, ref)
    assert len(found) == 1, [m.get("text", "")[:80] for _, m in found]
    return found[0]


def card_messages(world: World, chat_id: int, ref: str) -> list[tuple[int, dict[str, Any]]]:
    heads = (f"Laporan baru {ref}", f"Perlu verifikasi {ref}")
    return [
        (mid, m)
        for (chat, mid), m in world.api.messages.items()
        if chat == chat_id and any(h in str(m.get("text", "")) for h in heads)
    ]


def newest(world: World, chat_id: int, needle: str) -> tuple[int, dict[str, Any]]:
    found = [
        (mid, m)
        for (chat, mid), m in world.api.messages.items()
        if chat == chat_id and needle in str(m.get("text", ""))
    ]
    assert found, f"no message with {needle!r} in {chat_id}"
    return found[-1]


def tap(
    world: World, chat_id: int, message_id: int, label: str, *, user: dict[str, Any] = OFFICER
) -> dict[str, Any]:
    message = world.api.messages[(chat_id, message_id)]
    return tap_data(world, chat_id, message_id, button_data(message, label), user=user)


def tap_data(
    world: World, chat_id: int, message_id: int, data: str, *, user: dict[str, Any] = OFFICER
) -> dict[str, Any]:
    message = dict(world.api.messages[(chat_id, message_id)])
    message["chat"] = group(chat_id) if chat_id < 0 else message["chat"]
    return {
        "update_id": world.next_update_id(),
        "callback_query": {
            "id": f"cb{world.next_update_id()}",
            "from": user,
            "message": message,
            "chat_instance": "-3870000000000000002",
            "data": data,
        },
    }


def reply(
    world: World,
    chat_id: int,
    message_id: int | None,
    text: str,
    *,
    user: dict[str, Any] = OFFICER,
    command: bool = False,
) -> dict[str, Any]:
    """An officer's message in a group, in reply to one of Lapor's messages there."""
    message: dict[str, Any] = {
        "message_id": world.next_update_id() % 1_000_000,
        "from": user,
        "chat": group(chat_id),
        "date": 1767240000,
        "text": text,
    }
    if message_id is not None:
        message["reply_to_message"] = world.api.messages[(chat_id, message_id)]
    if command:
        name = text.split()[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(name)}]
    return {"update_id": world.next_update_id(), "message": message}


def toasts(world: World) -> list[str]:
    return [str(a.get("text", "")) for a in world.api.answered]
