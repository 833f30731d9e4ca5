"""The resident intake dialog: describe -> location -> photo -> (agency) -> summary -> send.

Shaped like python-telegram-bot's conversationbot: one small async function per step and one
state table saying which step handles which event in which state. Unlike conversationbot the
state lives in the `Dialog` row, so a restart or a second worker picks up where the chat was.

Which question comes next is not wired step to step: `advance` asks the first question the
draft has no answer for. That is what lets a photo or a location arrive first, and lets
"Ubah" re-ask one answer and come straight back to the summary.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

from sqlmodel import select

from db.tables import Ticket, TicketStatus
from handlers import courtesy
from handlers.draft import Draft
from handlers.messages import InboundKind, Location, Outbound
from handlers.places import (
    coordinates_in,
    has_short_map_link,
    kelurahan_in,
    kota_kediri,
    place_in,
    without_links,
)
from handlers.staff.actions import follow
from handlers.staff.card import arrival_posts, card_updates
from handlers.staff.similar import similar_ticket
from handlers.staff.where import holder
from handlers.texts import format_hours, shorten, status_label, t, text_length
from handlers.tickets import OPEN_STATUSES, NewTicket, change_status, create_ticket
from handlers.turn import IDLE, Turn
from routing.catalog import Agency
from routing.matcher import RouteResult

Step = Callable[[Turn], Awaitable[list[Outbound]]]

DESCRIBE, PLACE, LOCATION, PHOTO, AGENCY, CONFIRM, EDIT = (
    "describe",
    "place",
    "location",
    "photo",
    "agency",
    "confirm",
    "edit",
)
TEXT, PHOTO_IN, LOCATION_IN = InboundKind.TEXT, InboundKind.PHOTO, InboundKind.LOCATION
UNSURE = "-"  # the "Tidak tahu" agency button
WITH_BUTTONS_MAX = 1024  # WhatsApp's interactive body, the smallest limit of any channel
SUMMARY_DESCRIPTION_MAX = 600  # on a phone, the buttons stay in view below it
ADDRESS_SHOWN_MAX = 200
PLACE_SHOWN_MAX = 200
MAX_CANDIDATES = 3
SIMILAR_SHOWN = 160
SKIP_WORDS = frozenset({"lewati", "skip", "lanjut", "tidak", "tidak ada", "gak ada", "ga ada", "-"})


# --- questions: each shows one prompt with a fresh menu and puts the dialog in its state ---


def advance(turn: Turn, draft: Draft) -> Outbound:
    """Ask the first question the draft has no answer to; the summary once all are answered."""
    if not draft.description_done:
        return ask_description(turn, draft)
    if not draft.location_done:
        return offer_place(turn, draft) if draft.place_offer else ask_location(turn, draft)
    if not draft.photo_done:
        return ask_photo(turn, draft)
    if not draft.agency_done:
        return ask_agency(turn, draft)
    return show_summary(turn, draft)


def ask_description(turn: Turn, draft: Draft) -> Outbound:
    turn.save(DESCRIBE, draft)
    turn.new_menu()  # no buttons here, but the menus shown before must stop working
    return turn.say("ask.description")


def ask_location(turn: Turn, draft: Draft) -> Outbound:
    turn.save(LOCATION, draft)
    turn.new_menu()
    skip = ((turn.button("button.skip", "skip"),),)
    return turn.say("ask.location", request_location=True, buttons=skip)


def offer_place(turn: Turn, draft: Draft) -> Outbound:
    """The description named a place: one tap confirms it instead of typing it again."""
    turn.save(PLACE, draft)
    turn.new_menu()
    buttons = ((turn.button("button.yes", "yes"), turn.button("button.change", "other")),)
    place = shorten(draft.place_offer or "", PLACE_SHOWN_MAX)
    return turn.say("place.offer", place=place, buttons=buttons)


def ask_photo(turn: Turn, draft: Draft) -> Outbound:
    turn.save(PHOTO, draft)
    turn.new_menu()
    return turn.say("ask.photo", buttons=((turn.button("button.skip", "skip"),),))


def ask_agency(turn: Turn, draft: Draft) -> Outbound:
    """Low confidence: the resident picks from the router's best guesses, or leaves it to staff."""
    turn.save(AGENCY, draft)
    turn.new_menu()
    by_code = turn.ctx.catalog.by_code
    rows = [
        (turn.button("", "pick", code, label=by_code[code].label_in(turn.lang)),)
        for code in draft.route.get("candidates", [])
        if code in by_code
    ]
    rows.append((turn.button("button.unsure", "pick", UNSURE),))
    return turn.say("ask.agency", buttons=tuple(rows))


