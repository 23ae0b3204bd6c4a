  // tagway's transport: one POST per event to /v1/collect, a text/plain body (no CORS preflight), fetch with
  // keepalive (it outlives the page). A post that fails (offline, gateway unreachable) is kept, at most 50 events
  // and 200 KB, in the shop's storage, and sent again with backoff and when the browser is back online; each
  // carries the platform's event id, so the gateway stores an event once however often it arrives.
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
      return fetch(endpoint, {method: "POST", mode: "no-cors", credentials: "omit", keepalive: body.length < KEEPALIVE_BYTES,
                              headers: {"Content-Type": "text/plain"}, body: body}).then(function () {
        var index = pending.indexOf(item);
        if (index >= 0) pending.splice(index, 1);
        delay = 1000;
        if (item.failed) save();
      }, function () {
        item.busy = false;
        item.failed = true;
        save();
        schedule();
      });
    }
    function flush() {
      timer = null;
      pending.slice().forEach(function (item) { if (!item.busy) post(item); });
    }
    function schedule() {
      if (timer) return;
      timer = setTimeout(flush, delay);
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
