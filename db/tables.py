"""SQLModel tables. Every datetime is stored timezone-aware in UTC.

JSON columns hold channel payloads and dialog data as they are: they are read by the code that
wrote them, never queried by field, so a plain JSON column beats a dozen sparse columns.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class TZDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware datetimes everywhere: SQLite has no zone, so store UTC and re-attach it."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class TicketStatus(enum.StrEnum):
    NEW = "new"
    TRIAGE = "triage"
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    WAITING_CITIZEN = "waiting_citizen"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    REFERRED = "referred"


class Resident(SQLModel, table=True):
    """A person who reports; one row however many channels they use."""

    __tablename__ = "resident"
    id: int | None = Field(default=None, primary_key=True)
    display_name: str | None = None  # personal data: never shown to staff, never logged
    language: str = "id"
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZDateTime)


class Identity(SQLModel, table=True):
    """How a resident is known on one channel (Telegram user id, WhatsApp wa_id or BSUID)."""

    __tablename__ = "identity"
    __table_args__ = (sa.UniqueConstraint("channel", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=128)
    chat_id: str = Field(max_length=128)  # where to write to them
    blocked_at: datetime | None = Field(default=None, sa_type=TZDateTime)
    last_inbound_at: datetime | None = Field(
        default=None, sa_type=TZDateTime
    )  # WhatsApp 24h window


class Dialog(SQLModel, table=True):
    """Where a conversation stands; in the database so that a restart forgets nothing."""

    __tablename__ = "dialog"
    __table_args__ = (sa.UniqueConstraint("channel", "chat_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=128)
    resident_id: int | None = Field(default=None, foreign_key="resident.id")
    state: str = Field(default="idle", max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    nonce: str = Field(default="", max_length=16)  # stamped into buttons: old menus are stale
    updated_at: datetime = Field(default_factory=utcnow, sa_type=TZDateTime)


class Ticket(SQLModel, table=True):
    __tablename__ = "ticket"
    id: int | None = Field(default=None, primary_key=True)
    ref: str | None = Field(default=None, max_length=32, unique=True, index=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    channel: str = Field(max_length=16)  # where the resident reported it: news goes back there
    chat_id: str = Field(max_length=128)
    agency_code: str | None = Field(default=None, max_length=32, index=True)
    category: str | None = Field(default=None, max_length=64)
    status: TicketStatus = Field(default=TicketStatus.NEW, sa_type=sa.String(length=24), index=True)
    description: str = Field(sa_type=sa.Text)
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = Field(default=None, sa_type=sa.Text)
    kelurahan: str | None = Field(default=None, max_length=64)  # named by the resident
    photos: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    routing: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)  # confidence, matched
    language: str = "id"
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=TZDateTime)
    # --- SLA: the clock of the agency that holds the ticket now (handlers/slaclock.py) ---
    # Stored, not derived at read time, so that a sweep is one indexed query on `sla_next_at`
    # (only tickets with a running clock are in that partial index) and a restart loses nothing.
    # which agency share: 1 for the first agency, +1 at each reassignment
    sla_clock: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    sla_agency_code: str | None = Field(default=None, max_length=32)  # whose clock runs
    sla_running_since: datetime | None = Field(default=None, sa_type=TZDateTime)  # None: paused
    # working time of this share before `sla_running_since`
    sla_worked_seconds: float = Field(default=0.0, sa_column_kwargs={"server_default": "0"})
    first_response_at: datetime | None = Field(default=None, sa_type=TZDateTime)
    first_response_due_at: datetime | None = Field(default=None, sa_type=TZDateTime)
    resolution_due_at: datetime | None = Field(default=None, sa_type=TZDateTime)
    sla_next_at: datetime | None = Field(default=None, sa_type=TZDateTime)  # sweep looks then
    # --- staff workflow (handlers/staff/) ---
    # +1 at every status change: card buttons carry it, so a tap on an old card is stale.
    version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    privacy: str | None = Field(default=None, max_length=16)  # "anonim" or "rahasia"
    merged_into_id: int | None = Field(default=None, foreign_key="ticket.id")
    rating: int | None = None  # 1-5, the resident's after confirming
    rating_comment: str | None = Field(default=None, sa_type=sa.Text)

    __table_args__ = (
        sa.Index(
            "ix_ticket_sla_next",
            "sla_next_at",
            "id",
            sqlite_where=sa.text("sla_next_at IS NOT NULL"),
            postgresql_where=sa.text("sla_next_at IS NOT NULL"),
        ),
    )


class TicketEvent(SQLModel, table=True):
    """Every change of a ticket: who, when, from, to, note."""

    __tablename__ = "ticket_event"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=TZDateTime)
    actor: str = Field(max_length=64)  # "resident", "system", "telegram:9001"
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str | None = Field(default=None, max_length=24)
    note: str | None = Field(default=None, sa_type=sa.Text)
    # What happened besides a move (handlers/staff/history.py): "reply" and "question" reached
    # the resident, "note" stayed internal, "answer", "rating"...; None for plain moves.
    kind: str | None = Field(default=None, max_length=24)
    actor_name: str | None = Field(default=None, max_length=64)  # an officer's first name


class TicketFollower(SQLModel, table=True):
    """A resident who reported the same thing and follows this ticket instead of a new one."""

    __tablename__ = "ticket_follower"
    __table_args__ = (sa.UniqueConstraint("ticket_id", "resident_id"),)
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    resident_id: int = Field(foreign_key="resident.id")
    channel: str = Field(max_length=16)  # where they follow it: news goes there
    chat_id: str = Field(max_length=128)
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZDateTime)


class InboxRow(SQLModel, table=True):
    """A raw update as the channel sent it, stored once per channel id before we answer 200."""

    __tablename__ = "inbox"
    __table_args__ = (
        sa.UniqueConstraint("channel", "external_id"),
        sa.Index("ix_inbox_pending", "done_at", "channel", "chat_key", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=128)  # update_id, wamid
    chat_key: str = Field(max_length=160)  # updates of one chat are processed in order
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    received_at: datetime = Field(default_factory=utcnow, sa_type=TZDateTime)
    done_at: datetime | None = Field(default=None, sa_type=TZDateTime)
    attempts: int = 0
    error: str | None = Field(default=None, sa_type=sa.Text)
    # not before then (backoff after a failure); None: at once
    next_attempt_at: datetime | None = Field(default=None, sa_type=TZDateTime)
    # which process is handling it, until when: a crashed process's claims return at the lease
    claimed_by: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_type=TZDateTime)


class OutboxRow(SQLModel, table=True):
    """A message waiting to be sent, written in the same transaction as the decision behind it."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index("ix_outbox_pending", "sent_at", "failed_at", "channel", "chat_id", "id"),
        sa.Index("ix_outbox_key", "channel", "chat_id", "key"),
    )
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=128)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)  # Outbound.to_json()
    ticket_ref: str | None = Field(default=None, max_length=32, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZDateTime)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=TZDateTime)
    attempts: int = 0
    sent_at: datetime | None = Field(default=None, sa_type=TZDateTime)
    failed_at: datetime | None = Field(default=None, sa_type=TZDateTime)  # dead letter
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    external_id: str | None = Field(default=None, max_length=128, index=True)  # sent message id
    delivery_status: str | None = Field(default=None, max_length=24)  # WhatsApp: delivered, read
    delivery_mode: str | None = Field(default=None, max_length=24)  # WhatsApp: session|template
    # `Outbound.key`: later rows of the same chat name this message by it (edit the card,
    # reply to it, post in its topic), and an officer's reply to it is traced back through it.
    key: str | None = Field(default=None, max_length=160)
    claimed_by: str | None = Field(default=None, max_length=64)  # as on the inbox
    # how many of its channel messages (a long text's parts...) a failed try already delivered
    parts_sent: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    lease_until: datetime | None = Field(default=None, sa_type=TZDateTime)


