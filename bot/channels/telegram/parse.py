"""Bot API updates in, `Inbound` out: messages, taps and membership changes, as handlers need them.

python-telegram-bot does the parsing (`Update.de_json`); this module only reduces its objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, ChatMemberUpdated, Message, MessageEntity, Update, User
from telegram.constants import ChatMemberStatus, ChatType

from bot.channels.base import Inbound, InboundKind, Location, Media
from bot.channels.telegram.webhook import CHANNEL, raw_ids

_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)


@dataclass(frozen=True, slots=True)
class Me:
    """Who the bot is: replies to it are answers, commands for another bot are not for it."""

    bot_id: int | None
    username: str | None


def from_update(update: Update, payload: dict[str, Any], me: Me) -> Inbound:
    """One update as handlers see it; types Lapor does not act on are IGNORED."""
    external_id = str(update.update_id)
    if update.message is not None:
        return _from_message(update.message, external_id, me)
    if update.callback_query is not None:
        return _from_callback(update.callback_query, external_id)
    if update.my_chat_member is not None:
        return _from_membership(update.my_chat_member, external_id)
    # Edits (the report was already taken as first sent), channel posts, reactions, polls,
    # inline queries, types newer than PTB...: Lapor does not act on them, on purpose.
    chat_id, user_id = raw_ids(payload)
    return Inbound(
        channel=CHANNEL,
        chat_id=chat_id,
        user_id=user_id,
        kind=InboundKind.IGNORED,
        external_id=external_id,
    )


def _from_message(message: Message, external_id: str, me: Me) -> Inbound:
    user = message.from_user
    is_group = message.chat.type in _GROUPS
    replied = message.reply_to_message
    to_bot = (
        replied is not None
        # A message in a forum topic "replies" to the topic's creation; that is no answer.
        and replied.forum_topic_created is None
        and replied.from_user is not None
        and replied.from_user.id == me.bot_id
    )
    common: dict[str, Any] = {
        **_who(user),
        "channel": CHANNEL,
        "chat_id": str(message.chat.id),
        "message_id": str(message.message_id),
        "reply_to_message_id": str(replied.message_id) if to_bot and replied else None,
        "is_group": is_group,
        "thread_id": message.message_thread_id if message.is_topic_message else None,
        "external_id": external_id,
    }
    command = _command(message)
    for_another_bot = bool(
        command and command[2] and me.username and command[2] != me.username.lower()
    )
    if (
        user is None
        or user.is_bot  # other bots, and anonymous admins (GroupAnonymousBot)
        or message.sender_chat is not None
        or message.chat.type == ChatType.CHANNEL
        or for_another_bot
        # In staff groups only commands and answers to the bot are for Lapor.
        or (is_group and command is None and not to_bot)
    ):
        return Inbound(**common, kind=InboundKind.IGNORED)
    if command is not None:
        name, args, _ = command
        return Inbound(
            **common, kind=InboundKind.COMMAND, text=message.text, command=name, args=args
        )
    return _by_content(message, common)


def _from_callback(query: CallbackQuery, external_id: str) -> Inbound:
    message = query.message  # may be an InaccessibleMessage (older than 48 h): has chat & id
    if message is None or query.data is None:
        # Inline-mode or game buttons: Lapor never sends those.
        return Inbound(
            channel=CHANNEL,
            chat_id="",
            user_id=str(query.from_user.id),
            kind=InboundKind.IGNORED,
            external_id=external_id,
        )
    topic = isinstance(message, Message) and message.is_topic_message
    thread_id = message.message_thread_id if topic and isinstance(message, Message) else None
    return Inbound(
        **_who(query.from_user),
        channel=CHANNEL,
        chat_id=str(message.chat.id),
        kind=InboundKind.BUTTON,
        button=query.data,
        callback_id=query.id,
        reply_to_message_id=str(message.message_id),
        is_group=message.chat.type in _GROUPS,
        thread_id=thread_id,
        external_id=external_id,
    )


def _from_membership(change: ChatMemberUpdated, external_id: str) -> Inbound:
    """A resident blocking the bot is the one membership change Lapor acts on."""
    blocked = (
        change.chat.type == ChatType.PRIVATE
        and change.new_chat_member.status == ChatMemberStatus.BANNED  # "kicked"
    )
    return Inbound(
        **_who(change.from_user),
        channel=CHANNEL,
        chat_id=str(change.chat.id),
        kind=InboundKind.BLOCKED if blocked else InboundKind.IGNORED,
        external_id=external_id,
    )


def _command(message: Message) -> tuple[str, str, str] | None:
    """(name, args, addressed bot) when the message starts with a command, all lower case."""
    text, entities = message.text, message.entities
    if not text or not entities:
        return None
    first = entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    # Commands are ASCII, so the entity's UTF-16 length is also its length in characters.
    name, _, target = text[1 : first.length].partition("@")
    return name.lower(), text[first.length :].strip(), target.lower()


def _by_content(message: Message, common: dict[str, Any]) -> Inbound:
    """A message for Lapor that is not a command, by what it carries."""
    if message.text is not None:
        return Inbound(**common, kind=InboundKind.TEXT, text=message.text)
    if message.location is not None:
        venue = message.venue
        address = ", ".join(x for x in (venue.title, venue.address) if x) if venue else None
        where = Location(message.location.latitude, message.location.longitude, address)
        return Inbound(**common, kind=InboundKind.LOCATION, location=where)
    if message.photo:
        # PhotoSizes come smallest first; the largest is what an officer wants to see.
        big = max(message.photo, key=lambda p: p.width * p.height)
        media = (Media(big.file_id, "image/jpeg", big.file_size),)
        return Inbound(**common, kind=InboundKind.PHOTO, text=message.caption, media=media)
    doc = message.document
    if doc is not None and (doc.mime_type or "").startswith("image/"):
        # A photo sent "as file" (uncompressed) is still a photo of the problem.
        media = (Media(doc.file_id, doc.mime_type, doc.file_size),)
        return Inbound(**common, kind=InboundKind.PHOTO, text=message.caption, media=media)
    if message.effective_attachment is not None:  # sticker, voice, video, contact, poll...
        return Inbound(**common, kind=InboundKind.UNSUPPORTED, text=message.caption)
    return Inbound(**common, kind=InboundKind.IGNORED)  # service messages: joins, pins...


def _who(user: User | None) -> dict[str, Any]:
    if user is None:
        return {"user_id": ""}
    return {
        "user_id": str(user.id),
        "user_name": user.full_name or None,
        "language": user.language_code,
    }
