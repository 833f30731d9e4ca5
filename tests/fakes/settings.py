"""Lapor's settings aimed at the fake Bot API and the fake Graph API: what the tests and the
benches that drive both adapters share."""

from __future__ import annotations

from pydantic import SecretStr

from bot.config import Settings
from tests.fakes.graph_api import PHONE_NUMBER_ID, FakeGraphApi
from tests.fakes.telegram_api import FakeBotApi


def channel_settings(telegram: FakeBotApi, graph: FakeGraphApi) -> Settings:
    return Settings(
        _env_file=None,
        telegram_bot_token=SecretStr(telegram.token),
        telegram_api_base_url=telegram.base_url,
        whatsapp_access_token=SecretStr(graph.token),
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
        whatsapp_api_base_url=graph.base_url,
    )