def show_summary(turn: Turn, draft: Draft) -> Outbound:
    turn.save(CONFIRM, draft)
    turn.new_menu()
    buttons = (
        (
            turn.button("button.send", "send"),
            turn.button("button.edit", "edit"),
            turn.button("button.cancel", "cancel"),
        ),
    )
    return turn.write(summary_text(turn, draft), buttons=buttons)


def summary_text(turn: Turn, draft: Draft) -> str:
    """The summary with as much of the description as fits beside its buttons.

    WhatsApp puts buttons only under a body of at most 1,024 characters (longer text is sent
    ahead of it, and the buttons scroll out of view): every channel gets that budget, and the
    report itself is kept whole.
    """
    lang = turn.lang

    def render(description: str) -> str:
        return t(
            lang,
            "summary",
            description=description,
            location=shorten(location_summary(turn, draft), ADDRESS_SHOWN_MAX)
            or t(lang, "summary.no_location"),
            photos=photo_summary(lang, draft),
            agency=agency_summary(turn, draft),
        )

    limit = min(SUMMARY_DESCRIPTION_MAX, turn.ctx.max_text_chars)
    text = render(shorten(draft.description, limit))
    while text_length(text) > WITH_BUTTONS_MAX and limit > 1:  # emoji count twice on Telegram
        limit = max(limit - (text_length(text) - WITH_BUTTONS_MAX), 1)
        text = render(shorten(draft.description, limit))
    return text


def ask_edit(turn: Turn, draft: Draft) -> Outbound:
    turn.save(EDIT, draft)
    turn.new_menu()
    buttons = (
        (
            turn.button("button.edit_description", "desc"),
            turn.button("button.edit_location", "loc"),
            turn.button("button.edit_photo", "pic"),
        ),
        (turn.button("button.back", "back"),),
    )
    return turn.say("ask.edit", buttons=buttons)


def photo_summary(lang: str, draft: Draft) -> str:
    if not draft.photos:
        return t(lang, "summary.no_photo")
    return t(lang, "summary.photos", count=len(draft.photos))


def location_summary(turn: Turn, draft: Draft) -> str:
    parts = []
    if draft.address:
        parts.append(draft.address)
    if draft.latitude is not None and draft.longitude is not None:
        parts.append(f"📍 {draft.latitude:.5f}, {draft.longitude:.5f}")
    kelurahan = kelurahan_of(draft)
    if kelurahan and not any(kelurahan.lower() in p.lower() for p in parts):
        parts.append(t(turn.lang, "summary.kelurahan", kelurahan=kelurahan))
    return " ".join(parts)


def kelurahan_of(draft: Draft) -> str | None:
    """The kelurahan the resident named (address first), unless their pin is outside the city."""
    if draft.latitude is not None and draft.longitude is not None:
        if not kota_kediri().bounds.contains(draft.latitude, draft.longitude):
            return None
    found = kelurahan_in(draft.address or "") or kelurahan_in(draft.description)
    return found.name if found else None


def agency_summary(turn: Turn, draft: Draft) -> str:
    agency = turn.ctx.catalog.by_code.get(draft.agency or "")
    if agency is None:
        return t(turn.lang, "summary.triage")
    if agency.kind == "external":
        return t(turn.lang, "summary.external", agency=agency.label_in(turn.lang))
    return agency.label_in(turn.lang)


