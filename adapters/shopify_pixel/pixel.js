  // Shopify custom pixel: the sandbox gives `analytics`, `browser` and `init` (and `customerPrivacy`, or
  // `api.customerPrivacy`). Each standard event below and every custom event is forwarded as Shopify gave it,
  // with the shop, the logged-in customer's id and the visitor's consent; the gateway does the mapping.
  var STANDARD_EVENTS = ["page_viewed", "product_viewed", "collection_viewed", "search_submitted",
    "product_added_to_cart", "product_removed_from_cart", "cart_viewed", "checkout_started",
    "checkout_contact_info_submitted", "checkout_address_info_submitted", "checkout_shipping_info_submitted",
    "payment_info_submitted", "checkout_completed"];
  // What identifies the visitor in a checkout: left out when analytics consent is refused.
  var CHECKOUT_IDENTIFIERS = ["email", "phone", "smsMarketingPhone", "billingAddress", "shippingAddress"];
  var data = (init && init.data) || {};
  var privacy = (init && init.customerPrivacy) || {};
  var privacyApi = typeof customerPrivacy !== "undefined" ? customerPrivacy
    : (typeof api !== "undefined" && api && api.customerPrivacy) || null;
  if (privacyApi && typeof privacyApi.subscribe === "function") {
    privacyApi.subscribe("visitorConsentCollected", function (event) {
      privacy = (event && event.customerPrivacy) || privacy;
    });
  }
  var send = tagwayTransport(ENDPOINT, browser && browser.localStorage);

  function consent() {
    return {analyticsProcessingAllowed: privacy.analyticsProcessingAllowed === true,
            marketingAllowed: privacy.marketingAllowed === true,
            preferencesProcessingAllowed: privacy.preferencesProcessingAllowed === true,
            saleOfDataAllowed: privacy.saleOfDataAllowed === true};
  }

  function withoutIdentifiers(event) {
    delete event.clientId;
    var checkout = event.data && event.data.checkout;
    if (checkout) {
      CHECKOUT_IDENTIFIERS.forEach(function (key) { delete checkout[key]; });
      if (checkout.order) delete checkout.order.customer;
    }
    return event;
  }

  function forward(shopifyEvent) {
    var event = JSON.parse(JSON.stringify(shopifyEvent));  // a copy: other pixels get the same object
    if (event.context) delete event.context.window;  // screen and scroll sizes: noise, and no page of its own
    var given = consent();
    var envelope = {v: 1, consent: given, shop: data.shop && data.shop.myshopifyDomain, library: LIBRARY};
    if (given.analyticsProcessingAllowed) {
      if (data.customer && data.customer.id) envelope.customerId = String(data.customer.id);
    } else {
      withoutIdentifiers(event);
    }
    envelope.event = event;
    send(envelope);
  }

  STANDARD_EVENTS.forEach(function (name) { analytics.subscribe(name, forward); });
  analytics.subscribe("all_custom_events", forward);
