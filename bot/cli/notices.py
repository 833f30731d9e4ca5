"""What the command line tells the admin (English: the admin reads logs and docs in English)."""

from __future__ import annotations

BANNER = """\
Lapor is running on http://{host}:{port}  (health: /healthz, metrics: /metrics)
Database: {database}
Channels:
{channels}"""

CHANNEL_ON = "  [on]  {name}: {detail}"
CHANNEL_OFF = "  [off] {name}: {how}"

TELEGRAM_WEBHOOK = "webhook at {url}/telegram/webhook"
TELEGRAM_WEBHOOK_NO_URL = (
    "webhook mode, but PUBLIC_BASE_URL is not set: Telegram cannot reach this machine "
    "(set PUBLIC_BASE_URL and run `lapor set-webhook`, or set TELEGRAM_MODE=polling)"
)
TELEGRAM_POLLING = "polling Telegram for updates (TELEGRAM_MODE=polling)"
TELEGRAM_HOW = (
    "set TELEGRAM_BOT_TOKEN in .env (from @BotFather); on a laptop also TELEGRAM_MODE=polling"
)
WHATSAPP_HOW = (
    "set WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_APP_SECRET and "
    "WHATSAPP_VERIFY_TOKEN in .env (from the Meta app's WhatsApp setup)"
)
WHATSAPP_WEBHOOK = (
    "Cloud API, webhook at {url}/whatsapp/webhook (enter it with WHATSAPP_VERIFY_TOKEN in "
    "the Meta app's webhook settings, field `messages`)"
)
WHATSAPP_WEBHOOK_NO_URL = (
    "Cloud API, but PUBLIC_BASE_URL is not set: Meta needs a public https address to reach "
    "/whatsapp/webhook"
)
TRY_NOW = """\
No channel has a token yet. Try Lapor right now, in another terminal:
    .venv/bin/lapor chat
(a conversation with Lapor in the terminal, through the same inbox, handlers and outbox)"""

NOT_MIGRATED = (
    "The database at {database} is not at the latest schema (found {found}, need {head}). "
    "Run `lapor migrate` first (`make run` does it for you)."
)
START_FAILED = "Lapor did not start: {reason}"
DATABASE_UNREACHABLE = (
    "the database at {database} cannot be reached ({error}): check DATABASE_URL and that the "
    "server is running"
)
CANNOT_LISTEN = (
    "cannot listen on {where} ({error}): another process may use the port; set HTTP_HOST and "
    "HTTP_PORT in .env"
)
MIGRATED = "Database migrated to {revision}: {database}"

CHAT_INTRO = """\
Lapor chat: you are a resident writing to Lapor. Type a message and press Enter.
  - a number picks a button, e.g. 1
  - `lokasi -7.8165,112.0115` (or just the coordinates) shares a location; `foto` sends a
    (pretend) photo
  - commands, with or without the slash: menu, status NOMOR, laporanku, batal, bantuan,
    tambah NOMOR, tarik NOMOR, bahasa en ; Ctrl-D or /keluar to leave
Database: {database}
"""
CHAT_EXIT_WORDS = ("/keluar", "/exit", "/quit")

CHECK_OK = "Configuration OK."
CHECK_OK_WITH_WARNINGS = "No errors. Lapor runs, but read the warnings above."
CHECK_PROBLEMS = "Errors ({n}), to fix before Lapor serves residents:"
CHECK_WARNINGS = "Warnings ({n}):"
CHECK_FAILED = "Configuration has {n} error(s)."
WEBHOOK_SET = "Telegram webhook set to {url} (secret token {secret})."
WEBHOOK_NEEDS = "set-webhook needs TELEGRAM_BOT_TOKEN and PUBLIC_BASE_URL in .env"
LEARNED = (
    "Learned: {text!r} -> {code} (example #{id}); a running `lapor serve` learns it within "
    "ROUTING_LEARN_SECONDS."
)

# `lapor serve` in webhook mode, and check-config: the webhook would take anyone's POST.
WEBHOOK_UNGUARDED = (
    "TELEGRAM_WEBHOOK_SECRET is not set: in webhook mode anyone who finds the URL could post "
    'fake updates; set it (python3 -c "import secrets;print(secrets.token_urlsafe(32))"), then '
    "run `lapor set-webhook` again, or use TELEGRAM_MODE=polling on a laptop"
)

LOOP_DIED = (
    "A background loop of Lapor stopped (see the log): exiting with status 1 so that the "
    "supervisor (systemd Restart=on-failure) starts it again."
)