def reprompt(turn: Turn, lead: str = "") -> list[Outbound]:
    """Someone answered off-script: a short hint that carries the current step's buttons."""
    prompt = advance(turn, turn.draft)
    hint = t(turn.lang, f"nudge.{turn.dialog.state}")
    return [dataclasses.replace(prompt, text=f"{lead}\n{hint}" if lead else hint)]


# --- answers: each takes what the resident sent and moves the draft on ---


def set_description(
    turn: Turn, draft: Draft, text: str, result: RouteResult | None = None
) -> list[Outbound]:
    """Keep the text whole and route it; the agency question is re-opened by a new description.

    A pin or a place written in it is read too; returns a note when that pin is out of town.
    """
    result = result or turn.ctx.router.route(text)
    catalog = turn.ctx.catalog
    candidates = [c for c in result.candidates if c in catalog.by_code][:MAX_CANDIDATES]
    draft.description, draft.description_done = text, True
    draft.route = {
        "opd": result.opd,
        "confidence": result.confidence,
        "matched": list(result.matched),
        "candidates": candidates,
    }
    draft.picked = False
    draft.agency = result.opd if result.opd in catalog.by_code else None
    draft.agency_done = draft.agency is not None or not candidates
    return read_place(turn, draft, text)


def read_place(turn: Turn, draft: Draft, text: str) -> list[Outbound]:
    """Coordinates in the text are the pin; a place named in words is offered for a tap."""
    if draft.location_done:
        return []
    coordinates = coordinates_in(text, kota_kediri().bounds)
    if coordinates is not None:
        draft.set_location(Location(coordinates.latitude, coordinates.longitude))
        draft.place_offer = None
        return [location_ack(turn, draft)]
    draft.place_offer = place_in(text)
    return []


def location_ack(turn: Turn, draft: Draft) -> Outbound:
    """ "Lokasi dicatat", and an honest word when the pin is outside Kota Kediri."""
    lat, lon = draft.latitude, draft.longitude
    outside = lat is not None and lon is not None and not kota_kediri().bounds.contains(lat, lon)
    return turn.say("ack.location_outside" if outside else "ack.location", remove_keyboard=True)


async def start_report(turn: Turn) -> list[Outbound]:
    """Free text while idle: a new report, unless the router says it is courtesy or chatter."""
    text = (turn.inbound.text or "").strip()
    if not text:
        return [turn.say("greeting")]
    result = turn.ctx.router.route(text)
    if result.small_talk:
        return await courtesy.answer(turn, result.small_talk)
    draft = Draft()
    notes = set_description(turn, draft, text, result)
    return [*notes, advance(turn, draft)]


async def got_description(turn: Turn) -> list[Outbound]:
    text = (turn.inbound.text or "").strip()
    if not text:
        return reprompt(turn)
    draft = turn.draft
    notes = set_description(turn, draft, text)
    return [*notes, advance(turn, draft)]


async def got_photo(turn: Turn) -> list[Outbound]:
    """A photo is welcome at any step; its caption is the description if there is none yet."""
    if not turn.inbound.media:
        return await unsupported(turn)
    draft = turn.draft
    draft.add_photos(turn.inbound.media)
    caption = (turn.inbound.text or "").strip()
    notes = []
    if caption and not draft.description_done:
        notes = set_description(turn, draft, caption)
    return [*notes, advance(turn, draft)]


async def got_location(turn: Turn) -> list[Outbound]:
    draft = turn.draft
    if turn.inbound.location is None or not draft.set_location(turn.inbound.location):
        return await unsupported(turn)
    draft.place_offer = None
    return [location_ack(turn, draft), advance(turn, draft)]


