"""A phone number, e-mail or identity number (NIK, KK) typed into a report never reaches the
officers' group or the logs unmasked, and no link in it unfurls there; the resident's own copy
stays whole."""

from __future__ import annotations

import logging
import re

import pytest

from bot.logmask import MaskingFilter
from tests.e2e.telegram_world import PUPR_CHAT, World

REF = re.compile(r"KDR-\d{2}-\d{6}")
TYPED = (
    "jalan berlubang besar dan aspal rusak di Jl. Hayam Wuruk, hubungi 0812-3456-7890 "
    "atau siti.warga@gmail.com, foto https://bit.ly/lubang-hayam"
)


async def report(world: World, typed: str) -> str:
    """A resident sends `typed` as a road report, with a place and no photo: its reference."""
    assert await world.post(world.text("/start")) == 200
    await world.post(world.text(typed))
    await world.post(world.tap("Ubah"))
    await world.post(world.location(-7.8165, 112.0115))
    await world.post(world.tap("Lewati"))
    await world.post(world.tap("Kirim"))
    ref = REF.search(world.to_resident()[-1]["text"])
    assert ref, world.to_resident()[-1]["text"]
    return ref.group()


async def test_the_card_masks_contact_details_and_unfurls_no_link(world: World) -> None:
    ref = await report(world, TYPED)
    staff = world.to_chat(PUPR_CHAT)
    card = next(m for m in staff if ref in m.get("text", ""))
    assert "Hayam Wuruk" in card["text"] and "•890" in card["text"]
    for message in staff:
        text = message.get("text", "") + message.get("caption", "") + message.get("title", "")
        assert "0812-3456-7890" not in text and "siti.warga@gmail.com" not in text
    for params in world.api.calls_to("sendMessage") + world.api.calls_to("editMessageText"):
        assert params["link_preview_options"] == {"is_disabled": True}
    summaries = [m["text"] for m in world.to_resident() if "0812-3456-7890" in m.get("text", "")]
    assert summaries, "the resident's own copy keeps their words whole"


async def test_the_card_masks_an_identity_number_and_so_do_the_logs(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(MaskingFilter())  # as `lapor serve` installs it
    typed = (
        "jalan berlubang besar dan aspal rusak di Jl. Hayam Wuruk, NIK saya 3571 0112 0590 0001 "
        "hp 081234567890"
    )
    with caplog.at_level(logging.DEBUG):
        ref = await report(world, typed)
    card = next(m for m in world.to_chat(PUPR_CHAT) if ref in m.get("text", ""))
    assert "•••• •••• •••• •001" in card["text"] and "•••••••••890" in card["text"]
    assert "3571 0112 0590 0001" not in card["text"] and "081234567890" not in card["text"]
    assert "3571 0112 0590 0001" not in caplog.text and "081234567890" not in caplog.text
    summaries = [m["text"] for m in world.to_resident() if "3571 0112 0590 0001" in m["text"]]
    assert summaries, "the resident's own copy keeps their words whole"
