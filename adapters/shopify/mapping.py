"""Shopify topics → canonical events (the table is in this folder's README.md).

Money is the customer's (presentment) currency wherever the payload carries it: refund
transactions are in that currency, and so are a checkout's totals; orders and lines give it in
their `*_set.presentment_money`. Without those sets, the plain fields are used.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from adapters.base import Event, PayloadInvalid
from adapters.fields import (
    MAX_TEXT,
    email,
    items_of,
    major,
    obj,
    opt_amount,
    opt_currency,
    opt_ident,
    opt_obj,
    opt_rfc3339_time,
    phone,
    present_properties,
    quantity,
    read_lines,
    text,
)

T = TypeVar("T")


def order_placed(order: dict[str, Any]) -> Event | None:
    """orders/create: the order is placed (it may still await payment)."""
    return _order_event("Purchase", order, "created_at")


def order_paid(order: dict[str, Any]) -> Event | None:
    """orders/paid: the order's payment is complete."""
    return _order_event("OrderPaid", order, "updated_at")


def order_cancelled(order: dict[str, Any]) -> Event | None:
    """orders/cancelled: the order is cancelled, with Shopify's reason."""
    event = _order_event("OrderCancelled", order, "cancelled_at" if order.get("cancelled_at") else "updated_at")
    reason = text(order.get("cancel_reason"), "cancel_reason")
    if reason:
        event["properties"] = {**event.get("properties", {}), "cancelReason": reason}
    return event


def refund_created(refund: dict[str, Any]) -> Event | None:
    """refunds/create: money (successful refund transactions) and lines given back on an order."""
    order_id = _required(opt_ident(refund.get("order_id"), "order_id"), "order_id", "the refunded order's id")
    lines = items_of(refund.get("refund_line_items"), "refund_line_items")
    commerce: dict[str, Any] = {"orderId": order_id}
    value, money_currency = _refunded_money(refund, lines)
    if money_currency:
        commerce["currency"] = money_currency
        if value is not None:
            commerce["value"] = major(value)
    items = read_lines(lines, "refund_line_items", _refund_item)
    if items:
        commerce["items"] = items
    event: Event = {"name": "Refund", "commerce": commerce}
    refund_id = opt_ident(refund.get("id"), "id")
    if refund_id:
        event["properties"] = {"refundId": refund_id}
    return _with_time(event, refund, "created_at")


def checkout_begun(checkout: dict[str, Any], time_field: str) -> Event | None:
    """checkouts/create|update: a checkout in progress (a completed one is an order: nothing here)."""
    if checkout.get("completed_at") is not None:
        return None
    commerce: dict[str, Any] = {}
    money_currency = opt_currency(checkout.get("presentment_currency"), "presentment_currency") or opt_currency(
        checkout.get("currency"), "currency")
    total = opt_amount(checkout.get("total_price"), "total_price")
    if money_currency:
        commerce["currency"] = money_currency
        if total is not None:
            commerce["value"] = major(total)
    cart_id = opt_ident(checkout.get("cart_token"), "cart_token")
    if cart_id:
        commerce["cartId"] = cart_id
    commerce["items"] = _items(checkout)
    event: Event = {"name": "CheckoutBegin", "commerce": commerce}
    recovery_url = text(checkout.get("abandoned_checkout_url"), "abandoned_checkout_url")
    properties = present_properties(checkoutToken=opt_ident(checkout.get("token"), "token"),
                                    checkoutId=opt_ident(checkout.get("id"), "id"), abandonedCheckoutUrl=recovery_url)
    if properties:
        event["properties"] = properties
    _add_user(event, checkout)
    _add_locale(event, checkout)
    return _with_time(event, checkout, time_field)


def cart_changed(cart: dict[str, Any], time_field: str) -> Event | None:
    """carts/create|update: the cart as it now is (Shopify sends the whole cart, not the change)."""
    lines = items_of(cart.get("line_items"), "line_items")
    if not lines:
        return None  # an emptied cart: nothing was added
    commerce: dict[str, Any] = {}
    cart_id = opt_ident(cart.get("token"), "token") or opt_ident(cart.get("id"), "id")
    if cart_id:
        commerce["cartId"] = cart_id
    total, money_currency = _cart_total(lines)
    if money_currency:
        commerce["currency"] = money_currency
        if total is not None:
            commerce["value"] = major(total)
    commerce["items"] = _items(cart)
    return _with_time({"name": "AddToCart", "commerce": commerce}, cart, time_field)


