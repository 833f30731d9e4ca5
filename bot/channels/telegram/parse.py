"""Bot API updates in, `Inbound` out: messages, taps and membership changes, as handlers need them.

python-telegram-bot does the parsing (`Update.de_json`) but not the types: its objects hold the
JSON values as they came. Every value that reaches an `Inbound` is read through
`bot/channels/checked.py`, so a wrong-typed field is `Unreadable` here and never a crash in a
handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import (
    CallbackQuery,
    Chat,
    ChatMemberUpdated,
    MaybeInaccessibleMessage,
    Message,
    MessageEntity,
    Update,
    User,
    Venue,
)
from telegram import Location as TgLocation
from telegram.constants import ChatMemberStatus, ChatType

from bot.channels import checked
from bot.channels.base import Inbound, InboundKind, Location, Media, Unreadable
from bot.channels.telegram.webhook import CHANNEL, raw_ids

_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)


@dataclass(frozen=True, slots=True)
class Me:
    """Who the bot is: replies to it are answers, commands for another bot are not for it."""

    bot_id: int | None
    username: str | None


def from_update(update: Update, payload: dict[str, Any], me: Me) -> Inbound:
    """One update as handlers see it; types Lapor does not act on are IGNORED."""
    external_id = checked.ident(update.update_id, "update_id")
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
    chat_type, chat_id = _chat(message.chat, "message.chat")
    is_group = chat_type in _GROUPS
    to_bot, replied_id = _reply_to_bot(message, me)
    thread_id = _thread(message)
    common: dict[str, Any] = {
        **_who(user, "message.from"),
        "channel": CHANNEL,
        "chat_id": chat_id,
        "message_id": checked.ident(message.message_id, "message.message_id"),
        "reply_to_message_id": replied_id if to_bot else None,
        "is_group": is_group,
        "thread_id": thread_id,
        "external_id": external_id,
    }
    command = _command(message)
    for_another_bot = bool(
        command and command[2] and me.username and command[2] != me.username.lower()
    )
    if (
        user is None
        or checked.flag(user.is_bot, "message.from.is_bot")  # other bots, anonymous admins
        or message.sender_chat is not None
        or chat_type == ChatType.CHANNEL
        or for_another_bot
        # In staff groups only commands, answers to the bot and messages in a forum topic
        # are for Lapor; the handlers tell a ticket's topic from any other.
        or (is_group and command is None and not to_bot and thread_id is None)
    ):
        return Inbound(**common, kind=InboundKind.IGNORED)
    if command is not None:
        name, args, _ = command
        return Inbound(
            **common, kind=InboundKind.COMMAND, text=message.text, command=name, args=args
        )
    return _by_content(message, common)


def _reply_to_bot(message: Message, me: Me) -> tuple[bool, str | None]:
    """Whether the message answers one of the bot's own, and that message's id."""
    replied = message.reply_to_message
    if replied is None:
        return False, None
    # A message in a forum topic "replies" to the topic's creation; that is no answer.
    if replied.forum_topic_created is not None or replied.from_user is None:
        return False, None
    author = checked.integer(replied.from_user.id, "reply_to_message.from.id")
    replied_id = checked.ident(replied.message_id, "reply_to_message.message_id")
    return author == me.bot_id, replied_id


def _from_callback(query: CallbackQuery, external_id: str) -> Inbound:
    if query.from_user is None:
        raise Unreadable("callback_query.from is missing")
    data = checked.optional_text(query.data, "callback_query.data")
    message = query.message  # may be an InaccessibleMessage (older than 48 h): has chat & id
    if message is None or data is None:
        # Inline-mode or game buttons: Lapor never sends those.
        return Inbound(
            channel=CHANNEL,
            chat_id="",
            user_id=checked.ident(query.from_user.id, "callback_query.from.id"),
            kind=InboundKind.IGNORED,
            external_id=external_id,
        )
    chat_type, chat_id = _chat(message.chat, "callback_query.message.chat")
    return Inbound(
        **_who(query.from_user, "callback_query.from"),
        channel=CHANNEL,
        chat_id=chat_id,
        kind=InboundKind.BUTTON,
        button=data,
        callback_id=checked.text(query.id, "callback_query.id"),
        reply_to_message_id=checked.ident(message.message_id, "callback_query.message.message_id"),
        is_group=chat_type in _GROUPS,
        thread_id=_thread(message),
        external_id=external_id,
    )


def _from_membership(change: ChatMemberUpdated, external_id: str) -> Inbound:
    """A resident blocking the bot is the one membership change Lapor acts on."""
    chat_type, chat_id = _chat(change.chat, "my_chat_member.chat")
    status = checked.text(
        getattr(change.new_chat_member, "status", None), "my_chat_member.new_chat_member.status"
    )
    blocked = chat_type == ChatType.PRIVATE and status == ChatMemberStatus.BANNED  # "kicked"
    return Inbound(
        **_who(change.from_user, "my_chat_member.from"),
        channel=CHANNEL,
        chat_id=chat_id,
        kind=InboundKind.BLOCKED if blocked else InboundKind.IGNORED,
        external_id=external_id,
    )


def _chat(chat: Chat | None, what: str) -> tuple[str, str]:
    """(type, id) of the chat: where answers go. A message without one cannot be answered."""
    if chat is None:
        raise Unreadable(f"{what} is missing")
    return checked.text(chat.type, f"{what}.type"), checked.ident(chat.id, f"{what}.id")


def _thread(message: MaybeInaccessibleMessage) -> int | None:
    """The forum topic a message sits in (never the id of a plain reply thread)."""
    if not isinstance(message, Message) or message.is_topic_message is None:
        return None
    if not checked.flag(message.is_topic_message, "message.is_topic_message"):
        return None
    return checked.optional_integer(message.message_thread_id, "message.message_thread_id")


def _command(message: Message) -> tuple[str, str, str] | None:
    """(name, args, addressed bot) when the message starts with a command, all lower case."""
    text = checked.optional_text(message.text, "message.text")
    entities = checked.listing(message.entities, "message.entities")
    if not text or not entities:
        return None
    first = entities[0]
    if not isinstance(first, MessageEntity):
        raise Unreadable("message.entities holds something else")
    kind = checked.text(first.type, "message.entities.type")
    offset = checked.integer(first.offset, "message.entities.offset")
    length = checked.integer(first.length, "message.entities.length")
    if kind != MessageEntity.BOT_COMMAND or offset != 0:
        return None
    # Commands are ASCII, so the entity's UTF-16 length is also its length in characters.
    name, _, target = text[1:length].partition("@")
    return name.lower(), text[length:].strip(), target.lower()


def _by_content(message: Message, common: dict[str, Any]) -> Inbound:
    """A message for Lapor that is not a command, by what it carries."""
    text = checked.optional_text(message.text, "message.text")
    caption = checked.optional_text(message.caption, "message.caption")
    if text is not None:
        return Inbound(**common, kind=InboundKind.TEXT, text=text)
    if message.location is not None:
        location = _location(message.location, message.venue)
        return Inbound(**common, kind=InboundKind.LOCATION, location=location)
    if message.photo:
        media = (_largest(message),)
        return Inbound(**common, kind=InboundKind.PHOTO, text=caption, media=media)
    doc = message.document
    if doc is not None:
        mime_type = checked.optional_text(doc.mime_type, "message.document.mime_type")
        if (mime_type or "").startswith("image/"):
            # A photo sent "as file" (uncompressed) is still a photo of the problem.
            media = (_media(doc.file_id, mime_type, doc.file_size, "message.document"),)
            return Inbound(**common, kind=InboundKind.PHOTO, text=caption, media=media)
    if message.effective_attachment is not None:  # sticker, voice, video, contact, poll...
        return Inbound(**common, kind=InboundKind.UNSUPPORTED, text=caption)
    return Inbound(**common, kind=InboundKind.IGNORED)  # service messages: joins, pins...


def _location(where: TgLocation, venue: Venue | None) -> Location:
    latitude = checked.number(where.latitude, "message.location.latitude")
    longitude = checked.number(where.longitude, "message.location.longitude")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise Unreadable("message.location is not on Earth")
    address = None
    if venue is not None:
        title = checked.optional_text(venue.title, "message.venue.title")
        street = checked.optional_text(venue.address, "message.venue.address")
        address = ", ".join(x for x in (title, street) if x) or None
    return Location(latitude, longitude, address)


def _largest(message: Message) -> Media:
    """PhotoSizes come smallest first; the largest is what an officer wants to see."""
    sizes = []
    for size in message.photo:
        width = checked.integer(size.width, "message.photo.width")
        height = checked.integer(size.height, "message.photo.height")
        sizes.append((width * height, size))
    big = max(sizes, key=lambda pair: pair[0])[1]
    return _media(big.file_id, "image/jpeg", big.file_size, "message.photo")


def _media(file_id: Any, mime_type: str | None, size: Any, what: str) -> Media:
    return Media(
        checked.text(file_id, f"{what}.file_id"),
        mime_type,
        checked.optional_integer(size, f"{what}.file_size"),
    )


def _who(user: User | None, what: str) -> dict[str, Any]:
    if user is None:
        return {"user_id": ""}
    first = checked.text(user.first_name, f"{what}.first_name")
    last = checked.optional_text(user.last_name, f"{what}.last_name")
    return {
        "user_id": checked.ident(user.id, f"{what}.id"),
        "user_name": f"{first} {last}" if last else first or None,  # PTB's full_name
        "language": checked.optional_text(user.language_code, f"{what}.language_code"),
    }
