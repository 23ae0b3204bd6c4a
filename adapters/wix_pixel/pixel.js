  // Wix custom code: every event Wix reports to `wixDevelopersAnalytics` listeners is forwarded as Wix gave it
  // (its name and parameters), with the page (Wix's PageView has no URL), the visitor's consent from Wix's
  // consent policy, and a browser id; the gateway does the mapping.
  var VISITOR_KEY = "tagway_wix_visitor";
  var storage = null;
  try { storage = window.localStorage; } catch (e) { /* storage blocked: no retry queue, no stored visitor id */ }
  var send = tagwayTransport(ENDPOINT, storage);
  var policy = null;

  function currentPolicy() {
    var manager = window.consentPolicyManager;
    if (manager && typeof manager.getCurrentConsentPolicy === "function") {
      var current = manager.getCurrentConsentPolicy();
      if (current && current.policy) return current.policy;
    }
    return policy;
  }
  document.addEventListener("consentPolicyChanged", function (event) {
    if (event && event.detail && event.detail.policy) policy = event.detail.policy;
  });

  function forward(name, params) {
    var given = currentPolicy() || {};
    var consent = {analytics: given.analytics === true, advertising: given.advertising === true,
                   functional: given.functional === true, dataToThirdParty: given.dataToThirdParty === true};
    var copy = JSON.parse(JSON.stringify(params || {}));
    var id = copy._internalEventId || newId();
    var envelope = {v: 1, consent: consent, shop: location.hostname, library: LIBRARY,
                    page: {url: location.href, title: document.title, referrer: document.referrer}};
    if (consent.analytics) {
      if (copy.visitorId && storage) try { storage.setItem(VISITOR_KEY, String(copy.visitorId)); } catch (e) { /* full */ }
      // Wix's visitorId when an event carried one (Stores events do), else the one kept from an earlier event.
      envelope.anonymousId = copy.visitorId ? String(copy.visitorId) : storedId(storage, VISITOR_KEY);
    } else {
      delete copy.visitorId;
      delete copy.userId;
    }
    envelope.event = {id: id, name: String(name), params: copy, at: Date.now()};  // Wix gives no time
    send(envelope);
  }

  var listener = "tagway-" + newId();  // a listener id of our own: the callback receives every event
  function register() { window.wixDevelopersAnalytics.register(listener, forward); }
  if (window.wixDevelopersAnalytics) register();
  else window.addEventListener("wixDevelopersAnalyticsReady", register);