def customer_created(customer: dict[str, Any]) -> Event | None:
    """customers/create: a customer account exists (sign-up, or made at checkout or by staff)."""
    member = _required(opt_ident(customer.get("id"), "id"), "id", "the customer's id")
    user: dict[str, Any] = {"memberId": member}
    found_email = email(customer.get("email"), "email")
    if found_email:
        user["email"] = found_email
    found_phone = phone(customer.get("phone"), "phone", strip=False)
    if found_phone:
        user["phone"] = found_phone
    traits = present_properties(firstName=text(customer.get("first_name"), "first_name"),
                                lastName=text(customer.get("last_name"), "last_name"))
    if traits:
        user["traits"] = traits
    return _with_time({"name": "SignUp", "user": user}, customer, "created_at")


Mapper = Callable[[dict[str, Any]], Event | None]

TOPICS: dict[str, Mapper] = {
    "orders/create": order_placed,
    "orders/paid": order_paid,
    "orders/cancelled": order_cancelled,
    "refunds/create": refund_created,
    "checkouts/create": lambda body: checkout_begun(body, "created_at"),
    "checkouts/update": lambda body: checkout_begun(body, "updated_at"),
    "carts/create": lambda body: cart_changed(body, "created_at"),
    "carts/update": lambda body: cart_changed(body, "updated_at"),
    "customers/create": customer_created,
}
"""The topics that are customer actions; every other topic is acknowledged with no event."""


def _order_event(name: str, order: dict[str, Any], time_field: str) -> Event:
    order_id = _required(opt_ident(order.get("id"), "id"), "id", "the order's id")
    value, money_currency = _order_total(order)
    commerce: dict[str, Any] = {"orderId": order_id, "currency": money_currency, "value": major(value)}
    cart_id = opt_ident(order.get("cart_token"), "cart_token")
    if cart_id:
        commerce["cartId"] = cart_id
    commerce["items"] = _items(order)
    event: Event = {"name": name, "commerce": commerce}
    properties = present_properties(orderName=text(order.get("name"), "name"),
                                    financialStatus=text(order.get("financial_status"), "financial_status"),
                                    test=order.get("test") if isinstance(order.get("test"), bool) else None)
    if properties:
        event["properties"] = properties
    _add_user(event, order)
    _add_locale(event, order)
    return _with_time(event, order, time_field)


def _order_total(order: dict[str, Any]) -> tuple[Decimal, str]:
    """The order's total in the customer's currency (`total_price_set.presentment_money`), else `total_price`."""
    presentment = _presentment(order.get("total_price_set"), "total_price_set")
    if presentment is not None:
        path = "total_price_set.presentment_money"
        value = opt_amount(presentment.get("amount"), f"{path}.amount")
        money_currency = opt_currency(presentment.get("currency_code"), f"{path}.currency_code")
        return (_required(value, f"{path}.amount", "the order's total"),
                _required(money_currency, f"{path}.currency_code", "the order's currency"))
    value = _required(opt_amount(order.get("total_price"), "total_price"), "total_price", "the order's total")
    return value, _required(opt_currency(order.get("currency"), "currency"), "currency", "the order's currency")


def _refunded_money(refund: dict[str, Any], lines: list[Any]) -> tuple[Decimal | None, str | None]:
    """The sum of the successful refund transactions and their currency (the customer's currency)."""
    total: Decimal | None = None
    money_currency: str | None = None
    for index, raw in enumerate(items_of(refund.get("transactions"), "transactions")):
        path = f"transactions[{index}]"
        transaction = obj(raw, path)
        if transaction.get("kind") != "refund" or transaction.get("status") != "success":
            continue
        value = opt_amount(transaction.get("amount"), f"{path}.amount")
        if value is not None:
            total = (total or Decimal(0)) + value
        money_currency = money_currency or opt_currency(transaction.get("currency"), f"{path}.currency")
    if money_currency is None and lines:
        # Transactions may carry no currency; the refunded lines say which currency the customer paid in.
        line = obj(lines[0], "refund_line_items[0]")
        presentment = _presentment(line.get("subtotal_set"), "refund_line_items[0].subtotal_set")
        if presentment is not None:
            path = "refund_line_items[0].subtotal_set.presentment_money.currency_code"
            money_currency = opt_currency(presentment.get("currency_code"), path)
    return total, money_currency


