"""The shared webhook readers: each good value typed, each wrong one a PayloadInvalid naming its path."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from marshmallow import Schema, ValidationError
from marshmallow import fields as schema_fields

from adapters import fields
from adapters.base import PayloadInvalid, Problem
from adapters.jsonbody import parse_json
from adapters.times import format_time, parse_time

PATH = "order.line_items[3].field"


def refused(reader: Callable[..., Any], value: Any, **options: Any) -> PayloadInvalid:
    """The error `reader` raises for `value`, checked to name the path and show the value."""
    with pytest.raises(PayloadInvalid) as caught:
        reader(value, PATH, **options)
    (problem,) = caught.value.problems
    assert problem.field == PATH
    assert problem.value == value or (problem.value != problem.value and value != value)  # NaN
    assert problem.expectation
    return caught.value


# Objects and lists


def test_obj() -> None:
    assert fields.obj({"a": 1}, PATH) == {"a": 1}
    assert fields.obj({}, PATH) == {}
    for wrong in (None, [], "{}", 1, True):
        assert refused(fields.obj, wrong).problems[0].expectation == "a JSON object"


def test_opt_obj_is_none_when_null_and_obj_or_empty_is_empty() -> None:
    assert fields.opt_obj(None, PATH) is None
    assert fields.opt_obj({}, PATH) == {}
    assert fields.obj_or_empty(None, PATH) == {}
    assert fields.obj_or_empty({"a": 1}, PATH) == {"a": 1}
    for reader in (fields.opt_obj, fields.obj_or_empty):
        for wrong in ([], "x", 0, False):
            refused(reader, wrong)


def test_items_of() -> None:
    assert fields.items_of([1, {"a": 2}], PATH) == [1, {"a": 2}]
    assert fields.items_of(None, PATH) == []
    for wrong in ({}, "[]", 3, True):
        assert refused(fields.items_of, wrong).problems[0].expectation == "a JSON list"
    said = refused(fields.items_of, {}, expectation="a list of order items")
    assert said.problems[0].expectation == "a list of order items"



def test_read_lines_reads_the_first_200_lines_and_names_a_bad_one_by_its_index() -> None:
    def price(line: Any) -> Decimal:
        return fields.amount(fields.obj(line, "").get("price"), "price")

    assert fields.read_lines([{"price": "1.50"}, {"price": 2}], "lines", price) == [Decimal("1.50"), Decimal(2)]
    assert fields.read_lines(None, "lines", price) == []
    assert len(fields.read_lines([{"price": "1"}] * 250, "lines", price)) == fields.MAX_ITEMS
    with pytest.raises(PayloadInvalid) as caught:
        fields.read_lines([{"price": "1"}, {"price": "free"}], "order.lines", price)
    assert [(p.field, p.value) for p in caught.value.problems] == [("order.lines[1].price", "free")]
    with pytest.raises(PayloadInvalid) as caught:
        fields.read_lines([{"price": "1"}, "a line"], "order.lines", price)
    assert [(p.field, p.value) for p in caught.value.problems] == [("order.lines[1]", "a line")]
    # A line beyond the 200 kept is not read, so it cannot refuse the input.
    assert len(fields.read_lines([{"price": "1"}] * 200 + ["not a line"], "lines", price)) == fields.MAX_ITEMS


def test_payload_invalid_under_a_path_keeps_every_problem() -> None:
    error = PayloadInvalid.of([fields_problem("price", "x"), fields_problem("", None)]).under("lines[2]")
    assert [(p.field, p.value) for p in error.problems] == [("lines[2].price", "x"), ("lines[2]", None)]
    assert str(error) == "lines[2].price: expected something"


# Text


def test_text_is_none_when_null_or_empty() -> None:
    assert fields.text("Blue mug", PATH) == "Blue mug"
    assert fields.text(None, PATH) is None
    assert fields.text("", PATH) is None
    for wrong in (1, 0, True, [], {}):
        refused(fields.text, wrong)


def test_required_text() -> None:
    assert fields.required_text("6630e5d1", PATH) == "6630e5d1"
    for wrong in (None, "", 12, [], False):
        refused(fields.required_text, wrong)


def test_short_cuts_to_the_canonical_length() -> None:
    assert fields.short("x" * 600, PATH) == "x" * fields.MAX_TEXT
    assert fields.short("abcdef", PATH, max_length=3) == "abc"
    assert fields.short("", PATH) is None
    assert fields.short(None, PATH) is None
    refused(fields.short, 5)


# Ids


def test_ident_keeps_ids_beyond_two_to_the_53_exact() -> None:
    body = parse_json(b'{"id": 9007199254740993, "big": 18446744073709551615}')
    assert fields.ident(body["id"], PATH) == "9007199254740993"
    assert fields.ident(body["big"], PATH) == "18446744073709551615"
    assert fields.opt_ident(body["id"], PATH) == "9007199254740993"


def test_ident_reads_integers_and_strings() -> None:
    assert fields.ident(0, PATH) == "0"
    assert fields.ident(-7, PATH) == "-7"
    assert fields.ident("c1a7d2e4-5b2f-4b6e-9a43-1f0e2d3c4b5a", PATH) == "c1a7d2e4-5b2f-4b6e-9a43-1f0e2d3c4b5a"
    assert fields.ident("x" * 100, PATH) == "x" * 100
    for wrong in (None, "", "x" * 101, 1.5, True, [], {}):
        error = refused(fields.ident, wrong)
        assert error.problems[0].expectation == "an id: an integer or a string of 1 to 100 characters"


def test_ident_without_a_length_limit() -> None:
    assert fields.ident("x" * 500, PATH, max_length=None) == "x" * 500
    assert fields.ident(42, PATH, max_length=None) == "42"
    error = refused(fields.ident, "", max_length=None)
    assert error.problems[0].expectation == "an id: an integer or a non-empty string"


def test_opt_ident_is_none_only_when_null() -> None:
    assert fields.opt_ident(None, PATH) is None
    assert fields.opt_ident(0, PATH) == "0"
    assert fields.opt_ident("abc", PATH) == "abc"
    for wrong in ("", "x" * 101, 2.5, False):
        refused(fields.opt_ident, wrong)
    assert fields.opt_ident("x" * 101, PATH, max_length=None) == "x" * 101


# Money


def test_amount_stays_an_exact_decimal() -> None:
    body = parse_json(b'{"s": "29.99", "n": 0.1, "i": 12, "long": "12345678901234567890.1234", "neg": "-10.00"}')
    assert fields.amount(body["s"], PATH) == Decimal("29.99")
    assert fields.amount(body["n"], PATH) == Decimal("0.1")
    assert fields.amount(body["i"], PATH) == Decimal(12)
    assert fields.amount(body["long"], PATH) == Decimal("12345678901234567890.1234")
    assert str(fields.amount(body["neg"], PATH)) == "-10.00"
    assert str(fields.amount("69.8400", PATH)) == "69.8400"


def test_amount_refusals() -> None:
    for wrong in (None, "", "29,99", "1e3", " 5", "5.", ".5", "USD 5", True, [], {}, float("inf"), float("nan")):
        refused(fields.amount, wrong)


def test_opt_amount() -> None:
    assert fields.opt_amount(None, PATH) is None
    assert fields.opt_amount("5.00", PATH) == Decimal("5.00")
    for wrong in ("", "five", False):
        refused(fields.opt_amount, wrong)


def test_currency() -> None:
    assert fields.currency("USD", PATH) == "USD"
    for wrong in (None, "usd", "US", "USDT", "", 840, True, "USD\n", " USD", "USD ", "ÜSD", "ＵＳＤ"):
        assert refused(fields.currency, wrong).problems[0].expectation == (
            "an ISO 4217 currency code: three capital letters such as USD")
    assert fields.opt_currency(None, PATH) is None
    assert fields.opt_currency("EUR", PATH) == "EUR"
    refused(fields.opt_currency, "eur")


def test_currency_in_lower_case_where_a_platform_documents_it() -> None:
    assert fields.currency("usd", PATH, allow_lower_case=True) == "USD"
    assert fields.currency("KRW", PATH, allow_lower_case=True) == "KRW"
    assert fields.opt_currency("eur", PATH, allow_lower_case=True) == "EUR"
    for wrong in ("usd\n", "us", "ｕｓｄ", "üsd", 840):
        expectation = refused(fields.currency, wrong, allow_lower_case=True).problems[0].expectation
        assert expectation.endswith("(lower case accepted here: usd)")


def test_major_writes_whole_amounts_as_integers() -> None:
    assert fields.major(Decimal("29.99")) == 29.99
    assert fields.major(Decimal("-10.00")) == -10
    assert type(fields.major(Decimal("24680.00"))) is int
    assert type(fields.major(Decimal("0.10"))) is float


def test_money_is_major_of_amount_for_every_kind_of_number() -> None:
    # The shortcut for JSON numbers gives what the exact decimal way gives, and refuses what it refuses.
    for given in (29.5, 30.0, 0.1, 12, -10, 1e15 + 0.5, 2.0**53, 1e300, "29.99", "30.00", "-10.00"):
        assert fields.money(given, PATH) == fields.major(fields.amount(given, PATH))
        assert type(fields.money(given, PATH)) is type(fields.major(fields.amount(given, PATH)))
    for wrong in (None, "", "29,99", True, [], float("inf"), float("-inf"), float("nan")):
        refused(fields.money, wrong)
    assert fields.opt_money(None, PATH) is None
    assert fields.opt_money("30.00", PATH) == 30
    refused(fields.opt_money, "")


def test_a_time_already_in_the_canonical_form_is_kept_when_the_calendar_has_it() -> None:
    assert fields.rfc3339_time("2026-11-24T09:30:00.123Z", PATH) == "2026-11-24T09:30:00.123Z"
    for wrong in ("2026-02-30T09:30:00.000Z", "0000-01-01T00:00:00.000Z"):
        assert refused(fields.rfc3339_time, wrong).problems[0].expectation == RFC3339


# Quantities and contacts


def test_quantity() -> None:
    assert fields.quantity(3, PATH) == 3
    assert fields.quantity(0, PATH) == 0
    assert fields.quantity(1.5, PATH) == 1.5
    for wrong in (None, -1, -0.5, "2", True, [], float("nan")):
        refused(fields.quantity, wrong)


def test_email_is_none_for_something_else() -> None:
    assert fields.email("ana@example.com", PATH) == "ana@example.com"
    for other in (None, "", "+1 555 0100", "ana@", "a b@example.com", "a@" + "x" * 320):
        assert fields.email(other, PATH) is None
    refused(fields.email, 12)


def test_phone() -> None:
    assert fields.phone("+1 555 0100", PATH) == "+1 555 0100"
    assert fields.phone("  +1 555 0100 ", PATH) == "+1 555 0100"
    assert fields.phone("  +1 555 0100 ", PATH, strip=False) == "  +1 555 0100 "
    assert fields.phone(" 12 ", PATH) is None  # two digits once trimmed
    assert fields.phone(" 12 ", PATH, strip=False) == " 12 "
    for other in (None, "", "12", "1" * 41):
        assert fields.phone(other, PATH) is None
    refused(fields.phone, 5550100)


# Times

RFC3339 = "an RFC 3339 time such as 2026-11-24T09:30:00.000Z"


def test_rfc3339_time_in_the_canonical_format() -> None:
    assert fields.rfc3339_time("2021-12-31T19:00:00-05:00", PATH) == "2022-01-01T00:00:00.000Z"
    assert fields.rfc3339_time("2024-03-29T21:29:21.123Z", PATH) == "2024-03-29T21:29:21.123Z"
    # What RFC 3339 itself allows: lower-case t and z, a space for T, any number of fraction digits, -00:00.
    assert fields.rfc3339_time("2024-03-29t21:29:21z", PATH) == "2024-03-29T21:29:21.000Z"
    assert fields.rfc3339_time("2024-03-29 21:29:21+09:00", PATH) == "2024-03-29T12:29:21.000Z"
    assert fields.rfc3339_time("2024-03-29T21:29:21.123456789Z", PATH) == "2024-03-29T21:29:21.123Z"
    assert fields.rfc3339_time("2024-03-29T21:29:21.5-00:00", PATH) == "2024-03-29T21:29:21.500Z"


@pytest.mark.parametrize("wrong", [
    "2026-W48-2T09:30:00Z",  # ISO 8601 week date
    "2026-328T09:30:00Z",  # ISO 8601 ordinal date
    "2026-11-24T18:30:00+0900",  # offset without a colon
    "2026-11-24T09:30:00,5Z",  # comma fraction
    "2026-11-24T09:30Z",  # no seconds
    "2026-11-24T09:30+09:00",
    "20261124T093000Z",  # ISO 8601 basic format
    "2026-11-24T09:30:00",  # no offset
    "2026-11-24T09:30:00+09",  # offset without minutes
    "2026-11-24T09:30:00+09:00:00",  # offset with seconds
    "2026-11-24T09:30:00.Z",
    "2026-11-24",
    "2026-11-24T09:30:00Z\n",
    " 2026-11-24T09:30:00Z",
    "２０２６-11-24T09:30:00Z",  # digits that are not ASCII
    "2026-11-24T24:00:00Z",
    "2026-11-24T09:60:00Z",
    "2026-11-24T23:59:60Z",  # a leap second: no datetime holds it
    "2026-02-30T09:30:00Z",
    "2026-13-01T09:30:00Z",
    "2026-11-24T09:30:00+24:00",
    "0000-01-01T00:00:00Z",
    # The canonical form's own shape (read by a shorter path) with what no calendar has:
    "2026-02-30T09:30:00.000Z",
    "2026-13-01T09:30:00.000Z",
    "2026-11-24T24:00:00.000Z",
    "0000-01-01T00:00:00.000Z",
    "２０２６-11-24T09:30:00.000Z",
    "yesterday",
    "",
])
def test_rfc3339_time_refuses_what_is_not_rfc_3339(wrong: str) -> None:
    assert refused(fields.rfc3339_time, wrong).problems[0].expectation == RFC3339


@pytest.mark.parametrize("wrong", [None, 1640995200, True, ["2026-11-24T09:30:00Z"]])
def test_rfc3339_time_refuses_what_is_no_string(wrong: Any) -> None:
    assert refused(fields.rfc3339_time, wrong).problems[0].expectation == RFC3339


def test_rfc3339_time_outside_the_calendar_in_utc() -> None:
    for wrong in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        assert refused(fields.rfc3339_time, wrong).problems[0].expectation == (
            "a time between the years 1 and 9999 in UTC")


def test_opt_rfc3339_time() -> None:
    assert fields.opt_rfc3339_time(None, PATH) is None
    assert fields.opt_rfc3339_time("2020-04-22T22:18:00+00:00", PATH) == "2020-04-22T22:18:00.000Z"
    refused(fields.opt_rfc3339_time, "")
    refused(fields.opt_rfc3339_time, "2020-04-22T22:18+00:00")


def test_an_offset_without_a_colon_where_a_platform_documents_it() -> None:
    # Shopify's web pixels (Checkout Sheet Kit bridge) write `timestamp` as 2023-12-20T16:39:23+0000.
    read = {"allow_offset_without_colon": True}
    assert fields.rfc3339_time("2023-12-20T16:39:23+0000", PATH, **read) == "2023-12-20T16:39:23.000Z"
    assert fields.rfc3339_time("2023-12-20T16:39:23-0530", PATH, **read) == "2023-12-20T22:09:23.000Z"
    assert fields.rfc3339_time("2023-12-20T16:39:23+05:30", PATH, **read) == "2023-12-20T11:09:23.000Z"
    assert fields.opt_rfc3339_time(None, PATH, **read) is None
    for wrong in ("2023-12-20T16:39+0000", "2023-W51-3T16:39:23+0000", "2023-12-20T16:39:23,5+0000",
                  "2023-12-20T16:39:23+00", "2023-12-20T16:39:23"):
        expectation = refused(fields.rfc3339_time, wrong, **read).problems[0].expectation
        assert expectation == f"{RFC3339}; accepted here too: an offset without a colon, 2026-11-24T18:30:00+0900"


def test_no_seconds_or_no_offset_where_a_platform_documents_it() -> None:
    # Squarespace's docs example: "createdOn": "2020-04-22T22:18+00:00".
    assert fields.rfc3339_time("2020-04-22T22:18+00:00", PATH, allow_missing_seconds=True) == (
        "2020-04-22T22:18:00.000Z")
    assert "no seconds" in refused(fields.rfc3339_time, "2020-04-22T22:18", allow_missing_seconds=True
                                   ).problems[0].expectation
    # WooCommerce's `date_created_gmt`: "2017-03-22T19:28:02", in UTC.
    assert fields.rfc3339_time("2017-03-22T19:28:02", PATH, allow_utc_without_offset=True) == (
        "2017-03-22T19:28:02.000Z")
    assert fields.rfc3339_time("2017-03-22T19:28:02+01:00", PATH, allow_utc_without_offset=True) == (
        "2017-03-22T18:28:02.000Z")
    for wrong in ("2017-03-22T19:28", "2017-W12-3T19:28:02", "2017-03-22"):
        refused(fields.rfc3339_time, wrong, allow_utc_without_offset=True)


def test_parse_time_says_what_it_expected_and_format_time_is_unchanged() -> None:
    assert parse_time("2026-11-24T18:30:00.123+09:00") == datetime(2026, 11, 24, 9, 30, 0, 123000, tzinfo=UTC)
    with pytest.raises(ValueError) as caught:
        parse_time("2026-11-24T18:30:00+0900")
    assert str(caught.value) == RFC3339
    assert format_time(datetime(2026, 11, 24, 9, 30, tzinfo=UTC)) == "2026-11-24T09:30:00.000Z"
    assert format_time(parse_time("2026-11-24T18:30:00.1239+09:00")) == "2026-11-24T09:30:00.123Z"
    assert format_time(datetime(2026, 11, 24, 9, 30, 0, 999, tzinfo=UTC)) == "2026-11-24T09:30:00.000Z"
    assert format_time(datetime(999, 1, 2, 3, 4, 5, 678900, tzinfo=UTC)) == "0999-01-02T03:04:05.678Z"
    # The canonical form is read as it is, in UTC, like any other RFC 3339 time.
    assert parse_time("2026-11-24T09:30:00.123Z") == datetime(2026, 11, 24, 9, 30, 0, 123000, tzinfo=UTC)
    assert parse_time("2026-11-24T09:30:00.123Z").utcoffset() == timedelta(0)


# Settings and helpers


def test_a_setting_follows_the_same_rule_as_the_payloads() -> None:
    class Settings(Schema):
        currency = schema_fields.String(validate=fields.setting_validator(fields.currency))

    assert Settings().load({"currency": "KRW"}) == {"currency": "KRW"}
    for wrong in ("USD\n", "usd", "US"):
        with pytest.raises(ValidationError) as caught:
            Settings().load({"currency": wrong})
        assert caught.value.messages == {
            "currency": ["expected an ISO 4217 currency code: three capital letters such as USD"]}


def test_compact_leaves_out_only_none() -> None:
    assert fields.compact({"a": None, "b": 0, "c": "", "d": False}) == {"b": 0, "c": "", "d": False}


def test_all_lists_every_public_reader_and_constant() -> None:
    own = {name for name, value in vars(fields).items() if not name.startswith("_")
           and (name.isupper() or (inspect.isfunction(value) and value.__module__ == fields.__name__))}
    assert sorted(fields.__all__) == sorted(own)


def test_provider_source_fields_are_cut_to_200_characters_and_empty_ones_left_out() -> None:
    cut = fields.provider_source("orders/create", "d" * 300, None)
    assert cut == {"topic": "orders/create", "deliveryId": "d" * 200}
    without_delivery = fields.provider_source("order.updated", "", "shop.example")
    assert without_delivery == {"topic": "order.updated", "shop": "shop.example"}


def fields_problem(field: str, value: Any) -> Problem:
    return Problem(field, value, "something")
