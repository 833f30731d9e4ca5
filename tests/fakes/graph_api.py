"""A fake WhatsApp Cloud API (Graph): a real aiohttp server on 127.0.0.1, for our real client.

Like aiohttp's `examples/fake_server.py` FakeFacebook. It checks request bodies the way Graph
does (the limits on buttons, lists and texts, the bearer token, approved templates) and answers
mistakes with Graph's own error JSON, so a body the real API would refuse fails here too.

    async with FakeGraphApi() as api:               # base_url like http://127.0.0.1:PORT/v21.0
        settings = Settings(whatsapp_access_token=api.token, whatsapp_api_base_url=api.base_url,
                            whatsapp_phone_number_id=PHONE_NUMBER_ID, ...)
        api.fail_next(429, code=130429, retry_after=2)
        api.close_window("6281200000001")          # free-form sends now fail with 131047
        api.fail_media_next(500); api.forget_media(PHOTO_ID)   # media metadata: 500 once, 404
        sent = await api.wait_for_sent(2)
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import re
from collections import deque
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import web

from tests.fakes.loopback import LoopbackServer

TOKEN: Final = "EAAG-fake-whatsapp-access-token-for-lapor"
PHONE_NUMBER_ID: Final = "100000000000002"
DISPLAY_NUMBER: Final = "6281200000000"
VERSION: Final = "v21.0"
# The photo of `image_with_caption.json`: a JPEG header and padding, enough to be "a photo".
PHOTO_ID: Final = "900000000000001"
PHOTO_BYTES: Final = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(2048) + b"\xff\xd9"
TEMPLATES: Final = {("lapor_status_update", "id"): 2}  # approved (name, language): parameters
_BSUID = re.compile(r"^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$")
_MESSAGES = {
    100: "(#100) Invalid parameter",
    131047: "Re-engagement message",
    130429: "(#130429) Rate limit hit",
    131056: "(#131056) (Business Account, Consumer Account) pair rate limit hit",
    131000: "(#131000) Something went wrong",
    131026: "(#131026) Message undeliverable",
    190: "Invalid OAuth access token - Cannot parse access token",
    132000: "(#132000) Number of parameters does not match the expected number of params",
    132001: "(#132001) Template name does not exist in the translation",
}


class BodyError(Exception):
    """A request body Graph would refuse: becomes a 400 with code 100 (or the given code)."""

    def __init__(self, details: str, code: int = 100) -> None:
        super().__init__(details)
        self.details = details
        self.code = code


@dataclass(frozen=True, slots=True)
class ScriptedFailure:
    status: int
    code: int
    retry_after: float | None
    details: str


@dataclass
class FakeMedia:
    data: bytes
    mime_type: str
    url_works: bool = True  # False: the download URL answers 404 (expired)


class FakeGraphApi(LoopbackServer):
    """Answers `/{phone_number_id}/messages`, media metadata and downloads; records what came."""

    def __init__(self, token: str = TOKEN, phone_number_id: str = PHONE_NUMBER_ID) -> None:
        self.token = token
        self.phone_number_id = phone_number_id
        self.sent: list[dict[str, Any]] = []  # accepted message bodies, in order
        self.wamids: list[str] = []  # the id given to each accepted body
        self.refused: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (body, error)
        self.media: dict[str, FakeMedia] = {PHOTO_ID: FakeMedia(PHOTO_BYTES, "image/jpeg")}
        self.media_requests: list[str] = []  # media ids asked about
        self.uploads: list[str] = []  # ids given to files uploaded to /{phone_number_id}/media
        self.closed_windows: set[str] = set()  # recipients whose 24-hour window has closed
        self._failures: deque[ScriptedFailure] = deque()
        self._media_failures: deque[ScriptedFailure] = deque()  # answers to media metadata
        self.gone: set[str] = set()  # media ids Graph no longer knows: 404 every time
        self.delay = 0.0  # seconds every send takes to be answered, as a slow Graph would
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._root: str | None = None

    @property
    def root(self) -> str:
        if self._root is None:
            raise RuntimeError("FakeGraphApi is not started")
        return self._root

    @property
    def base_url(self) -> str:
        """What `WHATSAPP_API_BASE_URL` should say: the root with the version."""
        return f"{self.root}/{VERSION}"

    async def start(self) -> str:
        app = web.Application(client_max_size=16 * 1024**2)  # WhatsApp media: up to 16 MB
        app.router.add_post(f"/{VERSION}/{{node}}/messages", self._messages)
        app.router.add_post(f"/{VERSION}/{{node}}/media", self._upload)
        app.router.add_get(f"/{VERSION}/{{node}}", self._node)
        app.router.add_get("/download/{media_id}", self._download)
        self._root = await self.serve(app)
        return self.base_url

    # --- scripting -----------------------------------------------------------------------

    def fail_next(
        self,
        status: int = 500,
        *,
        code: int = 131000,
        retry_after: float | None = None,
        details: str = "scripted failure",
        times: int = 1,
    ) -> None:
        """The next `times` sends fail with this HTTP status and Graph error code."""
        self._failures.extend([ScriptedFailure(status, code, retry_after, details)] * times)

    def fail_media_next(self, status: int = 500, *, code: int = 131000, times: int = 1) -> None:
        """The next `times` media metadata requests (GET /{media_id}) fail like this."""
        self._media_failures.extend([ScriptedFailure(status, code, None, "scripted")] * times)

    def forget_media(self, media_id: str) -> None:
        """From now on Graph answers 404 for `media_id`, as for one expired or deleted."""
        self.gone.add(media_id)

    def close_window(self, recipient: str) -> None:
        """From now on only templates reach `recipient`, as after 24 h of silence."""
        self.closed_windows.add(recipient)

    def add_media(
        self, media_id: str, data: bytes, mime_type: str = "image/jpeg", *, url_works: bool = True
    ) -> None:
        self.media[media_id] = FakeMedia(data, mime_type, url_works)

    def interactive(self, n: int = -1) -> dict[str, Any]:
        """The `interactive` object of the n-th sent interactive message (default: the last)."""
        found = [body["interactive"] for body in self.sent if body.get("type") == "interactive"]
        if not found:
            raise AssertionError(f"no interactive message was sent; sent: {self.texts()}")
        result: dict[str, Any] = found[n]
        return result

    def texts(self) -> list[str]:
        """What the resident read, message by message (text bodies, interactive bodies)."""
        out = []
        for body in self.sent:
            if body.get("type") == "text":
                out.append(body["text"]["body"])
            elif body.get("type") == "interactive":
                out.append(body["interactive"]["body"]["text"])
            else:
                out.append(f"<{body.get('type')}>")
        return out

    def sent_summary(self) -> list[str]:
        return self.texts()

    # --- the API -------------------------------------------------------------------------

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    async def _messages(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return graph_error(401, 190)
        if request.match_info["node"] != self.phone_number_id:
            return graph_error(400, 100, "Unsupported post request. Object does not exist")
        try:
            body = await request.json()
        except ValueError:
            return graph_error(400, 100, "The request body is not JSON")
        if self.delay:
            await asyncio.sleep(self.delay)
        if self._failures:
            failure = self._failures.popleft()
            headers = {"Retry-After": f"{failure.retry_after:g}"} if failure.retry_after else None
            return graph_error(failure.status, failure.code, failure.details, headers=headers)
        try:
            recipient = check_message(body)
        except BodyError as exc:
            self.refused.append((body, {"code": exc.code, "details": exc.details}))
            return graph_error(400, exc.code, exc.details)
        image_id = body.get("image", {}).get("id") if body.get("type") == "image" else None
        if image_id is not None and image_id not in self.media:
            return graph_error(400, 131053, f"Media upload error: unknown media id {image_id}")
        if recipient in self.closed_windows and body.get("type") != "template":
            details = "Message failed to send because more than 24 hours have passed"
            return graph_error(400, 131047, details)
        wamid = f"wamid.FAKE_{next(self._ids):06d}"
        self.sent.append(body)
        self.wamids.append(wamid)
        async with self._changed:
            self._changed.notify_all()
        contact = {"input": recipient}
        contact["user_id" if _BSUID.match(recipient) else "wa_id"] = recipient
        return web.json_response(
            {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": wamid}]}
        )

    async def _upload(self, request: web.Request) -> web.Response:
        """POST /{phone_number_id}/media: a file to send later by the id this answers."""
        if not self._authorized(request):
            return graph_error(401, 190)
        if request.match_info["node"] != self.phone_number_id:
            return graph_error(400, 100, "Unsupported post request. Object does not exist")
        if self._failures:
            failure = self._failures.popleft()
            return graph_error(failure.status, failure.code, failure.details)
        form = await request.post()
        upload = form.get("file")
        if form.get("messaging_product") != "whatsapp" or not isinstance(upload, web.FileField):
            return graph_error(400, 100, "messaging_product and file are required")
        mime_type = str(form.get("type") or upload.content_type)
        if mime_type not in ("image/jpeg", "image/png", "image/webp"):
            return graph_error(400, 131053, f"Unsupported media type {mime_type}")
        media_id = f"{800000000000000 + next(self._ids)}"
        self.media[media_id] = FakeMedia(upload.file.read(), mime_type)
        self.uploads.append(media_id)
        return web.json_response({"id": media_id})

    async def _node(self, request: web.Request) -> web.Response:
        """GET /{id}: our phone number's details, or a media file's metadata and download URL."""
        if not self._authorized(request):
            return graph_error(401, 190)
        node = request.match_info["node"]
        if node == self.phone_number_id:
            return web.json_response(
                {"display_phone_number": DISPLAY_NUMBER, "id": node, "verified_name": "Lapor"}
            )
        self.media_requests.append(node)
        if node in self.gone:
            return graph_error(404, 100, f"Object with ID '{node}' does not exist")
        if self._media_failures:
            failure = self._media_failures.popleft()
            return graph_error(failure.status, failure.code, failure.details)
        media = self.media.get(node)
        if media is None:
            details = f"Unsupported get request. Object with ID '{node}' does not exist"
            return graph_error(400, 100, details)
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": f"{self.root}/download/{node}",
                "mime_type": media.mime_type,
                "sha256": hashlib.sha256(media.data).hexdigest(),
                "file_size": len(media.data),
                "id": node,
            }
        )

    async def _download(self, request: web.Request) -> web.Response:
        if not self._authorized(request):  # the download URL wants the same bearer token
            return web.Response(status=401)
        media = self.media.get(request.match_info["media_id"])
        if media is None or not media.url_works:
            return web.Response(status=404)
        return web.Response(body=media.data, content_type=media.mime_type)


def graph_error(
    status: int, code: int, details: str = "", *, headers: dict[str, str] | None = None
) -> web.Response:
    """Graph's error shape: code and error_data.details are what clients may branch on."""
    error: dict[str, Any] = {
        "message": _MESSAGES.get(code, f"(#{code}) Error"),
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details or "error"},
        "fbtrace_id": "AFakeTraceId000",
    }
    return web.json_response({"error": error}, status=status, headers=headers)


