// tagway.js: the command function behind window.tagway, with its queue, ids and page views.
// Every storage call is guarded: a full or blocked storage must never break the host page.

// The persisted queue keeps each event under a key of its own, tw_q:<time><sequence><id>, which sorts oldest first.
// The tab that made an event writes its key once; any tab removes it once the gateway has answered. No tab rewrites
// a list that another tab may have changed an instant before, so two tabs of the site never overwrite each other's
// events (localStorage has no transactions, and browsers pass one tab's writes to the others asynchronously).
const QUEUE_KEY = "tw_q"; // the one list of earlier builds, moved into keys of their own at boot
const PREFIX = QUEUE_KEY + ":";
const ID_KEY = "tw_aid";
const MAX_ITEMS = 100; // persisted queue: at most this many events...
const MAX_BYTES = 64000; // ...this many characters of JSON...
const MAX_AGE = 7 * 864e5; // ...and none older than a week
const BATCH_ITEMS = 20;
const BATCH_BYTES = 60000; // under the 64 KB that all keepalive requests of a page share
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,29}$/;

/** The tagway command function for a window: tagway("boot" | "track" | ..., ...). */
export function createTagway(win) {
  const doc = win.document;
  const nav = win.navigator;
  let cfg; // the boot options, once booted
  let early = []; // calls made before boot
  let held = []; // events made while consent is pending (memory only)
  let consent = "granted";
  let mem = []; // the queue, [key, event] pairs, when localStorage cannot be used
  let broken = false;
  let seq = 0; // orders this tab's events made in the same millisecond
  let member = {};
  let pageUrl; // set by setPage
  let lastPath;
  let anonymousId;
  let timer;
  let navTimer;
  let busy = false;
  let failures = 0;

  const bytes = (text) => new Blob([text]).size; // UTF-8 bytes: the keepalive budget counts bytes, not characters
  const warn = (text) => win.console && console.warn("tagway: " + text);
  const store = () => { try { return win.localStorage; } catch (e) { return null; } };

  // Every tab's queued events, oldest first, as [key, event, characters].
  function entries() {
    if (!broken) {
      try {
        const s = store();
        const found = [];
        for (let i = 0; i < s.length; i++) {
          const key = s.key(i);
          const text = key && key.indexOf(PREFIX) == 0 && s.getItem(key); // null: removed by another tab meanwhile
          if (text) found.push([key, JSON.parse(text), text.length]);
        }
        return found.sort((a, b) => (a[0] < b[0] ? -1 : 1));
      } catch (e) { broken = true; }
    }
    return mem;
  }

  const read = () => entries().map((entry) => entry[1]);

  function drop(key) {
    mem = mem.filter((entry) => entry[0] != key);
    try { store().removeItem(key); } catch (e) { /* blocked: nothing to remove */ }
  }

  // Queues an event; the oldest go first past the caps. Returns how many are queued.
  function add(item) {
    const text = JSON.stringify(item);
    const entry = [PREFIX + item.occurredAt + (1e6 + seq++ % 1e6) + item.id, item, text.length];
    if (!broken) {
      try { store().setItem(entry[0], text); } catch (e) { mem = entries(); broken = true; } // full or blocked: memory
    }
    if (broken) mem.push(entry);
    const queue = entries();
    let size = 2;
    queue.forEach((entry) => { size += entry[2] + 1; });
    return queue.filter((entry, i) => {
      if (Date.now() - entry[1].occurredAt < MAX_AGE && queue.length - i <= MAX_ITEMS && size <= MAX_BYTES) return 1;
      size -= entry[2] + 1;
      drop(entry[0]);
    }).length;
  }

  function uuid() {
    const c = win.crypto;
    if (c.randomUUID) return c.randomUUID(); // secure contexts only
    const b = c.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    const h = Array.from(b, (x) => (x + 256).toString(16).slice(1)).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function cookie() {
    try { const found = doc.cookie.match(/(?:^|; )tw_aid=([\w-]+)/); return found && found[1]; } catch (e) { return null; }
  }

  // The anonymous id lives in a first-party cookie and in localStorage, kept in sync: Safari may wipe one.
  function keepId(id) {
    anonymousId = id;
    if (consent != "granted") return; // nothing is written to the browser before consent
    try {
      doc.cookie = ID_KEY + "=" + id + "; path=/; max-age=31536000; SameSite=Lax" +
        (cfg.cookieDomain ? "; domain=" + cfg.cookieDomain : "") + (win.location.protocol == "https:" ? "; Secure" : "");
    } catch (e) { /* cookies blocked */ }
    try { store().setItem(ID_KEY, id); } catch (e) { /* storage blocked */ }
  }

  function loadId() {
    let stored;
    try { stored = store().getItem(ID_KEY); } catch (e) { /* blocked */ }
    keepId(cookie() || stored || uuid());
  }

  function page() {
    const loc = win.location;
    return { url: pageUrl || loc.href, title: doc.title, referrer: doc.referrer };
  }

  function emit(type, name, properties, extra) {
    if (consent == "denied") return;
    const item = Object.assign({
      id: uuid(), type, name, properties, occurredAt: Date.now(), anonymousId,
      memberId: member.id, memberHash: member.hash, page: page(), locale: nav.language,
      webdriver: nav.webdriver || undefined,
    }, extra);
    if (consent == "pending") return held.push(item);
    schedule(add(item) >= BATCH_ITEMS ? 0 : cfg.flushInterval);
  }

  // A send already due stays due: events arriving every half second must not postpone it for ever.
  function schedule(delay) {
    if (timer && delay) return;
    clearTimeout(timer);
    timer = setTimeout(() => { timer = 0; send(); }, delay);
  }

  function batchOf(queue) {
    const batch = [];
    let size = 100;
    for (const item of queue) {
      size += bytes(JSON.stringify(item)) + 1;
      if (batch.length && (size > BATCH_BYTES || batch.length >= BATCH_ITEMS)) break;
      batch.push(item);
    }
    return batch;
  }

  function acknowledge(batch) {
    const sent = {};
    batch.forEach((item) => { sent[item.id] = 1; });
    entries().forEach((entry) => { if (sent[entry[1].id]) drop(entry[0]); });
  }

  // Sends the oldest events; `leaving`: the page is being hidden or unloaded, so keepalive or sendBeacon.
  function send(leaving) {
    const queue = read();
    if (!cfg || consent != "granted" || !queue.length || (busy && !leaving)) return;
    const batch = batchOf(queue);
    const body = JSON.stringify({ v: 1, sentAt: Date.now(), library: { name: "tagway.js", version: __VERSION__ }, batch });
    const url = cfg.endpoint + "/v1/collect?k=" + encodeURIComponent(cfg.writeKey);
    const options = {
      method: "POST", body, keepalive: bytes(body) < BATCH_BYTES, headers: { "Content-Type": "text/plain" },
      credentials: cfg.cookieDomain ? "include" : "same-origin",
    };
    // Handed to the browser on the way out: the events stay queued until an answer, the gateway stores a repeat once.
    const beacon = () => leaving && nav.sendBeacon && nav.sendBeacon(url, new Blob([body], { type: "text/plain" }));
    let request;
    try { request = win.fetch(url, options); } catch (e) { /* no fetch */ }
    if (!request) return beacon();
    busy = true;
    request.then((answer) => {
      busy = false;
      const status = answer.status;
      // Network errors, 408, 429 and 5xx are retried; another 4xx would be refused again (it is kept there).
      if (status < 400 || (status < 500 && status != 408 && status != 429)) {
        failures = 0;
        acknowledge(batch);
        if (read().length) schedule(0);
      } else retry(answer.headers.get("Retry-After"));
    }, () => { busy = false; beacon(); retry(); }); // offline, refused by CORS, or the keepalive budget spent
  }

  function retry(after) {
    failures++;
    clearTimeout(timer);
    timer = 0;
    const seconds = after ? +after : NaN; // Retry-After in seconds (an HTTP date is left to the backoff)
    schedule(seconds >= 0 ? seconds * 1000 : Math.min(6e4, 500 * 2 ** failures) * (0.5 + Math.random() / 2));
  }

  function leave() { if (doc.visibilityState == "hidden") send(true); }

  // Single-page apps: a page view per navigation that changes the path, once the title has been updated.
  function navigated() {
    clearTimeout(navTimer);
    navTimer = setTimeout(() => { if (win.location.pathname != lastPath) view(); }, 300);
  }

  function view(properties) {
    lastPath = win.location.pathname;
    emit("page", undefined, properties);
  }

  function whenShown(then) {
    if (doc.prerendering || doc.visibilityState == "prerender") {
      doc.addEventListener("prerenderingchange", then, { once: true });
    } else then();
  }

  function boot(options) {
    if (cfg) return warn("already booted");
    if (!options || !options.writeKey) return warn("boot needs {writeKey}");
    cfg = Object.assign({ flushInterval: 1000, trackPageView: true }, options);
    cfg.endpoint = (cfg.endpoint || "").replace(/\/$/, "");
    setConsent(cfg.consent || "granted");
    loadId();
    if (cfg.memberId) identify(cfg.memberId, { memberHash: cfg.memberHash, traits: cfg.profile }, !cfg.profile);
    const history = win.history;
    const push = history.pushState;
    history.pushState = function () {
      const result = push.apply(this, arguments);
      navigated();
      return result;
    };
    win.addEventListener("popstate", navigated);
    win.addEventListener("pageshow", (e) => { if (e.persisted && cfg.trackPageView) view(); }); // back/forward cache
    win.addEventListener("online", () => { failures = 0; send(); });
    win.addEventListener("pagehide", () => send(true));
    doc.addEventListener("visibilitychange", leave);
    if (cfg.trackPageView) whenShown(() => view());
    else lastPath = win.location.pathname;
    try { // an earlier build's one list: its events get keys of their own (two tabs at once: sent twice, stored once)
      const old = consent == "granted" && store().getItem(QUEUE_KEY);
      if (old) {
        JSON.parse(old).forEach(add);
        store().removeItem(QUEUE_KEY);
      }
    } catch (e) { /* blocked, or not a list */ }
    if (read().length) schedule(0); // what an earlier page left unsent
    early.forEach((args) => command.apply(null, args));
    early = [];
  }

  function identify(id, options, quiet) {
    options = options || {};
    member = { id: String(id), hash: options.memberHash };
    if (!quiet) emit("identify", undefined, undefined, { traits: options.traits });
  }

  function setConsent(value) {
    if (!/^(granted|denied|pending)$/.test(value)) return warn("consent is granted, denied or pending");
    consent = value;
    if (value == "granted") {
      if (anonymousId) keepId(anonymousId);
      held.forEach(add);
      held = [];
      schedule(0);
    } else if (value == "denied") held = [];
  }

  const commands = {
    boot,
    track(name, properties) {
      if (!NAME.test(name)) return warn("event name " + JSON.stringify(name) + " not sent: 1 to 30 letters, digits or _, a letter first");
      emit("track", name, properties);
    },
    page: view,
    identify,
    setPage(url) { pageUrl = url; },
    resetPage() { pageUrl = undefined; },
    reset() { member = {}; keepId(uuid()); },
    consent(value) { setConsent(value && value.analytics); },
  };

  function command(name) {
    const args = [].slice.call(arguments, 1);
    if (!commands[name]) return warn("unknown command " + name);
    if (!cfg && name != "boot") return early.push(arguments);
    commands[name].apply(null, args);
  }
  return command;
}