async def got_address(turn: Turn) -> list[Outbound]:
    """Typed text at the location step: coordinates are a pin, "lewati" skips, else an address."""
    text = (turn.inbound.text or "").strip()
    if text.lower() in SKIP_WORDS:
        return await skip_location(turn)
    if not text:
        return reprompt(turn)
    coordinates = coordinates_in(text, kota_kediri().bounds)
    if coordinates is None and has_short_map_link(text):
        return reprompt(turn, lead=t(turn.lang, "place.short_link"))
    rest = without_links(text) if coordinates else text
    location = Location(
        coordinates.latitude if coordinates else None,
        coordinates.longitude if coordinates else None,
        rest or None,
    )
    return await got_location(
        dataclasses.replace(
            turn,
            inbound=dataclasses.replace(turn.inbound, kind=InboundKind.LOCATION, location=location),
        )
    )


async def accept_place(turn: Turn) -> list[Outbound]:
    """Ya: the place read from the description is the address."""
    draft = turn.draft
    if not draft.place_offer or not draft.set_location(Location(address=draft.place_offer)):
        return [advance(turn, draft)]
    draft.place_offer = None
    return [turn.say("ack.location"), advance(turn, draft)]


async def other_place(turn: Turn) -> list[Outbound]:
    """Ubah: not there; ask for the location the usual way."""
    draft = turn.draft
    draft.place_offer = None
    return [advance(turn, draft)]


async def skip_location(turn: Turn) -> list[Outbound]:
    draft = turn.draft
    draft.clear_location()
    draft.location_done = True
    return [turn.say("ack.no_location", remove_keyboard=True), advance(turn, draft)]


async def typed_at_photo(turn: Turn) -> list[Outbound]:
    if (turn.inbound.text or "").strip().lower() in SKIP_WORDS:
        return await skip_photo(turn)
    return reprompt(turn)


async def skip_photo(turn: Turn) -> list[Outbound]:
    draft = turn.draft
    draft.photo_done = True
    return [advance(turn, draft)]


async def picked_agency(turn: Turn) -> list[Outbound]:
    """Only an offered candidate counts: button data comes from outside and is not trusted."""
    draft = turn.draft
    if turn.arg != UNSURE and turn.arg not in draft.route.get("candidates", []):
        return reprompt(turn)
    draft.agency = None if turn.arg == UNSURE else turn.arg
    draft.picked = draft.agency is not None
    draft.agency_done = True
    return [advance(turn, draft)]


async def open_edit_menu(turn: Turn) -> list[Outbound]:
    return [ask_edit(turn, turn.draft)]


async def edit_description(turn: Turn) -> list[Outbound]:
    draft = turn.draft
    draft.description_done = False
    return [advance(turn, draft)]


async def edit_location(turn: Turn) -> list[Outbound]:
    draft = turn.draft
    draft.clear_location()
    draft.location_done = False
    return [advance(turn, draft)]


async def edit_photo(turn: Turn) -> list[Outbound]:
    draft = turn.draft
    draft.photos, draft.photo_done = [], False
    return [advance(turn, draft)]


async def back_to_summary(turn: Turn) -> list[Outbound]:
    return [advance(turn, turn.draft)]


async def cancel_report(turn: Turn) -> list[Outbound]:
    if turn.dialog.state == IDLE:
        return [turn.say("cancel.nothing")]
    turn.reset()
    return [turn.say("cancelled", remove_keyboard=True)]


async def unsupported(turn: Turn) -> list[Outbound]:
    """Stickers, voice, documents: say what this step can take instead."""
    if turn.dialog.state == IDLE:
        return [turn.say("unsupported.idle")]
    return reprompt(turn, lead=t(turn.lang, "unsupported.draft"))


# --- sending ---


def outcome(draft: Draft, agency: Agency | None) -> tuple[TicketStatus, str]:
    """The status a new ticket moves to, and the note its event row keeps."""
    confidence = draft.route.get("confidence", 0.0)
    if agency is None:
        return TicketStatus.TRIAGE, f"router unsure (confidence {confidence})"
    how = "picked by resident" if draft.picked else f"router, confidence {confidence}"
    if agency.kind == "external":
        return TicketStatus.REFERRED, f"external agency {agency.code} ({how})"
    return TicketStatus.ASSIGNED, f"{agency.code} ({how})"


