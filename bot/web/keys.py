"""Typed application keys (mypy checks them, unlike string keys)."""

from __future__ import annotations

from aiohttp import web

from bot.channels.telegram import TelegramChannel
from bot.channels.whatsapp import WhatsAppChannel
from bot.services import Services

SERVICES = web.AppKey("services", Services)
TELEGRAM = web.AppKey("telegram", TelegramChannel)
WHATSAPP = web.AppKey("whatsapp", WhatsAppChannel)