# --- what Graph checks in a message body ------------------------------------------------


def check_message(body: Any) -> str:
    """Validate a send like Graph does; the recipient (phone number or BSUID) when it is fine."""
    if not isinstance(body, dict):
        raise BodyError("The request body must be a JSON object")
    if body.get("messaging_product") != "whatsapp":
        raise BodyError("The parameter messaging_product is required.")
    if body.get("recipient_type", "individual") != "individual":
        raise BodyError("recipient_type must be individual")
    recipient = _recipient(body)
    context = body.get("context")
    if context is not None and not (
        isinstance(context, dict) and isinstance(context.get("message_id"), str)
    ):
        raise BodyError("context.message_id must be a string", 131009)
    kind = body.get("type", "text")
    checks = {
        "text": _check_text,
        "interactive": _check_interactive,
        "template": _check_template,
        "location": _check_location,
    }
    checks["image"] = _check_image
    if kind not in checks:
        raise BodyError(f"Unsupported message type {kind!r}", 131009)
    content = body.get(kind)
    if not isinstance(content, dict):
        raise BodyError(f"The parameter {kind} is required.", 131008)
    checks[kind](content)
    return recipient


def _recipient(body: dict[str, Any]) -> str:
    to, bsuid = body.get("to"), body.get("recipient")
    if isinstance(to, str) and to.lstrip("+").isdigit():
        return to.lstrip("+")
    if to is not None:
        raise BodyError("Invalid phone number in parameter to", 131009)
    if isinstance(bsuid, str) and _BSUID.match(bsuid):
        return bsuid
    raise BodyError("The parameter to (or recipient) is required.", 131008)


