"""`Outbound` through our aiohttp client to FakeGraphApi, which checks bodies as Graph does.

What a resident would notice: the buttons or list that appear, the location request, a
template instead of silence after 24 hours; and what the outbox needs: which failures are
retried (rate limits with their wait, 5xx, network) and which are given up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr

from bot.channels.base import Button, Outbound, OutboundKind, SendError
from bot.channels.whatsapp import WhatsAppAuthError, WhatsAppChannel
from bot.config import Settings
from tests.fakes.graph_api import PHONE_NUMBER_ID, FakeGraphApi

SITI = "6281200000001"
RINA_BSUID = "ID.1000000000000002"
CONFIRM = ((Button("Kirim", "send:n1"), Button("Ubah", "edit:n1"), Button("Batal", "cancel:n1")),)


def settings_for(api: FakeGraphApi, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "whatsapp_access_token": SecretStr(api.token),
        "whatsapp_phone_number_id": PHONE_NUMBER_ID,
        "whatsapp_api_base_url": api.base_url,
        **overrides,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture
async def api() -> AsyncIterator[FakeGraphApi]:
    async with FakeGraphApi() as fake:
        yield fake


@pytest.fixture
async def channel(api: FakeGraphApi) -> AsyncIterator[WhatsAppChannel]:
    whatsapp = WhatsAppChannel(settings_for(api))
    await whatsapp.start()
    yield whatsapp
    await whatsapp.stop()


def out(text: str = "Kirim laporan ini?", chat_id: str = SITI, **fields: Any) -> Outbound:
    return Outbound(channel="whatsapp", chat_id=chat_id, text=text, **fields)


async def send_error(channel: WhatsAppChannel, outbound: Outbound) -> SendError:
    with pytest.raises(SendError) as caught:
        await channel.send(outbound)
    return caught.value


async def test_text_goes_to_the_residents_number(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    wamid = await channel.send(out("Laporan Anda sudah kami terima."))
    assert api.sent == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": SITI,
            "type": "text",
            "text": {"body": "Laporan Anda sudah kami terima.", "preview_url": False},
        }
    ]
    assert wamid == api.wamids[0]


async def test_username_only_residents_are_written_to_by_bsuid(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    await channel.send(out("Halo", chat_id=RINA_BSUID))
    [body] = api.sent
    assert body["recipient"] == RINA_BSUID
    assert "to" not in body


async def test_a_reply_quotes_the_message(channel: WhatsAppChannel, api: FakeGraphApi) -> None:
    await channel.send(out("Baik", reply_to_message_id="wamid.IN_1"))
    assert api.sent[0]["context"] == {"message_id": "wamid.IN_1"}


async def test_a_long_text_arrives_in_parts(channel: WhatsAppChannel, api: FakeGraphApi) -> None:
    wamid = await channel.send(out(("kata " * 1000).strip()))  # 4999 characters
    assert [len(t) for t in api.texts()] == [4094, 904]
    assert wamid == api.wamids[-1]


async def test_three_choices_are_reply_buttons(channel: WhatsAppChannel, api: FakeGraphApi) -> None:
    wamid = await channel.send(out(buttons=CONFIRM))
    assert api.interactive() == {
        "type": "button",
        "body": {"text": "Kirim laporan ini?"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "send:n1", "title": "Kirim"}},
                {"type": "reply", "reply": {"id": "edit:n1", "title": "Ubah"}},
                {"type": "reply", "reply": {"id": "cancel:n1", "title": "Batal"}},
            ]
        },
    }
    assert wamid == api.wamids[0]


async def test_long_button_labels_are_cut_to_twenty(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    buttons = ((Button("Dinas Pekerjaan Umum dan Penataan Ruang", "pick:n1:PUPR"),),)
    await channel.send(out("Pilih dinas", buttons=buttons))
    [button] = api.interactive()["action"]["buttons"]
    assert button["reply"]["title"] == "Dinas Pekerjaan Umu…"


async def test_equal_labels_are_told_apart(channel: WhatsAppChannel, api: FakeGraphApi) -> None:
    buttons = ((Button("Dinas", "pick:n1:A"), Button("Dinas", "pick:n1:B")),)
    await channel.send(out("Pilih", buttons=buttons))
    titles = [b["reply"]["title"] for b in api.interactive()["action"]["buttons"]]
    assert titles == ["Dinas", "Dinas 2"]


async def test_four_to_ten_choices_are_a_list(channel: WhatsAppChannel, api: FakeGraphApi) -> None:
    labels = ["Dinas PUPR", "DLHKP", "Dinas Perumahan dan Kawasan Permukiman", "Tidak tahu"]
    rows = tuple((Button(label, f"pick:n1:{i}"),) for i, label in enumerate(labels))
    await channel.send(out("Laporan ini untuk dinas mana?", buttons=rows, choose_label="Pilih"))
    interactive = api.interactive()
    assert interactive["type"] == "list"
    assert interactive["action"]["button"] == "Pilih"
    [section] = interactive["action"]["sections"]
    assert section["rows"][2] == {
        "id": "pick:n1:2",
        "title": "Dinas Perumahan dan Kaw…",
        "description": "Dinas Perumahan dan Kawasan Permukiman",
    }
    assert [r["title"] for r in section["rows"]][:2] == ["Dinas PUPR", "DLHKP"]


async def test_controls_speak_the_residents_language(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    rows = tuple((Button(f"Agency {i}", f"pick:n1:{i}"),) for i in range(4))
    await channel.send(out("Which agency?", buttons=rows, choose_label="Choose"))
    assert api.interactive()["action"]["button"] == "Choose"
    skip = ((Button("Skip", "skip:n2"),),)
    await channel.send(
        out("Where is it?", request_location=True, buttons=skip, follow_up="Or choose:")
    )
    assert api.interactive()["body"]["text"] == "Or choose:"


async def test_a_control_without_its_words_is_refused_not_worded_here(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    rows = tuple((Button(f"Dinas {i}", f"pick:n1:{i}"),) for i in range(4))
    skip = ((Button("Lewati", "skip:n1"),),)
    for outbound in (
        out("Dinas mana?", buttons=rows),
        out("Di mana?", request_location=True, buttons=skip),
    ):
        error = await send_error(channel, outbound)
        assert not error.retryable and "set by the handler" in str(error)
    assert api.sent == []


async def test_more_than_ten_choices_offer_the_first_ten(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    rows = tuple((Button(f"Pilihan {i}", f"pick:n1:{i}"),) for i in range(12))
    await channel.send(out("Pilih", buttons=rows, choose_label="Pilih"))
    [section] = api.interactive()["action"]["sections"]
    assert len(section["rows"]) == 10


async def test_location_request_with_a_skip_button(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    skip = ((Button("Lewati", "skip:n1"),),)
    wamid = await channel.send(
        out("Di mana lokasinya?", request_location=True, buttons=skip, follow_up="Atau pilih:")
    )
    first, second = (body["interactive"] for body in api.sent)
    assert first == {
        "type": "location_request_message",
        "body": {"text": "Di mana lokasinya?"},
        "action": {"name": "send_location"},
    }
    assert second["type"] == "button"
    assert second["body"] == {"text": "Atau pilih:"}
    assert second["action"]["buttons"][0]["reply"] == {"id": "skip:n1", "title": "Lewati"}
    assert wamid == api.wamids[1]  # the message whose button the resident will tap


async def test_a_long_text_with_buttons_fits_the_interactive_body(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    await channel.send(out(("ringkasan " * 300).strip(), buttons=CONFIRM))
    assert [body["type"] for body in api.sent] == ["text", "text", "interactive"]
    assert len(api.interactive()["body"]["text"]) <= 1024


async def test_callback_answers_and_clearing_buttons(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    assert await channel.send(out("", kind=OutboundKind.CALLBACK_ANSWER)) is None
    clear = out("", kind=OutboundKind.CLEAR_BUTTONS, target_message_id="wamid.X")
    assert await channel.send(clear) is None
    assert api.sent == []
    notice = out("Menu ini sudah tidak berlaku.", kind=OutboundKind.CALLBACK_ANSWER)
    assert await channel.send(notice) == api.wamids[0]
    assert api.texts() == ["Menu ini sudah tidak berlaku."]


async def test_an_empty_text_is_never_sent(channel: WhatsAppChannel, api: FakeGraphApi) -> None:
    error = await send_error(channel, out("   "))
    assert not error.retryable
    assert api.sent == []


def status_update(chat_id: str = SITI, **fields: Any) -> Outbound:
    return out(
        "Laporan KDR-26-000123 sekarang: Diproses",
        chat_id=chat_id,
        purpose="status_update",
        params={"ref": "KDR-26-000123", "status": "Diproses"},
        **fields,
    )


async def test_outside_the_window_a_status_update_goes_as_the_template(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    api.close_window(SITI)
    assert await channel.send(status_update(template="status_update")) == api.wamids[0]
    assert api.sent[0]["type"] == "template"
    assert api.sent[0]["template"] == {
        "name": "lapor_status_update",
        "language": {"code": "id"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "KDR-26-000123"},
                    {"type": "text", "text": "Diproses"},
                ],
            }
        ],
    }


async def test_a_free_form_message_outside_the_window_is_given_up_clearly(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    api.close_window(SITI)
    error = await send_error(channel, status_update())
    assert not error.retryable
    assert "131047" in str(error) and "24 hours" in str(error)


async def test_a_template_meta_does_not_know_is_a_configuration_error(
    api: FakeGraphApi,
) -> None:
    whatsapp = WhatsAppChannel(settings_for(api, whatsapp_template_status_update="lapor_typo"))
    await whatsapp.start()
    try:
        error = await send_error(whatsapp, status_update(template="status_update"))
    finally:
        await whatsapp.stop()
    assert not error.retryable
    assert "132001" in str(error)


async def test_a_template_nobody_configured_is_refused_before_sending(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    error = await send_error(channel, out("x", template="birthday_greeting"))
    assert not error.retryable
    assert api.sent == []


@pytest.mark.parametrize(
    ("status", "code", "retry_after", "expected_wait"),
    [
        (429, 130429, 7, 7.0),  # Graph's own wait wins
        (400, 130429, None, 5.0),  # throughput: a short pause
        (400, 131056, None, 10.0),  # the same resident too often
        (400, 80007, None, 60.0),  # the account's call budget
        (429, 4, None, 30.0),  # any other 429
    ],
)
async def test_rate_limits_are_retried_after_a_wait(
    channel: WhatsAppChannel,
    api: FakeGraphApi,
    status: int,
    code: int,
    retry_after: float | None,
    expected_wait: float,
) -> None:
    api.fail_next(status, code=code, retry_after=retry_after)
    error = await send_error(channel, out("halo"))
    assert (error.retryable, error.retry_after) == (True, expected_wait)
    assert await channel.send(out("halo")) is not None  # the next try goes through


@pytest.mark.parametrize(("status", "code"), [(500, 131000), (503, 131016), (400, 131000)])
async def test_server_trouble_is_retried_with_backoff(
    channel: WhatsAppChannel, api: FakeGraphApi, status: int, code: int
) -> None:
    api.fail_next(status, code=code)
    error = await send_error(channel, out("halo"))
    assert (error.retryable, error.retry_after) == (True, None)


@pytest.mark.parametrize(("status", "code"), [(400, 131026), (400, 100), (400, 131051)])
async def test_refusals_are_given_up(
    channel: WhatsAppChannel, api: FakeGraphApi, status: int, code: int
) -> None:
    api.fail_next(status, code=code)
    error = await send_error(channel, out("halo"))
    assert not error.retryable
    assert f"code {code}" in str(error)


async def test_a_body_graph_would_refuse_is_given_up(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    error = await send_error(channel, out("halo", chat_id="not a number"))
    assert not error.retryable
    assert api.refused and api.sent == []


async def test_an_expired_token_is_given_up(api: FakeGraphApi) -> None:
    whatsapp = WhatsAppChannel(settings_for(api))
    await whatsapp.start()
    api.token = "rotated"  # the token expired while Lapor was running
    try:
        error = await send_error(whatsapp, out("halo"))
    finally:
        await whatsapp.stop()
    assert not error.retryable
    assert "code 190" in str(error)


async def test_a_wrong_token_fails_at_start(api: FakeGraphApi) -> None:
    whatsapp = WhatsAppChannel(settings_for(api, whatsapp_access_token=SecretStr("wrong")))
    with pytest.raises(WhatsAppAuthError):
        await whatsapp.start()


async def test_no_connection_is_retried() -> None:
    settings = Settings(
        _env_file=None,
        whatsapp_access_token=SecretStr("token"),
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
        whatsapp_api_base_url="http://127.0.0.1:9/v21.0",  # discard port: nothing listens
    )
    whatsapp = WhatsAppChannel(settings)
    await whatsapp.start()  # Graph unreachable at start: a warning, not a crash
    try:
        error = await send_error(whatsapp, out("halo"))
    finally:
        await whatsapp.stop()
    assert error.retryable


async def test_a_send_waits_as_long_as_whatsapp_send_timeout_says(api: FakeGraphApi) -> None:
    impatient = WhatsAppChannel(settings_for(api, whatsapp_send_timeout=0.2))
    patient = WhatsAppChannel(settings_for(api, whatsapp_send_timeout=3))
    for whatsapp in (impatient, patient):
        await whatsapp.start()
    api.delay = 0.6
    try:
        assert (await send_error(impatient, out("satu"))).retryable
        assert await patient.send(out("dua")) is not None
    finally:
        for whatsapp in (impatient, patient):
            await whatsapp.stop()
    assert api.texts() == ["satu", "dua"]
