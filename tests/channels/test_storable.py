"""The cheap path of the webhook check: a body judged plain from its text must hold nothing the
full walk would refuse, whatever it is; and what the walk refuses is still refused."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.base import InboxItem
from bot.channels.storable import MAX_DEPTH, Unstorable, check_item, load

# Texts with what breaks storage: NUL, lone surrogates, valid pairs, a BOM, quotes, escapes.
awkward = st.text(
    alphabet=st.sampled_from(["a", "é", "😀", "\x00", "\ud83d", "\ude00", "\ufeff", '"', "\\", "["])
    | st.characters(),
    max_size=12,
)
numbers = st.floats(allow_nan=True, allow_infinity=True) | st.integers()
values = st.recursive(
    st.none() | st.booleans() | numbers | awkward,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(awkward, inner, max_size=4),
    max_leaves=30,
)


def body_of(value: Any, ascii_only: bool) -> bytes:
    """The value as a channel might send it: escaped (as Telegram does) or raw UTF-8."""
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


def walk_refuses(value: Any) -> bool:
    try:
        check_item(InboxItem("telegram", "1", "telegram:1", {"v": value}))
    except Unstorable:
        return True
    return False


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(value=values, ascii_only=st.booleans())
def test_a_body_judged_plain_holds_nothing_the_walk_refuses(value: Any, ascii_only: bool) -> None:
    body = body_of({"v": value}, ascii_only)
    try:
        loaded = load(body)
    except Unstorable:
        return  # refused whole: nothing stored
    if loaded.plain:
        assert not walk_refuses(loaded.value["v"])
        assert loaded.text is not None and json.loads(loaded.text) == loaded.value
    elif walk_refuses(loaded.value["v"]):
        with pytest.raises(Unstorable):
            check_item(InboxItem("telegram", "1", "telegram:1", loaded.value), plain_body=False)


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "a\\u0000b"}',
        b'{"text": "\\ud83d alone"}',
        b'{"lat": NaN}',
        b'{"lat": -Infinity}',
        b'{"lat": 1e999}',
        '{"text": "\ud800"}'.encode("utf-8", "surrogatepass"),  # a raw encoded surrogate
    ],
)
def test_what_can_never_be_stored_is_not_judged_plain(body: bytes) -> None:
    loaded = load(body)
    assert not loaded.plain
    with pytest.raises(Unstorable):
        check_item(InboxItem("telegram", "1", "telegram:1", loaded.value))


def test_an_ordinary_update_is_plain_and_kept_as_received() -> None:
    body = '{"update_id": 5, "message": {"text": "Lampu mati 😀", "location": {"lat": -7.8}}}'
    loaded = load(body.encode())
    assert loaded.plain and loaded.text == body
    assert math.isclose(loaded.value["message"]["location"]["lat"], -7.8)


def test_a_body_in_another_encoding_json_allows_is_read_the_long_way() -> None:
    for body in ('\ufeff{"a": "é"}'.encode(), '{"a": "é"}'.encode("utf-16")):
        loaded = load(body)
        assert loaded.value == {"a": "é"} and not loaded.plain


def test_deep_nesting_is_refused_and_shallow_nesting_with_many_brackets_is_not() -> None:
    with pytest.raises(Unstorable, match="nested deeper"):
        load(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))
    wide = json.dumps({"rows": [[i] for i in range(MAX_DEPTH * 2)]}).encode()
    loaded = load(wide)  # many brackets, little depth: walked, and stored
    assert not loaded.plain and len(loaded.value["rows"]) == MAX_DEPTH * 2
