"""Minor units to major units by the currency's ISO 4217 decimals (never a fixed 2)."""

from __future__ import annotations

import pytest

from adapters.base import PayloadInvalid
from adapters.webflow.money import currency_code, to_major_units


@pytest.mark.parametrize(("minor", "currency", "major"), [
    ("11873", "USD", 118.73),
    ("0", "USD", 0),
    ("5561", "EUR", 55.61),
    ("59000", "KRW", 59000),
    ("11873", "JPY", 11873),
    ("1234", "KWD", 1.234),
    ("12345", "CLF", 1.2345),
    ("-500", "USD", -5),
    (4999, "USD", 49.99),
])
def test_minor_units_become_major_units(minor: object, currency: str, major: float) -> None:
    assert to_major_units(minor, currency, "value") == major


def test_whole_amounts_stay_integers() -> None:
    assert isinstance(to_major_units("59000", "KRW", "value"), int)
    assert isinstance(to_major_units("11800", "USD", "value"), int)


@pytest.mark.parametrize("minor", ["118.73", "", "1e3", None, True, 1.5, "12 34"])
def test_amounts_that_are_not_whole_minor_units_are_refused(minor: object) -> None:
    with pytest.raises(PayloadInvalid) as caught:
        to_major_units(minor, "USD", "payload.totals.total.value")
    assert caught.value.problems[0].field == "payload.totals.total.value"


@pytest.mark.parametrize("code", ["usd", "US", "XAU", "XXX", None, 840, "USD\n", " USD"])
def test_currency_codes_must_be_iso_4217_money(code: object) -> None:
    with pytest.raises(PayloadInvalid) as caught:
        currency_code(code, "payload.totals.total.unit")
    assert (caught.value.problems[0].field, caught.value.problems[0].value) == ("payload.totals.total.unit", code)
