"""An event as a person reads it: what happened, who did it, how much, where and when, before any JSON."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import UnknownCurrencyError, format_currency

# The canonical standard names in words; any other name is a custom event and is shown as it is.
WHAT: dict[str, str] = {
    "PageView": "Viewed a page", "UserChatOpen": "Opened the chat", "MarketingView": "Saw a marketing message",
    "MarketingClick": "Clicked a marketing message", "MarketingGoal": "Reached a marketing goal",
    "SignUp": "Signed up", "Login": "Logged in", "Search": "Searched", "Lead": "Became a lead",
    "ProductView": "Viewed a product", "ProductListView": "Viewed a list of products",
    "AddToCart": "Added to the cart", "RemoveFromCart": "Removed from the cart", "CartView": "Viewed the cart",
    "CheckoutBegin": "Began the checkout", "AddShippingInfo": "Added shipping details",
    "AddPaymentInfo": "Added payment details", "Purchase": "Placed an order", "OrderPaid": "Paid for an order",
    "OrderCancelled": "Cancelled an order", "Refund": "Was refunded", "ProfileUpdate": "Updated their profile",
}
LOCALE = "en"  # the console's language
ITEMS_NAMED = 3


@dataclass(frozen=True)
class EventSummary:
    """The facts a person looks for first, each as (label, text); `when` is an RFC 3339 time for the page to show."""

    what: str
    facts: list[tuple[str, str]]
    when: str


def money(value: Any, currency: Any) -> str:
    """`€19.90`, `₩19,900`, `$404.95`: the currency's symbol and its number of decimals."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return f"{value} {currency or ''}".strip()
    if not isinstance(currency, str) or not currency:
        return f"{amount:,}"
    try:
        return str(format_currency(amount, currency.upper(), locale=LOCALE))
    except (UnknownCurrencyError, ValueError):
        return f"{amount:,} {currency}"


def order_label(event: dict[str, Any]) -> str | None:
    """The order as the shop names it (`#1001`), else its id."""
    properties = event.get("properties") or {}
    commerce = event.get("commerce") or {}
    for key in ("orderName", "orderNumber"):
        value = properties.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            text = str(value)
            return text if text.startswith("#") else f"#{text}"
    order_id = commerce.get("orderId")
    return f"order {order_id}" if order_id else None


def who(event: dict[str, Any]) -> str:
    """The person: their name and e-mail when known, their member id, else the anonymous visitor's id."""
    user = event.get("user") or {}
    traits = user.get("traits") or {}
    name = " ".join(str(traits[k]) for k in ("firstName", "lastName") if isinstance(traits.get(k), str)) or \
        (str(traits["name"]) if isinstance(traits.get("name"), str) else "")
    parts = [part for part in (name, user.get("email"), user.get("phone")) if part]
    if user.get("memberId"):
        parts.append(f"member {user['memberId']}")
    if parts:
        return " · ".join(str(part) for part in parts)
    if user.get("anonymousId"):
        return f"an anonymous visitor ({user['anonymousId']})"
    return "nobody known"


def items_text(items: list[Any]) -> str:
    """`2 items: Trail shoe × 1, Socks × 2`, the first few named."""
    named = [f"{item.get('name') or item.get('id')} × {item.get('quantity', 1)}" for item in items[:ITEMS_NAMED]
             if isinstance(item, dict)]
    more = f", and {len(items) - ITEMS_NAMED} more" if len(items) > ITEMS_NAMED else ""
    count = f"{len(items)} item{'' if len(items) == 1 else 's'}"
    return f"{count}: {', '.join(named)}{more}" if named else count


def how_much(event: dict[str, Any]) -> str | None:
    """The event's value with its currency, when it has one."""
    commerce = event.get("commerce") or {}
    if commerce.get("value") is None:
        return None
    return money(commerce["value"], commerce.get("currency"))


def summarize(event: dict[str, Any]) -> EventSummary:
    """The summary of a stored canonical event."""
    name = str(event.get("name", ""))
    what = WHAT.get(name, f"{name} (a custom event)")
    facts: list[tuple[str, str]] = [("Who", who(event))]
    order = order_label(event)
    if order:
        facts.append(("Order", order))
    value = how_much(event)
    if value:
        facts.append(("How much", value))
    items = (event.get("commerce") or {}).get("items")
    if isinstance(items, list) and items:
        facts.append(("Items", items_text(items)))
    term = (event.get("properties") or {}).get("searchTerm")
    if isinstance(term, str) and term:
        facts.append(("Searched for", term))
    page = event.get("page") or {}
    if page.get("url"):
        facts.append(("Page", f"{page['title']} ({page['url']})" if page.get("title") else str(page["url"])))
    campaign = (event.get("context") or {}).get("campaign") or {}
    if campaign.get("source") or campaign.get("name"):
        named = [str(campaign[key]) for key in ("source", "medium", "name") if campaign.get(key)]
        facts.append(("Campaign", " / ".join(named)))
    return EventSummary(what, facts, str(event.get("occurredAt") or event.get("receivedAt") or ""))


def one_line(event: dict[str, Any]) -> list[str]:
    """The summary's parts for one line of the live list: the order, the money, the items, the page."""
    parts = []
    order = order_label(event)
    if order:
        parts.append(order.capitalize() if order.startswith("order") else f"Order {order}")
    value = how_much(event)
    if value:
        parts.append(value)
    items = (event.get("commerce") or {}).get("items")
    if isinstance(items, list) and items:
        parts.append(f"{len(items)} item{'' if len(items) == 1 else 's'}")
    return parts