async def send_or_offer(turn: Turn) -> list[Outbound]:
    """Kirim: unless an open report looks the same, offered once to follow instead."""
    draft = turn.draft
    if draft.similar_checked:
        return await send_report(turn)
    draft.similar_checked = True
    turn.save(CONFIRM, draft)
    found = await similar_ticket(
        turn.session,
        draft,
        agency_code=draft.agency,
        kelurahan=kelurahan_of(draft),
        resident_id=turn.resident_id,
        policy=turn.ctx.catalog.staff,
        now=turn.now,
    )
    if found is None or found.ref is None:
        return await send_report(turn)
    turn.new_menu()
    buttons = (
        (
            turn.button("button.follow", "follow", found.ref),
            turn.button("button.new_report", "new"),
        ),
    )
    return [
        turn.say(
            "similar.offer",
            ref=found.ref,
            status=status_label(turn.lang, found.status),
            description=shorten(found.description, SIMILAR_SHOWN),
            buttons=buttons,
        )
    ]


async def follow_similar(turn: Turn) -> list[Outbound]:
    """Ikuti: the resident follows the open ticket; its news reaches them too."""
    result = await turn.session.execute(select(Ticket).where(Ticket.ref == turn.arg))
    ticket = result.scalar_one_or_none()
    if ticket is None or ticket.status not in OPEN_STATUSES:
        return await send_report(turn)
    inbound = turn.inbound
    await follow(turn.session, ticket, turn.resident_id, inbound.channel, inbound.chat_id, turn.now)
    turn.reset()
    card = await card_updates(turn.session, ticket, turn.ctx, holder(ticket, turn.ctx))
    return [turn.say("similar.following", ref=ticket.ref, ticket_ref=ticket.ref), *card]


async def send_report(turn: Turn) -> list[Outbound]:
    """Kirim: the ticket, its events, the resident's receipt and the officers' card, together."""
    draft = turn.draft
    agency = turn.ctx.catalog.by_code.get(draft.agency or "")
    ticket = await create_ticket(
        turn.session,
        new_ticket(turn, draft, agency),
        prefix=turn.ctx.ticket_prefix,
        timezone=turn.ctx.timezone,
        now=turn.now,
    )
    status, note = outcome(draft, agency)
    actor = "resident" if draft.picked else "system"
    await change_status(
        turn.session, ticket, status, actor=actor, now=turn.now, catalog=turn.ctx.catalog, note=note
    )
    turn.reset()
    staff = await arrival_posts(turn.session, ticket, turn.ctx)
    return [receipt(turn, ticket, agency), *staff]


def new_ticket(turn: Turn, draft: Draft, agency: Agency | None) -> NewTicket:
    return NewTicket(
        resident_id=turn.resident_id,
        channel=turn.inbound.channel,
        chat_id=turn.inbound.chat_id,
        description=draft.description,
        agency_code=agency.code if agency else None,
        latitude=draft.latitude,
        longitude=draft.longitude,
        address=draft.address,
        kelurahan=kelurahan_of(draft),
        photos=draft.photos,
        routing={**draft.route, "picked": draft.picked},
        language=turn.lang,
        privacy=draft.privacy,
    )


def receipt(turn: Turn, ticket: Ticket, agency: Agency | None) -> Outbound:
    """The reference, who handles it, and what happens next: an SLA promise or a referral."""
    ref = ticket.ref
    key = f"receipt:{ref}"  # a reply to it adds to the report (handlers/own_reports.py)
    if agency is None:
        return turn.say("sent.triage", ref=ref, ticket_ref=ref, message_key=key)
    if agency.kind == "external":
        return turn.say(
            "sent.referred",
            ref=ref,
            agency=agency.label_in(turn.lang),
            referral=agency.referral_in(turn.lang),
            ticket_ref=ref,
            message_key=key,
        )
    hours = agency.sla.first_response_hours if agency.sla else 0
    return turn.say(
        "sent.assigned",
        ref=ref,
        agency=agency.label_in(turn.lang),
        hours=format_hours(hours, turn.lang),
        ticket_ref=ref,
        message_key=key,
    )


