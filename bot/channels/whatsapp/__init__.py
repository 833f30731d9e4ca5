"""The WhatsApp Cloud API adapter: webhook payloads in, `Inbound` out; `Outbound` in, Graph out.

Split as the work is: `webhook` (signature, verification, one POST into inbox items),
`parse` (stored items into `Inbound`s), `render` (an `Outbound` into Graph message bodies),
`errors` (Graph's error codes judged), `media` (photos downloaded and kept), `channel` (the
HTTP session that ties them together), `payload` (reading untrusted JSON).
"""

from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.channels.whatsapp.errors import WhatsAppAuthError, send_error
from bot.channels.whatsapp.render import render
from bot.channels.whatsapp.webhook import (
    CHANNEL,
    SIGNATURE_HEADER,
    Split,
    check_signature,
    inbox_items,
    verify_challenge,
)

__all__ = [
    "CHANNEL",
    "SIGNATURE_HEADER",
    "Split",
    "WhatsAppAuthError",
    "WhatsAppChannel",
    "check_signature",
    "inbox_items",
    "render",
    "send_error",
    "verify_challenge",
]
