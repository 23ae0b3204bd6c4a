  // tagway's transport: one POST per event to /v1/collect, a text/plain body without credentials (a simple
  // request: no CORS preflight), fetch with keepalive (it outlives the page). The gateway answers pixel sources
  // with Access-Control-Allow-Origin: * (readable from a sandbox's null origin too), so the status is read: a
  // post that fails (offline, gateway unreachable) or is answered 408, 429 or 5xx (storage unavailable, a
  // pending source) is kept, at most 50 events and 200 KB, in the shop's storage, and sent again with backoff
  // (not before Retry-After) and when the browser is back online; another 4xx is final (the gateway keeps the
  // refused input to replay). Each carries the platform's event id, so the gateway stores an event once.
  function tagwayTransport(endpoint, storage) {
    var KEY = "tagway_pixel_pending", MAX_COUNT = 50, MAX_BYTES = 200000, KEEPALIVE_BYTES = 60000;
    var pending = [], timer = null, delay = 1000;
    function noop() {}
    function bytes() {
      return pending.reduce(function (sum, item) { return sum + item.size; }, 0);
    }
    function save() {
      if (!storage) return;
      var failed = pending.filter(function (item) { return item.failed; }).map(function (item) { return item.envelope; });
      try { Promise.resolve(storage.setItem(KEY, JSON.stringify(failed))).catch(noop); } catch (e) { /* storage full or blocked */ }
    }
    function add(envelope, failed) {
      var item = {envelope: envelope, size: JSON.stringify(envelope).length, failed: failed, busy: false};
      pending.push(item);
      while (pending.length > MAX_COUNT || bytes() > MAX_BYTES) pending.shift();  // the oldest go first
      return item;
    }
    function post(item) {
      item.busy = true;
      item.envelope.sentAt = Date.now();  // each attempt says when it left, for the gateway's clock-skew correction
      var body = JSON.stringify(item.envelope);
      return fetch(endpoint, {method: "POST", mode: "cors", credentials: "omit", keepalive: body.length < KEEPALIVE_BYTES,
                              headers: {"Content-Type": "text/plain"}, body: body}).then(function (answer) {
        var status = answer.status;
        if (status === 408 || status === 429 || status >= 500) return retry(item, answer.headers.get("Retry-After"));
        var index = pending.indexOf(item);  // stored, or refused for good (a 4xx: sending it again cannot help)
        if (index >= 0) pending.splice(index, 1);
        delay = 1000;
        if (item.failed) save();
      }, function () { retry(item, null); });
    }
    function retry(item, retryAfter) {
      item.busy = false;
      item.failed = true;
      save();
      schedule(waitOf(retryAfter));
    }
    function waitOf(retryAfter) {  // Retry-After in ms (seconds or an HTTP date), at most 10 minutes; 0 without it
      if (!retryAfter) return 0;
      var ms = /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : Date.parse(retryAfter) - Date.now();
      return ms > 0 ? Math.min(ms, 600000) : 0;
    }
    function flush() {
      timer = null;
      pending.slice().forEach(function (item) { if (!item.busy) post(item); });
    }
    function schedule(atLeast) {
      if (timer) return;
      timer = setTimeout(flush, Math.max(delay, atLeast || 0));
      delay = Math.min(delay * 2, 60000);
    }
    if (typeof addEventListener === "function") addEventListener("online", function () { delay = 1000; flush(); });
    if (storage) {
      Promise.resolve(storage.getItem(KEY)).then(function (text) {
        var kept = JSON.parse(text || "[]");
        if (Array.isArray(kept) && kept.length) {
          kept.forEach(function (envelope) { add(envelope, true); });
          flush();
        }
      }).catch(noop);
    }
    return function send(envelope) { post(add(envelope, false)); };
  }
  // A random id: the browser's UUID, or one of our own where crypto.randomUUID is missing (older browsers, http).
  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    return "t-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }
  // A first-party browser id kept under `key` in the page's own (synchronous) localStorage; a new one each time
  // when there is none to keep it in.
  function storedId(storage, key) {
    var known = storage && storage.getItem(key);
    if (!known) {
      known = newId();
      if (storage) try { storage.setItem(key, known); } catch (e) { /* full */ }
    }
    return known;
  }
