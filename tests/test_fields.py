"""The shared webhook readers: each good value typed, each wrong one a PayloadInvalid naming its path."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from adapters import fields, keyed_fields
from adapters.base import PayloadInvalid, Problem
from adapters.jsonbody import parse_json

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
    for wrong in (None, "usd", "US", "USDT", "", 840, True):
        assert "ISO 4217" in refused(fields.currency, wrong).problems[0].expectation
    assert fields.opt_currency(None, PATH) is None
    assert fields.opt_currency("EUR", PATH) == "EUR"
    refused(fields.opt_currency, "eur")


def test_major() -> None:
    assert fields.major(Decimal("29.99")) == 29.99
    assert fields.major(Decimal("-10.00")) == -10.0


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


def test_iso_time_in_the_canonical_format() -> None:
    assert fields.iso_time("2021-12-31T19:00:00-05:00", PATH) == "2022-01-01T00:00:00.000Z"
    assert fields.iso_time("2024-03-29T21:29:21.123Z", PATH) == "2024-03-29T21:29:21.123Z"
    for wrong in (None, "2021-12-31T19:00:00", "2021-12-31", "yesterday", 1640995200, True):
        assert "ISO 8601" in refused(fields.iso_time, wrong).problems[0].expectation


def test_opt_iso_time() -> None:
    assert fields.opt_iso_time(None, PATH) is None
    assert fields.opt_iso_time("2020-04-22T22:18:00+00:00", PATH) == "2020-04-22T22:18:00.000Z"
    refused(fields.opt_iso_time, "")


# Keyed readers (Wix, Cafe24): parent[key], the error naming path.key


def keyed_refusal(reader: Callable[..., Any], value: Any, **options: Any) -> str:
    """The expectation `reader` gives for `{"k": value}`, checked to name `order.k` and show the value."""
    with pytest.raises(PayloadInvalid) as caught:
        reader({"k": value}, "k", "order", **options)
    (problem,) = caught.value.problems
    assert (problem.field, problem.value) == ("order.k", value)
    return problem.expectation


def test_keyed_text_keeps_integer_ids_exact_and_refuses_other_types() -> None:
    big = parse_json(b'{"k": 18446744073709551615}')
    assert keyed_fields.text(big, "k", "") == "18446744073709551615"
    assert keyed_fields.text({"k": ""}, "k", "order") is None
    assert keyed_refusal(keyed_fields.text, "", required=True) == "a non-empty string"
    assert keyed_refusal(keyed_fields.text, 1.5) == "a string"
    assert keyed_fields.join("", "k") == "k"


def test_keyed_amounts_are_numbers_with_integral_ones_as_integers() -> None:
    assert keyed_fields.amount({"k": "24680.00"}, "k", "") == 24680
    assert keyed_fields.amount({"k": "40.56"}, "k", "") == 40.56
    assert keyed_fields.amount({}, "k", "") is None
    assert keyed_refusal(keyed_fields.amount, "NaN", example='"24680.00"') == 'a decimal amount such as "24680.00"'
    assert keyed_refusal(keyed_fields.amount, "ten").startswith("a decimal amount")


def test_keyed_currency_and_moment_name_the_platforms_example() -> None:
    assert keyed_fields.currency({"k": "KRW"}, "k", "") == "KRW"
    assert keyed_refusal(keyed_fields.currency, "won", example="KRW").endswith("such as KRW")
    assert keyed_fields.moment({"k": "2020-07-17T15:28:14+09:00"}, "k", "") == "2020-07-17T06:28:14.000Z"
    assert "e.g. 2020-07-17T15:28:14+09:00" in keyed_refusal(keyed_fields.moment, "yesterday",
                                                            example="2020-07-17T15:28:14+09:00")
    assert keyed_fields.compact({"a": None, "b": 0}) == {"b": 0}


def test_provider_source_fields_are_cut_to_200_characters_and_empty_ones_left_out() -> None:
    cut = fields.provider_source("orders/create", "d" * 300, None)
    assert cut == {"topic": "orders/create", "deliveryId": "d" * 200}
    without_delivery = fields.provider_source("order.updated", "", "shop.example")
    assert without_delivery == {"topic": "order.updated", "shop": "shop.example"}


def fields_problem(field: str, value: Any) -> Problem:
    return Problem(field, value, "something")