class RoutingExample(SQLModel, table=True):
    """A report whose agency a person corrected: the router learns from these."""

    __tablename__ = "routing_example"
    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_type=sa.Text)
    agency_code: str = Field(max_length=32, index=True)
    source: str = Field(default="manual", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZDateTime)


class MediaFile(SQLModel, table=True):
    """A resident's photo, downloaded from the channel and kept with the report.

    WhatsApp media ids expire after about a week, so the bytes are copied at once; tickets
    name a row as `media:<id>` in their `photos`. Size and type are checked before storing.
    """

    __tablename__ = "media_file"
    __table_args__ = (sa.UniqueConstraint("channel", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=128)  # the channel's media id
    mime_type: str = Field(max_length=64)
    size: int
    sha256: str = Field(max_length=64)  # hex, of the stored bytes
    data: bytes = Field(sa_type=sa.LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=TZDateTime)


class SlaAlert(SQLModel, table=True):
    """An SLA alert (or digest) claimed once: its unique `key` is the claim.

    The row is inserted with ON CONFLICT DO NOTHING in the same transaction as the outbox rows
    that carry the alert, so a sweep run twice, a crash mid-sweep or two instances at once
    send each alert exactly once; it also says, for reports, which tickets were late.
    """

    __tablename__ = "sla_alert"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)  # "sla:<ticket id>:<clock>:<target>:<level>"
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    agency_code: str | None = Field(default=None, max_length=32)
    target: str | None = Field(default=None, max_length=24)  # first_response, resolution
    clock: int | None = None  # the ticket's agency share the alert was about
    level: str = Field(max_length=32)  # warning, breach, an escalation code, digest...
    due_at: datetime | None = Field(default=None, sa_type=TZDateTime)  # when it became due
    claimed_at: datetime = Field(default_factory=utcnow, sa_type=TZDateTime, index=True)


class SlaShare(SQLModel, table=True):
    """One agency's share of a ticket's time: what the SLA report judges that agency by.

    A reassignment ends one share and starts the next, so each agency answers only for the
    time it held the ticket. Working times are in seconds on the agency's own calendar.
    """

    __tablename__ = "sla_share"
    __table_args__ = (sa.UniqueConstraint("ticket_id", "clock"),)
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    clock: int
    agency_code: str = Field(max_length=32)
    started_at: datetime = Field(sa_type=TZDateTime, index=True)
    first_response_target_seconds: float
    resolution_target_seconds: float
    first_response_seconds: float | None = None  # working time until accepted or answered
    resolution_seconds: float | None = None  # working time until resolved
    resolved_at: datetime | None = Field(default=None, sa_type=TZDateTime, index=True)
    ended_at: datetime | None = Field(default=None, sa_type=TZDateTime)
    end_reason: str | None = Field(default=None, max_length=24)  # reassigned, closed, rejected...