def _check_text(text: dict[str, Any]) -> None:
    _string(text.get("body"), "text.body", 4096)


def _string(value: Any, name: str, limit: int, *, minimum: int = 1) -> str:
    if not isinstance(value, str) or not (minimum <= len(value) <= limit):
        raise BodyError(f"{name} must be a string of {minimum} to {limit} characters", 131009)
    return value


def _check_interactive(interactive: dict[str, Any]) -> None:
    kind = interactive.get("type")
    body = interactive.get("body")
    _string(body.get("text") if isinstance(body, dict) else None, "interactive.body.text", 1024)
    action = interactive.get("action")
    if not isinstance(action, dict):
        raise BodyError("interactive.action is required", 131008)
    if kind == "button":
        _check_buttons(action)
    elif kind == "list":
        _check_list(action)
    elif kind == "location_request_message":
        if action.get("name") != "send_location":
            raise BodyError("action.name must be send_location", 131009)
    else:
        raise BodyError(f"Unsupported interactive type {kind!r}", 131009)


def _check_buttons(action: dict[str, Any]) -> None:
    buttons = action.get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise BodyError("action.buttons must hold 1 to 3 buttons", 131009)
    ids, titles = [], []
    for button in buttons:
        reply = button.get("reply") if isinstance(button, dict) else None
        if button.get("type") != "reply" or not isinstance(reply, dict):
            raise BodyError("each button must be of type reply", 131009)
        ids.append(_string(reply.get("id"), "button id", 256))
        titles.append(_string(reply.get("title"), "button title", 20))
    if len(set(ids)) != len(ids) or len(set(titles)) != len(titles):
        raise BodyError("Button titles and ids must be unique", 131009)