# --- the state table ---

ANYWHERE: dict[str, Step] = {PHOTO_IN: got_photo, LOCATION_IN: got_location}
STATES: dict[str, dict[str, Step]] = {
    IDLE: {TEXT: start_report, **ANYWHERE},
    DESCRIBE: {TEXT: got_description, **ANYWHERE},
    PLACE: {TEXT: got_address, "tap:yes": accept_place, "tap:other": other_place, **ANYWHERE},
    LOCATION: {TEXT: got_address, "tap:skip": skip_location, **ANYWHERE},
    PHOTO: {TEXT: typed_at_photo, "tap:skip": skip_photo, **ANYWHERE},
    AGENCY: {"tap:pick": picked_agency, **ANYWHERE},
    CONFIRM: {
        "tap:send": send_or_offer,
        "tap:follow": follow_similar,
        "tap:new": send_report,
        "tap:edit": open_edit_menu,
        "tap:cancel": cancel_report,
        **ANYWHERE,
    },
    EDIT: {
        "tap:desc": edit_description,
        "tap:loc": edit_location,
        "tap:pic": edit_photo,
        "tap:back": back_to_summary,
        **ANYWHERE,
    },
}


async def handle(turn: Turn) -> list[Outbound]:
    """Run the step for this state and event; anything else gets a hint for the current step."""
    if turn.dialog.state not in STATES:  # a state an older or newer version wrote
        turn.reset()
    if short_link_only(turn):
        return [turn.say("place.short_link")]
    turn = pasted_pin(turn)
    if (lead := courtesy_mid_report(turn)) is not None:
        return reprompt(turn, lead=lead)
    step = STATES[turn.dialog.state].get(turn.event)
    if step is not None:
        return await step(turn)
    if turn.inbound.kind == InboundKind.UNSUPPORTED:
        return await unsupported(turn)
    if turn.dialog.state == IDLE:
        return [turn.say("greeting")]
    return reprompt(turn)


def courtesy_mid_report(turn: Turn) -> str | None:
    """ "terima kasih" or "assalamualaikum" while a report is open is no answer to the question:
    a word back, and the question again (the draft keeps nothing of it)."""
    text = (turn.inbound.text or "").strip()
    if turn.dialog.state == IDLE or turn.inbound.kind != TEXT or text.lower() in SKIP_WORDS:
        return None
    if not text:
        return None
    return courtesy.lead_mid_report(turn, turn.ctx.router.route(text).small_talk)


def pasted_text(turn: Turn) -> str | None:
    """The text of a message that is nothing but coordinates or map links."""
    text = (turn.inbound.text or "").strip()
    if turn.inbound.kind != InboundKind.TEXT or not text or without_links(text):
        return None
    return text


def short_link_only(turn: Turn) -> bool:
    text = pasted_text(turn)
    return text is not None and has_short_map_link(text) and coordinates_in(text) is None


def pasted_pin(turn: Turn) -> Turn:
    """A message that is only coordinates or a map link is a shared location, at any step."""
    text = pasted_text(turn)
    coordinates = coordinates_in(text, kota_kediri().bounds) if text else None
    if coordinates is None:
        return turn
    location = Location(coordinates.latitude, coordinates.longitude)
    inbound = dataclasses.replace(turn.inbound, kind=InboundKind.LOCATION, location=location)
    return dataclasses.replace(turn, inbound=inbound)


def resume(turn: Turn) -> list[Outbound]:
    """Show the current question again (after /start or a language change), if a draft is open."""
    if turn.dialog.state == IDLE:
        return []
    return [advance(turn, turn.draft)]
