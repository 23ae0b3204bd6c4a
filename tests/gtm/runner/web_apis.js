'use strict';
// The web sandbox APIs, emulated over a page: its URL, referrer and title, the data layer's
// merged model, window globals, cookies, storage and consent state. In a test, unmocked async
// APIs never call back (as in GTM's test runner); in real mode sendPixel goes over HTTP.

const { sharedApis, pathLookup } = require('./shared_apis');

/** A fresh page for one test scenario or one real run. */
function webEnvironment(overrides) {
  return Object.assign({
    page: { url: 'https://www.example.com/', referrer: '', title: '', characterSet: 'UTF-8' },
    model: {},
    window: {},
    cookies: {},
    cookieOptions: {},
    localStorage: {},
    templateStorage: {},
    consent: {},
    debug: true,
    logs: [],
    requests: [],
    transport: null,
    clock: () => Date.now(),
  }, overrides || {});
}

function urlPart(href, component) {
  if (component === undefined) return href;
  let url;
  try {
    url = new URL(href);
  } catch (error) {
    return '';
  }
  switch (component) {
    case 'protocol': return url.protocol.replace(/:$/, '');
    case 'host': return url.hostname;
    case 'port': return url.port;
    case 'path': return url.pathname;
    case 'query': return url.search.replace(/^\?/, '');
    case 'extension': {
      const match = /\.([^./]+)$/.exec(url.pathname);
      return match ? match[1] : '';
    }
    case 'fragment': return url.hash.replace(/^#/, '');
    default: return undefined;
  }
}

function storageObject(store, check) {
  return {
    getItem: (key) => {
      check('read', key);
      return Object.prototype.hasOwnProperty.call(store, key) ? store[key] : null;
    },
    setItem: (key, value) => {
      check('write', key);
      store[key] = String(value);
    },
    removeItem: (key) => {
      check('write', key);
      delete store[key];
    },
    clear: () => {
      check('write', undefined);
      for (const key of Object.keys(store)) delete store[key];
    },
  };
}

function webApis(env, harness) {
  const apis = sharedApis(env, harness);
  return Object.assign(apis, {
    copyFromDataLayer: (key) => pathLookup(env.model, key),
    copyFromWindow: (key) => pathLookup(env.window, key),
    setInWindow: (key, value, override) => {
      if (env.window[key] !== undefined && !override) return false;
      env.window[key] = value;
      return true;
    },
    getUrl: (component) => urlPart(env.page.url, component),
    getReferrerUrl: (component) => urlPart(env.page.referrer, component),
    getQueryParameters: (key) => new URL(env.page.url).searchParams.get(key) || undefined,
    getReferrerQueryParameters: (key) =>
      (env.page.referrer ? new URL(env.page.referrer).searchParams.get(key) || undefined : undefined),
    readTitle: () => env.page.title,
    readCharacterSet: () => env.page.characterSet,
    getContainerVersion: () => ({ containerId: 'GTM-TEST', debugMode: env.debug, previewMode: env.debug }),
    getCookieValues: (name, decode) => (env.cookies[name] || []).map((value) =>
      (decode === false ? value : decodeURIComponent(value))),
    setCookie: (name, value, options, encode) => {
      env.cookies[name] = [encode === false ? String(value) : encodeURIComponent(String(value))];
      env.cookieOptions[name] = JSON.parse(JSON.stringify(options || {}));
    },
    // A consent type with no state is considered granted (G-api, addConsentListener).
    isConsentGranted: (type) => env.consent[type] !== 'denied',
    addConsentListener: () => undefined,
    localStorage: storageObject(env.localStorage, (mode, key) => harness.enforce('localStorage', mode, key)),
    templateStorage: storageObject(env.templateStorage, () => undefined),
    sendPixel: (url, onSuccess, onFailure) => {
      if (!env.transport) return; // a test: nothing is sent and no callback runs unless sendPixel is mocked
      env.transport.pixel(url).then((answer) => {
        env.requests.push(answer);
        harness.callback(answer.ok ? onSuccess : onFailure);
      });
    },
  });
}

module.exports = { webApis, webEnvironment, urlPart };
