"""A fake Telegram Bot API: a real aiohttp server on 127.0.0.1, for PTB's real client to talk to.

Like aiohttp's `examples/fake_server.py` FakeFacebook: nothing inside python-telegram-bot is
patched, so what the tests see is what Telegram would see on the wire (form fields, JSON-encoded
`reply_markup`), and failures come back in Telegram's own error shape, which PTB maps to its
exception types exactly as it would in production.

    async with FakeBotApi() as api:               # or: base_url = await api.start()
        settings = Settings(telegram_bot_token=api.token, telegram_api_base_url=api.base_url)
        ...
        api.fail_next("sendMessage", status=429, retry_after=3)
        sent = await api.wait_for_sent(2)

Several Lapor processes can share one fake, each through its own `base_url_for(name)`, so that
`deliveries` says which process sent each message and when; `hold(...)` accepts a message and
keeps its answer back until released (a process killed meanwhile never learns it went out).

It keeps what Telegram keeps: messages (edited in place by editMessageText/Caption, refused as
"not modified" when nothing changes), uploaded files (`uploads`, with their bytes), and forum
topics in supergroups (`topics`, opened, closed and reopened; a closed topic refuses posts).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Final

from aiohttp import web

from tests.fakes.loopback import LoopbackServer

BOT_ID: Final = 7000000001
BOT_USERNAME: Final = "LaporKediriBot"
TOKEN: Final = f"{BOT_ID}:TEST-fake-token-for-lapor"
BOT_USER: Final[dict[str, Any]] = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Lapor Kediri",
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
_VIA: ContextVar[str | None] = ContextVar("via", default=None)  # who made the call answered
# Form fields Telegram reads as JSON, as integers, or as booleans (everything else is a string).
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "entities",
        "caption_entities",
        "allowed_updates",
        "link_preview_options",
        "media",
    }
)
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "message_thread_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "max_connections",
    }
)
_FLOAT_FIELDS = frozenset({"latitude", "longitude"})
_BOOL_FIELDS = frozenset(
    {"show_alert", "disable_notification", "protect_content", "drop_pending_updates"}
)
_DEFAULT_DESCRIPTIONS: Final = {
    400: "Bad Request: message text is empty",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass(frozen=True, slots=True)
class ScriptedFailure:
    status: int
    description: str
    retry_after: int | None


@dataclass(frozen=True, slots=True)
class Upload:
    """A file sent as multipart form data (a photo uploaded, not named by a file id)."""

    method: str
    field: str
    filename: str | None
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Delivery:
    """A message accepted: its params, which client sent it (`base_url_for`), and when."""

    params: dict[str, Any]
    via: str | None
    at: float  # time.monotonic()


@dataclass
class Hold:
    """One send to be accepted and then left unanswered until `release()`."""

    method: str
    chat_id: int | None
    after: int  # matching sends to let through first
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    delivery: Delivery | None = None  # the message held

    def release(self) -> None:
        self.released.set()


@dataclass
class Topic:
    name: str
    closed: bool = False


class FakeBotApi(LoopbackServer):
    """Answers the Bot API methods Lapor uses, records every call, fails when told to."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[tuple[str, dict[str, Any]]] = []  # every answered call, in order
        self.attempts: list[str] = []  # every method called, scripted failures included
        self.sent: list[dict[str, Any]] = []  # sendMessage/Photo/Location/Venue params, in order
        self.deliveries: list[Delivery] = []  # the same messages: who sent each, and when
        self.edits: list[dict[str, Any]] = []  # editMessageText/Caption params that changed one
        self.uploads: list[Upload] = []  # files uploaded (multipart), in order
        self.topics: dict[tuple[int, int], Topic] = {}  # (chat_id, message_thread_id)
        self.files: dict[str, bytes] = {}  # file_id -> bytes, served by getFile and /file/
        self.updates: deque[dict[str, Any]] = deque()  # what getUpdates serves
        self.webhook: dict[str, Any] = {"url": ""}
        self.answered: list[dict[str, Any]] = []  # answerCallbackQuery params
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # (chat_id, message_id)
        self._failures: dict[str, deque[ScriptedFailure | None]] = {}
        self._holds: list[Hold] = []
        self.delay = 0.0  # seconds every answer takes, as a slow Telegram would
        self._message_ids = itertools.count(1000)
        self._changed = asyncio.Condition()
        self._new_update = asyncio.Event()
        self._base_url: str | None = None

    @property
    def base_url(self) -> str:
        """What `TELEGRAM_API_BASE_URL` should say: PTB appends `{token}/{method}`."""
        if self._base_url is None:
            raise RuntimeError("FakeBotApi is not started")
        return self._base_url

    async def start(self) -> str:
        # Telegram takes photos up to 10 MB (files up to 50 MB); aiohttp's default is 1 MB.
        app = web.Application(client_max_size=50 * 1024**2)
        for prefix in ("", "/via/{via}"):
            app.router.add_route("*", prefix + "/bot{token}/{method}", self._handle)
            app.router.add_get(prefix + "/file/bot{token}/{path:.+}", self._file)
        self._base_url = await self.serve(app) + "/bot"
        return self._base_url

    def base_url_for(self, via: str) -> str:
        """The same API for one client among several: its sends are `deliveries` `via` it."""
        return self.base_url.removesuffix("/bot") + f"/via/{via}/bot"

    async def stop(self) -> None:
        for hold in self._holds:
            hold.release()
        await super().stop()

    # --- scripting -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 500,
        *,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        after: int = 0,
    ) -> None:
        """The next `times` calls of `method` (after `after` that succeed) fail with Telegram's
        error JSON for `status`."""
        if status == 429 and retry_after is None:
            retry_after = 3
        text = description or _DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
        failure = ScriptedFailure(status, text.format(retry_after=retry_after), retry_after)
        planned = self._failures.setdefault(method.lower(), deque())
        planned.extend([None] * after + [failure] * times)

    def hold(self, method: str, *, after: int = 0, chat_id: int | None = None) -> Hold:
        """Accept the next call of `method` (to `chat_id`, if given) after `after` such calls,
        then keep its answer back until `hold.release()`: Telegram delivered the message, and
        the sender, waiting, cannot know."""
        hold = Hold(method.lower(), chat_id, after)
        self._holds.append(hold)
        return hold

    async def _hold_if_planned(self, method: str, params: dict[str, Any]) -> None:
        for hold in self._holds:
            if hold.method != method.lower() or hold.reached.is_set():
                continue
            if hold.chat_id is not None and params.get("chat_id") != hold.chat_id:
                continue
            if hold.after > 0:
                hold.after -= 1
                continue
            hold.delivery = next((d for d in reversed(self.deliveries) if d.params is params), None)
            hold.reached.set()
            await hold.released.wait()
            return

    def add_file(self, file_id: str, data: bytes) -> None:
        """A file someone sent to a chat, for getFile and its download."""
        self.files[file_id] = data

    def add_update(self, update: dict[str, Any]) -> None:
        """Queue a raw update for getUpdates (polling mode)."""
        self.updates.append(update)
        self._new_update.set()

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name.lower() == method.lower()]

    def sent_summary(self) -> list[str | None]:
        return [m.get("text") for m in self.sent]

    # --- the API -------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        uploads: list[Upload] = []
        params = await _params(request, method, uploads)
        self.attempts.append(method)
        failures = self._failures.get(method.lower())
        failure = failures.popleft() if failures else None
        if failure is not None:
            extra = {"retry_after": failure.retry_after} if failure.retry_after else None
            return _error(failure.status, failure.description, extra)
        if self.delay:
            await asyncio.sleep(self.delay)
        handler = getattr(self, f"_api_{method.lower()}", None)
        if handler is None:
            return _error(404, "Not Found")
        self.calls.append((method, params))
        self.uploads.extend(uploads)
        _VIA.set(request.match_info.get("via"))  # this request's task only
        result = await handler(params)
        if isinstance(result, web.Response):
            return result
        async with self._changed:
            self._changed.notify_all()
        await self._hold_if_planned(method, params)
        return web.json_response({"ok": True, "result": result})

    async def _api_getme(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _api_sendmessage(self, params: dict[str, Any]) -> Any:
        if not str(params.get("text", "")).strip():
            return _error(400, "Bad Request: message text is empty")
        if len(str(params["text"]).encode("utf-16-le")) // 2 > 4096:
            return _error(400, "Bad Request: message is too long")
        return self._record_sent(params, {"text": params["text"]})

    async def _api_sendphoto(self, params: dict[str, Any]) -> Any:
        photo = params.get("photo")
        if not isinstance(photo, str) or not photo:
            return _error(400, "Bad Request: there is no photo in the request")
        if len(str(params.get("caption", ""))) > 1024:
            return _error(400, "Bad Request: message caption is too long")
        size = {"file_id": "AgACAgUAAxkBAAIBfake", "file_unique_id": "AQADfake", "width": 800}
        extra: dict[str, Any] = {"photo": [{**size, "height": 600}]}
        if params.get("caption"):
            extra["caption"] = params["caption"]
        return self._record_sent(params, extra)

    async def _api_sendlocation(self, params: dict[str, Any]) -> Any:
        where = _coordinates(params)
        if where is None:
            return _error(400, "Bad Request: wrong latitude or longitude")
        return self._record_sent(params, {"location": where})

    async def _api_sendvenue(self, params: dict[str, Any]) -> Any:
        where = _coordinates(params)
        if where is None:
            return _error(400, "Bad Request: wrong latitude or longitude")
        if not params.get("title") or not params.get("address"):
            return _error(400, "Bad Request: venue title and address are required")
        venue = {"location": where, "title": params["title"], "address": params["address"]}
        return self._record_sent(params, {"location": where, "venue": venue})

    async def _api_editmessagetext(self, params: dict[str, Any]) -> Any:
        message = self.messages.get((params.get("chat_id", 0), params.get("message_id", 0)))
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        if "text" not in message:
            return _error(400, "Bad Request: there is no text in the message to edit")
        if not str(params.get("text", "")).strip():
            return _error(400, "Bad Request: message text is empty")
        return self._edit(message, params, "text")

    async def _api_editmessagecaption(self, params: dict[str, Any]) -> Any:
        message = self.messages.get((params.get("chat_id", 0), params.get("message_id", 0)))
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        if "photo" not in message:
            return _error(400, "Bad Request: there is no caption in the message to edit")
        return self._edit(message, params, "caption")

    def _edit(self, message: dict[str, Any], params: dict[str, Any], field: str) -> Any:
        markup = params.get("reply_markup")
        if message.get(field) == params.get(field) and message.get("reply_markup") == markup:
            return _error(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message[field] = params.get(field)
        if markup is None:
            message.pop("reply_markup", None)  # an edit without buttons takes them away
        else:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        self.edits.append(params)
        return message

    async def _api_getfile(self, params: dict[str, Any]) -> Any:
        file_id = str(params.get("file_id", ""))
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        size = len(self.files[file_id])
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": size,
            "file_path": f"photos/{file_id}.jpg",
        }

    async def _file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        file_id = path.removeprefix("photos/").removesuffix(".jpg")
        if request.match_info["token"] != self.token or file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id], content_type="image/jpeg")

    async def _api_createforumtopic(self, params: dict[str, Any]) -> Any:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int) or _chat(chat_id)["type"] != "supergroup":
            return _error(400, "Bad Request: the chat is not a forum")
        name = str(params.get("name", ""))
        if not 1 <= len(name) <= 128:
            return _error(400, "Bad Request: TOPIC_NAME_INVALID")
        thread_id = next(self._message_ids)
        self.topics[(chat_id, thread_id)] = Topic(name)
        return {"message_thread_id": thread_id, "name": name, "icon_color": 7322096}

    async def _api_closeforumtopic(self, params: dict[str, Any]) -> Any:
        return self._set_topic(params, closed=True)

    async def _api_reopenforumtopic(self, params: dict[str, Any]) -> Any:
        return self._set_topic(params, closed=False)

    def _set_topic(self, params: dict[str, Any], *, closed: bool) -> Any:
        topic = self.topics.get((params.get("chat_id", 0), params.get("message_thread_id", 0)))
        if topic is None:
            return _error(400, "Bad Request: message thread not found")
        if topic.closed == closed:
            return _error(400, "Bad Request: TOPIC_NOT_MODIFIED")
        topic.closed = closed
        return True

    def _record_sent(self, params: dict[str, Any], content: dict[str, Any]) -> Any:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            return _error(400, "Bad Request: chat not found")
        topic = self.topics.get((chat_id, params.get("message_thread_id", 0)))
        if topic is not None and topic.closed:
            return _error(400, "Bad Request: TOPIC_CLOSED")
        self.sent.append(params)
        self.deliveries.append(Delivery(params, _VIA.get(), time.monotonic()))
        message = {
            "message_id": next(self._message_ids),
            "from": BOT_USER,
            "chat": _chat(chat_id),
            "date": int(time.time()),
            **content,
        }
        if "message_thread_id" in params:
            message["message_thread_id"] = params["message_thread_id"]
            message["is_topic_message"] = True
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram echoes inline keyboards only
        self.messages[(chat_id, message["message_id"])] = message
        return message

    async def _api_answercallbackquery(self, params: dict[str, Any]) -> Any:
        self.answered.append(params)
        return True

    async def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> Any:
        message = self.messages.get((params.get("chat_id", 0), params.get("message_id", 0)))
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if markup is None and "reply_markup" not in message:
            return _error(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        if markup is None:
            message.pop("reply_markup")
        else:
            message["reply_markup"] = markup
        return message

    async def _api_setwebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {"url": params.get("url", ""), **params}
        return True

    async def _api_deletewebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {"url": ""}
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    async def _api_getwebhookinfo(self, params: dict[str, Any]) -> Any:
        info = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def _api_getupdates(self, params: dict[str, Any]) -> Any:
        if self.webhook.get("url"):
            return _error(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        if isinstance(offset, int):  # confirming: updates below the offset are gone for good
            while self.updates and self.updates[0].get("update_id", 0) < offset:
                self.updates.popleft()
        timeout = params.get("timeout", 0)
        if not self.updates and isinstance(timeout, int) and timeout > 0:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        limit = params.get("limit", 100)
        return list(self.updates)[: limit if isinstance(limit, int) else 100]


async def _params(request: web.Request, method: str, uploads: list[Upload]) -> dict[str, Any]:
    """Query string, then a JSON or form body, read the way Telegram reads them.

    An uploaded file shows as "<file>" in the params; its bytes go to `uploads`.
    """
    raw: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            return {**raw, **body}
    elif request.body_exists:
        form = await request.post()
        raw.update({k: v for k, v in form.items() if isinstance(v, str)})
        for k, v in form.items():
            if isinstance(v, web.FileField):
                uploads.append(Upload(method, k, v.filename, v.content_type, v.file.read()))
                raw[k] = "<file>"
        # PTB names an uploaded file "attach://<field>" in the field it belongs to
        for k, v in list(raw.items()):
            if isinstance(v, str) and v.startswith("attach://") and v[9:] in form:
                raw[k] = "<file>"
    return {k: _coerce(k, v) for k, v in raw.items()}


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if name in _INT_FIELDS and value.lstrip("-").isdigit():
        return int(value)
    if name in _FLOAT_FIELDS:
        try:
            return float(value)
        except ValueError:
            return value
    if name in _BOOL_FIELDS and value in ("true", "false"):
        return value == "true"
    return value


def _coordinates(params: dict[str, Any]) -> dict[str, float] | None:
    lat, lon = params.get("latitude"), params.get("longitude")
    if not isinstance(lat, float) or not isinstance(lon, float):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return {"latitude": lat, "longitude": lon}


def _chat(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "first_name": "Warga", "type": "private"}
    if chat_id <= -1_000_000_000_000:
        return {"id": chat_id, "title": "Staff", "type": "supergroup"}
    return {"id": chat_id, "title": "Staff", "type": "group"}


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)
