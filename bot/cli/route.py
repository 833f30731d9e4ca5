"""`lapor route`: try the router, route a JSONL batch, and learn from or export corrections."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.cli import notices
from bot.config import Settings
from db.engine import make_engine, make_sessions
from db.routing_examples import add_example, all_examples, load_examples
from routing.batch import explain, route_jsonl
from routing.catalog import CatalogError, load_catalog
from routing.matcher import Router

USAGE = "usage: lapor route TEXT | --batch FILE.jsonl | learn TEXT CODE | export-examples"


def run(settings: Settings, words: Sequence[str], batch: str | None) -> int:
    try:
        catalog = load_catalog(settings.catalog_path)
    except CatalogError as exc:
        print(exc, file=sys.stderr)
        return 2
    if words and words[0] == "learn":
        if len(words) != 3:
            print(USAGE, file=sys.stderr)
            return 2
        try:
            catalog.agency(words[2])
        except CatalogError as exc:  # it lists the valid codes
            print(exc, file=sys.stderr)
            return 2
        return asyncio.run(_learn(settings, words[1], words[2]))
    if words == ["export-examples"]:
        return asyncio.run(_export(settings))
    router = Router(catalog, examples=asyncio.run(_examples(settings)))
    if batch is not None:
        with open(batch, encoding="utf-8") as lines:
            for result in route_jsonl(router, lines):
                print(json.dumps(result, ensure_ascii=False))
        return 0
    if not words:
        print(USAGE, file=sys.stderr)
        return 2
    print(explain(router.route(" ".join(words)), catalog))
    return 0


async def _examples(settings: Settings) -> list[tuple[str, str]]:
    engine = make_engine(settings.database_url, schema=settings.database_schema)
    try:
        async with make_sessions(engine)() as session:
            return await load_examples(session)
    except Exception:  # a database not migrated yet: route with the catalog alone
        return []
    finally:
        await engine.dispose()


async def _learn(settings: Settings, text: str, code: str) -> int:
    engine = make_engine(settings.database_url, schema=settings.database_schema)
    try:
        async with make_sessions(engine).begin() as session:
            example = await add_example(session, text, code, source="cli", now=datetime.now(UTC))
    finally:
        await engine.dispose()
    print(notices.LEARNED.format(text=text, code=code, id=example.id))
    return 0


async def _export(settings: Settings) -> int:
    engine = make_engine(settings.database_url, schema=settings.database_schema)
    try:
        async with make_sessions(engine)() as session:
            for example in await all_examples(session):
                record = {
                    "id": example.id,
                    "text": example.text,
                    "opd": example.agency_code,
                    "source": example.source,
                    "created_at": example.created_at.isoformat(),
                }
                print(json.dumps(record, ensure_ascii=False))
    finally:
        await engine.dispose()
    return 0
