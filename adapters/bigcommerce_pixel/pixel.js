  // BigCommerce Stencil storefront with BODL switched on: each of the 11 BODL events is forwarded as BODL gives
  // it, under its event name (BODL's payloads do not carry it), with the page and a first-party browser id
  // (BODL has no visitor id of its own); the gateway does the mapping. BODL has no page view: the snippet
  // sends one per page load.
  var SUBSCRIPTIONS = [
    ["product", "searchPerformed", "bodl_v1_keyword_search"], ["banner", "viewed", "bodl_v1_view_banner"],
    ["product", "categoryViewed", "bodl_v1_product_category_viewed"],
    ["product", "pageViewed", "bodl_v1_product_page_viewed"], ["cart", "addItem", "bodl_v1_cart_product_added"],
    ["cart", "viewed", "bodl_v1_cart_viewed"], ["cart", "removeItem", "bodl_v1_cart_product_removed"],
    ["checkout", "checkoutBegin", "bodl_v1_begin_checkout"],
    ["checkout", "shippingDetailsProvided", "bodl_v1_shipping_information_added"],
    ["checkout", "paymentDetailsProvided", "bodl_v1_payment_information_added"],
    ["checkout", "orderPurchased", "bodl_v1_order_purchased"]];
  var VISITOR_KEY = "tagway_bc_visitor";
  var storage = null;
  try { storage = window.localStorage; } catch (e) { /* storage blocked: no retry queue, no stored browser id */ }
  var send = tagwayTransport(ENDPOINT, storage);

  function forward(name, payload) {
    var data = JSON.parse(JSON.stringify(payload || {}));
    // With the store's cookie consent on, BigCommerce runs this script only for shoppers who allow its
    // consent category (Analytics): that it runs is the shopper's analytics consent.
    send({v: 1, consent: {analytics: true}, shop: location.hostname, library: LIBRARY, anonymousId: storedId(storage, VISITOR_KEY),
          page: {url: location.href, title: document.title, referrer: document.referrer},
          event: {id: data.event_id || newId(), name: name, data: data, at: Date.now()}});
  }

  function subscribe() {
    forward("page_view", {});
    var bodl = window.bodlEvents;
    if (!bodl) return;  // BODL is off (Settings → Data solutions) or the theme is not Stencil
    SUBSCRIPTIONS.forEach(function (entry) {
      var group = bodl[entry[0]];
      if (group && typeof group[entry[1]] === "function") {
        group[entry[1]](function (payload) { forward(entry[2], payload); });
      }
    });
  }

  if (document.readyState === "complete") subscribe();
  else window.addEventListener("load", subscribe, false);