def _cart_total(lines: list[Any]) -> tuple[Decimal | None, str | None]:
    """The sum of the cart's line prices in the customer's currency, when every line gives one."""
    total = Decimal(0)
    currencies: set[str] = set()
    for index, raw in enumerate(lines):
        path = f"line_items[{index}].line_price_set"
        presentment = _presentment(obj(raw, f"line_items[{index}]").get("line_price_set"), path)
        if presentment is None:
            return None, None
        value = opt_amount(presentment.get("amount"), f"{path}.presentment_money.amount")
        found = opt_currency(presentment.get("currency_code"), f"{path}.presentment_money.currency_code")
        if value is None or found is None:
            return None, None
        total += value
        currencies.add(found)
    return (total, currencies.pop()) if len(currencies) == 1 else (None, None)


def _presentment(value: Any, path: str) -> dict[str, Any] | None:
    """The `presentment_money` (customer's currency) of one of Shopify's money sets, if there is one."""
    money_set = opt_obj(value, path)
    return opt_obj(money_set.get("presentment_money"), f"{path}.presentment_money") if money_set else None


def _items(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return read_lines(payload.get("line_items"), "line_items", _item)


def _refund_item(raw: Any) -> dict[str, Any]:
    """A refunded line: the order's line, with the refunded quantity (fields named within the refund line)."""
    refund_line = obj(raw, "")
    try:
        item = _item(refund_line.get("line_item"))
    except PayloadInvalid as error:
        raise error.under("line_item") from None
    item["quantity"] = quantity(refund_line.get("quantity"), "quantity")
    return item


def _item(raw: Any) -> dict[str, Any]:
    """A line as a canonical item; its id is the product id (else the variant id, the SKU, the line's id).

    Fields are named within the line; `read_lines` names the line.
    """
    line = obj(raw, "")
    product = opt_ident(line.get("product_id"), "product_id")
    variant = opt_ident(line.get("variant_id"), "variant_id")
    sku = text(line.get("sku"), "sku")
    item_id = product or variant or sku or opt_ident(line.get("id"), "id")
    item: dict[str, Any] = {
        "id": _required(item_id, "product_id", "a product id, variant id, SKU or line id"),
        "quantity": quantity(line.get("quantity"), "quantity"),
    }
    name = text(line.get("title"), "title") or text(line.get("name"), "name")
    if name:
        item["name"] = name[:MAX_TEXT]
    price = _line_price(line)
    if price is not None:
        item["price"] = major(price)
    for key, field in (("variant", "variant_title"), ("brand", "vendor")):
        value = text(line.get(field), field)
        if value:
            item[key] = value[:MAX_TEXT]
    if sku:
        item["sku"] = sku[:MAX_TEXT]
    if variant and variant != item["id"]:
        item["properties"] = {"variantId": variant}
    return item


def _line_price(line: dict[str, Any]) -> Decimal | None:
    """A line's unit price in the customer's currency (`price_set.presentment_money`), else `price`."""
    presentment = _presentment(line.get("price_set"), "price_set")
    if presentment is not None:
        return opt_amount(presentment.get("amount"), "price_set.presentment_money.amount")
    return opt_amount(line.get("price"), "price")


def _add_user(event: Event, payload: dict[str, Any]) -> None:
    """The buyer: the customer's id, the order's (or customer's) e-mail and phone, the customer's name."""
    customer = opt_obj(payload.get("customer"), "customer") or {}
    user: dict[str, Any] = {}
    member = opt_ident(customer.get("id"), "customer.id")
    if member:
        user["memberId"] = member
    found_email = (email(payload.get("email"), "email") or email(payload.get("contact_email"), "contact_email")
                   or email(customer.get("email"), "customer.email"))
    if found_email:
        user["email"] = found_email
    found_phone = (phone(payload.get("phone"), "phone", strip=False)
                   or phone(customer.get("phone"), "customer.phone", strip=False))
    if found_phone:
        user["phone"] = found_phone
    if not user:
        return
    traits = present_properties(firstName=text(customer.get("first_name"), "customer.first_name"),
                                lastName=text(customer.get("last_name"), "customer.last_name"))
    if traits:
        user["traits"] = traits
    event["user"] = user


def _add_locale(event: Event, payload: dict[str, Any]) -> None:
    locale = text(payload.get("customer_locale"), "customer_locale")
    if locale and len(locale) <= 35:
        event["context"] = {"locale": locale}


def _with_time(event: Event, payload: dict[str, Any], field: str) -> Event:
    occurred = opt_rfc3339_time(payload.get(field), field)
    if occurred:
        event["occurredAt"] = occurred
    return event


def _required(value: T | None, path: str, expectation: str) -> T:
    if value is None:
        raise PayloadInvalid(path, None, expectation)
    return value
