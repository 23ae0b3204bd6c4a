"""Webflow prices: strings of minor units ("11873" USD = 118.73) turned into major units.

How many decimals a currency has is the "minor unit" column of ISO 4217 (list one, published by
the maintenance agency SIX: https://www.six-group.com/en/products-services/financial-information/
data-standards.html). Every active currency has 2 except those listed below; codes that are not
money (precious metals, fund units, testing codes) have no minor unit and are refused.
"""

from __future__ import annotations

import re
from decimal import Decimal

from adapters import fields
from adapters.base import PayloadInvalid

# ISO 4217 currencies whose minor unit is not 2.
DECIMALS = {
    # 0: the amount is already in major units.
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    # 3: thousandths.
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    # 4: units of account.
    "CLF": 4, "UYW": 4,
}
DEFAULT_DECIMALS = 2
# ISO 4217 codes with minor unit "N.A.": not an amount of money a shop can charge.
NOT_MONEY = frozenset({"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"})

_MINOR_UNITS = re.compile(r"-?[0-9]{1,30}")


def decimals_of(currency: str) -> int:
    """The number of decimals of an ISO 4217 currency code (KRW 0, USD 2, KWD 3)."""
    return DECIMALS.get(currency, DEFAULT_DECIMALS)


def currency_code(value: object, field: str) -> str:
    """A price's `unit`: an ISO 4217 code of money, whose minor unit turns Webflow's amounts into major units."""
    code = fields.currency(value, field)
    if code in NOT_MONEY:
        raise PayloadInvalid(field, value, "the ISO 4217 code of money, which has a minor unit (not XAU, XXX, ...)")
    return code


def to_major_units(minor: object, currency: str, field: str) -> int | float:
    """A minor-unit amount (string or integer) as a decimal number in major units."""
    text = str(minor) if isinstance(minor, int) and not isinstance(minor, bool) else minor
    if not isinstance(text, str) or not _MINOR_UNITS.fullmatch(text):
        raise PayloadInvalid(field, minor, f"a whole number of minor units of {currency}, e.g. \"11873\"")
    # Decimal arithmetic first, so that 11873 cents become exactly 118.73 and not 118.72999...
    return fields.major(Decimal(text).scaleb(-decimals_of(currency)))