def _check_list(action: dict[str, Any]) -> None:
    _string(action.get("button"), "action.button", 20)
    sections = action.get("sections")
    if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
        raise BodyError("action.sections must hold 1 to 10 sections", 131009)
    ids: list[str] = []
    for section in sections:
        if not isinstance(section, dict):
            raise BodyError("a section must be an object", 131009)
        if len(sections) > 1 or "title" in section:
            _string(section.get("title"), "section title", 24)
        rows = section.get("rows")
        if not isinstance(rows, list) or not rows:
            raise BodyError("a section needs rows", 131009)
        for row in rows:
            if not isinstance(row, dict):
                raise BodyError("a row must be an object", 131009)
            ids.append(_string(row.get("id"), "row id", 200))
            _string(row.get("title"), "row title", 24)
            if "description" in row:
                _string(row.get("description"), "row description", 72)
    if len(ids) > 10:
        raise BodyError("A list holds at most 10 rows in total", 131009)
    if len(set(ids)) != len(ids):
        raise BodyError("Row ids must be unique", 131009)


def _check_template(template: dict[str, Any]) -> None:
    name = template.get("name")
    language = template.get("language")
    code = language.get("code") if isinstance(language, dict) else None
    key = (str(name), str(code))
    if key not in TEMPLATES:
        raise BodyError(f"template name ({name}) does not exist in {code}", 132001)
    count = 0
    for component in template.get("components", []):
        if component.get("type") == "body":
            for parameter in component.get("parameters", []):
                if parameter.get("type") != "text" or not isinstance(parameter.get("text"), str):
                    raise BodyError("template parameters must be text", 131009)
                count += 1
    if count != TEMPLATES[key]:
        raise BodyError(f"expected {TEMPLATES[key]} parameters, got {count}", 132000)


def _check_location(location: dict[str, Any]) -> None:
    for key in ("latitude", "longitude"):
        if not isinstance(location.get(key), int | float):
            raise BodyError(f"location.{key} is required", 131008)
    if "name" in location:
        _string(location.get("name"), "location.name", 1000)


def _check_image(image: dict[str, Any]) -> None:
    if not isinstance(image.get("id"), str) and not isinstance(image.get("link"), str):
        raise BodyError("image.id or image.link is required", 131008)
    if "caption" in image:
        _string(image.get("caption"), "image.caption", 1024)


# --- what Meta POSTs to our webhook -------------------------------------------------------

APP_SECRET: Final = "fake-app-secret-for-lapor"
VERIFY_TOKEN: Final = "fake-verify-token-for-lapor"
WABA_ID: Final = "100000000000001"


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    """The X-Hub-Signature-256 header Meta sends with `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook(
    *,
    messages: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    contacts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One `messages` change in Meta's envelope, shaped like the shared fixtures."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": DISPLAY_NUMBER, "phone_number_id": PHONE_NUMBER_ID},
    }
    if contacts is not None:
        value["contacts"] = contacts
    if messages is not None:
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}],
    }


def contact(wa_id: str, name: str = "Siti Warga", user_id: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"profile": {"name": name}, "wa_id": wa_id}
    if user_id:
        found["user_id"] = user_id
    return found


def message(wa_id: str, wamid: str, kind: str, content: Any, **extra: Any) -> dict[str, Any]:
    """A resident's message: `kind` is its type and `content` the object under that key."""
    return {
        "from": wa_id,
        "id": wamid,
        "timestamp": "1767236400",
        "type": kind,
        kind: content,
        **extra,
    }
