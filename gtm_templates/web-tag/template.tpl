___TERMS_OF_SERVICE___

By creating or modifying this file you agree to Google Tag Manager's Community
Template Gallery Developer Terms of Service available at
https://developers.google.com/tag-manager/gallery-tos (or such other URL as
Google may provide), as modified from time to time.


___INFO___

{
  "type": "TAG",
  "id": "cvt_temp_public_id",
  "version": 1,
  "securityGroups": [],
  "displayName": "tagway",
  "categories": [
    "ANALYTICS",
    "CONVERSIONS"
  ],
  "brand": {
    "id": "github.com_tagway",
    "displayName": "tagway",
    "thumbnail": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADAAAAAwCAIAAADYYG7QAAAATElEQVR42u3YsQ0AIAgEQDZwU0vXxwmMhRTE3OcHuOpJiLFmqwYQEBDQvXkIEBDQJ6B8DhAQkB0CAgICAgJqCio5+EBAQD5oQEBAxd2pMq8K/oCRuQAAAABJRU5ErkJggg=="
  },
  "description": "Sends each dataLayer event (with its own e-commerce data, the page and an anonymous visitor id) to your self-hosted tagway event gateway.",
  "containerContexts": [
    "WEB"
  ]
}


___TEMPLATE_PARAMETERS___

[
  {
    "type": "LABEL",
    "name": "introduction",
    "displayName": "Sends the event this tag fires on to your tagway gateway. Fill in the gateway URL and the write key; everything else is optional."
  },
  {
    "type": "TEXT",
    "name": "gatewayUrl",
    "displayName": "Gateway URL",
    "simpleValueType": true,
    "alwaysInSummary": true,
    "valueHint": "https://events.example.com",
    "help": "The address of your tagway gateway, as you would open it in a browser, e.g. <code>https://events.example.com</code>. The tag sends to <code>/v1/collect</code> on it.",
    "valueValidators": [
      {
        "type": "NON_EMPTY"
      },
      {
        "type": "REGEX",
        "args": [
          "^(https?://[^\\s/?#]+(/[^\\s?#]*)?|\\{\\{[^}]+\\}\\})$"
        ],
        "errorMessage": "Enter the gateway's address starting with https:// (or http://), e.g. https://events.example.com."
      }
    ]
  },
  {
    "type": "TEXT",
    "name": "writeKey",
    "displayName": "Write key",
    "simpleValueType": true,
    "alwaysInSummary": true,
    "valueHint": "wk_...",
    "help": "The write key of the gateway's GTM source (in <code>tagway.toml</code>; <code>tagway sources list</code> shows its first characters). It is visible in the page's requests: it only lets events in.",
    "valueValidators": [
      {
        "type": "NON_EMPTY"
      },
      {
        "type": "REGEX",
        "args": [
          "^(\\S+|\\{\\{[^}]+\\}\\})$"
        ],
        "errorMessage": "The write key has no spaces: copy it again from tagway.toml."
      }
    ]
  },
  {
    "type": "GROUP",
    "name": "eventGroup",
    "displayName": "Event",
    "groupStyle": "ZIPPY_CLOSED",
    "subParams": [
      {
        "type": "TEXT",
        "name": "fixedName",
        "displayName": "Fixed event name (optional)",
        "simpleValueType": true,
        "valueHint": "e.g. NewsletterSignUp",
        "help": "Leave empty to let the gateway name the event from the dataLayer (purchase becomes Purchase, add_to_cart becomes AddToCart, ...). Fill it in to record every event of this tag under this name instead: a letter first, then letters, digits or underscores, at most 30 characters.",
        "valueValidators": [
          {
            "type": "REGEX",
            "args": [
              "^([A-Za-z][A-Za-z0-9_]{0,29}|\\{\\{[^}]+\\}\\})?$"
            ],
            "errorMessage": "A letter first, then letters, digits or underscores, at most 30 characters (e.g. NewsletterSignUp)."
          }
        ]
      },
      {
        "type": "SIMPLE_TABLE",
        "name": "properties",
        "displayName": "Extra properties (optional)",
        "newRowButtonText": "Add property",
        "help": "Name/value pairs sent with every event of this tag, e.g. <code>plan</code> = <code>{{Plan}}</code>. They are stored as the event's properties beside those of the dataLayer push.",
        "simpleTableColumns": [
          {
            "defaultValue": "",
            "displayName": "Name",
            "name": "name",
            "type": "TEXT",
            "isUnique": true,
            "valueValidators": [
              {
                "type": "NON_EMPTY"
              }
            ]
          },
          {
            "defaultValue": "",
            "displayName": "Value",
            "name": "value",
            "type": "TEXT"
          }
        ],
        "valueValidators": [
          {
            "type": "TABLE_ROW_COUNT",
            "args": [
              0,
              50
            ],
            "errorMessage": "At most 50 extra properties."
          }
        ]
      }
    ]
  },
  {
    "type": "GROUP",
    "name": "visitorGroup",
    "displayName": "Visitor",
    "groupStyle": "ZIPPY_CLOSED",
    "subParams": [
      {
        "type": "TEXT",
        "name": "memberId",
        "displayName": "Member id (optional)",
        "simpleValueType": true,
        "valueHint": "{{Customer ID}}",
        "help": "A variable holding the logged-in customer's id in your shop, if your site puts it in the dataLayer or the page. Leave empty: visitors are then known by the anonymous id the tag keeps in the first-party cookie <code>_tagway_aid</code> (two years).",
        "valueValidators": [
          {
            "type": "STRING_LENGTH",
            "args": [
              0,
              256
            ],
            "errorMessage": "At most 256 characters."
          }
        ]
      }
    ]
  },
  {
    "type": "GROUP",
    "name": "pageGroup",
    "displayName": "Page",
    "groupStyle": "ZIPPY_CLOSED",
    "subParams": [
      {
        "type": "TEXT",
        "name": "pageUrl",
        "displayName": "Page URL (optional)",
        "simpleValueType": true,
        "valueHint": "{{Page URL}}",
        "help": "Leave empty to send the address of the page the visitor is on. Fill it in (e.g. with a variable) to send another URL, for instance a virtual page of a single-page app.",
        "valueValidators": [
          {
            "type": "REGEX",
            "args": [
              "^(https?://\\S+|\\{\\{[^}]+\\}\\})?$"
            ],
            "errorMessage": "A full address starting with https:// (or http://), or a variable."
          }
        ]
      },
      {
        "type": "TEXT",
        "name": "pageTitle",
        "displayName": "Page title (optional)",
        "simpleValueType": true,
        "help": "Leave empty to send the page's title as the browser shows it.",
        "valueValidators": [
          {
            "type": "STRING_LENGTH",
            "args": [
              0,
              1000
            ],
            "errorMessage": "At most 1,000 characters."
          }
        ]
      }
    ]
  },
  {
    "type": "GROUP",
    "name": "advancedGroup",
    "displayName": "Consent and dataLayer",
    "groupStyle": "ZIPPY_CLOSED",
    "subParams": [
      {
        "type": "SELECT",
        "name": "consentType",
        "displayName": "Send only when this consent is granted",
        "macrosInSelect": false,
        "simpleValueType": true,
        "defaultValue": "analytics_storage",
        "selectItems": [
          {
            "value": "analytics_storage",
            "displayValue": "Analytics storage (analytics_storage)"
          },
          {
            "value": "ad_storage",
            "displayValue": "Ad storage (ad_storage)"
          },
          {
            "value": "none",
            "displayValue": "Always send (no consent check)"
          }
        ],
        "help": "With Google's consent mode, the tag sends nothing (and sets no cookie) while the visitor has denied this consent; the tag still reports success, so it does not show as failed. A consent type that your site never sets counts as granted."
      },
      {
        "type": "TEXT",
        "name": "dataLayerName",
        "displayName": "dataLayer name",
        "simpleValueType": true,
        "defaultValue": "dataLayer",
        "help": "Change it only if your container snippet uses another name than <code>dataLayer</code>. Then also allow reading that global under this template's Permissions (Accesses global variables), or the tag falls back to GTM's merged data model.",
        "valueValidators": [
          {
            "type": "NON_EMPTY"
          },
          {
            "type": "REGEX",
            "args": [
              "^[A-Za-z_$][A-Za-z0-9_$]*$"
            ],
            "errorMessage": "A JavaScript variable name, e.g. dataLayer."
          }
        ]
      }
    ]
  }
]


___SANDBOXED_JS_FOR_WEB_TEMPLATE___

// tagway web tag: sends the current dataLayer event to a tagway gateway with sendPixel, in the
// collect protocol v1: GET <gateway>/v1/collect?k=<write key>&v=1&d=<base64url of the UTF-8 JSON payload>,
// or, for a payload whose URL would be too long, in chunks &i=<payload id>&c=<index>&n=<count>.
const copyFromDataLayer = require('copyFromDataLayer');
const copyFromWindow = require('copyFromWindow');
const encodeUriComponent = require('encodeUriComponent');
const generateRandom = require('generateRandom');
const getCookieValues = require('getCookieValues');
const getReferrerUrl = require('getReferrerUrl');
const getTimestampMillis = require('getTimestampMillis');
const getType = require('getType');
const getUrl = require('getUrl');
const isConsentGranted = require('isConsentGranted');
const JSON = require('JSON');
const logToConsole = require('logToConsole');
const makeString = require('makeString');
const makeTableMap = require('makeTableMap');
const Math = require('Math');
const queryPermission = require('queryPermission');
const readTitle = require('readTitle');
const sendPixel = require('sendPixel');
const setCookie = require('setCookie');
const templateStorage = require('templateStorage');

const LIBRARY = {name: 'tagway-gtm-web', version: '1.0.0'};
// Every pixel URL is at most this long: the length all browsers, proxies and servers accept.
const MAX_URL_LENGTH = 2000;
// The gateway keeps at most this many chunks of one payload (about 120 KB of base64).
const MAX_CHUNKS = 64;
const COOKIE_NAME = '_tagway_aid';
const COOKIE_MAX_AGE = 63072000; // two years, in seconds
// GA4 e-commerce events: the only ones that may take e-commerce data from GTM's merged model.
const ECOMMERCE_EVENTS = ['view_item', 'view_item_list', 'select_item', 'add_to_cart', 'remove_from_cart',
  'view_cart', 'begin_checkout', 'add_shipping_info', 'add_payment_info', 'purchase', 'refund',
  'add_to_wishlist', 'view_promotion', 'select_promotion'];
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const HEX = '0123456789ABCDEF';
// Printable ASCII, space (32) to tilde (126): a character's code is its index here plus 32.
const PRINTABLE = ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~';

// The logging permission allows the debug environment only: this prints in Preview mode, never on the live site.
const log = (message, value) => {
  if (value === undefined) {
    logToConsole('[tagway] ' + message);
  } else {
    logToConsole('[tagway] ' + message, value);
  }
};

const isString = (value) => getType(value) === 'string';
const isObject = (value) => getType(value) === 'object';
const filled = (value) => (isString(value) && value.trim() !== '') || getType(value) === 'number';
const endsWith = (text, end) => text.length >= end.length && text.substring(text.length - end.length) === end;

// The gateway's base URL without a trailing slash (and without /v1/collect if it was pasted too).
const gatewayBase = (value) => {
  let base = makeString(value || '').trim();
  while (endsWith(base, '/')) {
    base = base.substring(0, base.length - 1);
  }
  if (endsWith(base, '/v1/collect')) {
    base = base.substring(0, base.length - '/v1/collect'.length);
  }
  const start = base.indexOf('https://') === 0 ? 8 : (base.indexOf('http://') === 0 ? 7 : -1);
  if (start < 0 || base.length === start || base.indexOf(' ') >= 0 || base.indexOf('?') >= 0 ||
      base.indexOf('#') >= 0) {
    return undefined;
  }
  return base;
};

// The UTF-8 bytes of a text. The sandbox has no charCodeAt: encodeUriComponent gives every byte
// that is not a plain ASCII character as %XX, and the others are looked up in PRINTABLE.
const utf8Bytes = (text) => {
  const escaped = encodeUriComponent(text);
  if (!isString(escaped)) {
    return undefined;
  }
  const bytes = [];
  let i = 0;
  while (i < escaped.length) {
    const character = escaped.charAt(i);
    if (character === '%') {
      bytes.push(HEX.indexOf(escaped.charAt(i + 1)) * 16 + HEX.indexOf(escaped.charAt(i + 2)));
      i += 3;
    } else {
      bytes.push(PRINTABLE.indexOf(character) + 32);
      i += 1;
    }
  }
  return bytes;
};

// URL-safe base64 without padding (the gateway accepts it): nothing in it needs escaping in a URL.
const base64Url = (bytes) => {
  const out = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const left = bytes.length - i;
    const n = bytes[i] * 65536 + (left > 1 ? bytes[i + 1] * 256 : 0) + (left > 2 ? bytes[i + 2] : 0);
    out.push(BASE64URL.charAt(Math.floor(n / 262144) % 64));
    out.push(BASE64URL.charAt(Math.floor(n / 4096) % 64));
    if (left > 1) {
      out.push(BASE64URL.charAt(Math.floor(n / 64) % 64));
    }
    if (left > 2) {
      out.push(BASE64URL.charAt(n % 64));
    }
  }
  return out.join('');
};

// The visitor's anonymous id, kept in a first-party cookie; written again on every event, so it
// lasts two years after the last visit (browsers may shorten that, e.g. Safari's ITP).
const anonymousId = () => {
  const stored = getCookieValues(COOKIE_NAME);
  let id = getType(stored) === 'array' && stored.length ? stored[0] : '';
  if (!isString(id) || id.length < 8 || id.length > 64) {
    id = makeString(generateRandom(100000000, 999999999)) + makeString(generateRandom(100000000, 999999999)) +
      '.' + makeString(Math.floor(getTimestampMillis() / 1000));
  }
  setCookie(COOKIE_NAME, id, {domain: 'auto', path: '/', 'max-age': COOKIE_MAX_AGE, samesite: 'Lax'}, false);
  return id;
};

// The event's id: the page load (time and random, made once per page and kept in template
// storage), GTM's number for the event, and the fixed name. The same event sent again (a second
// firing, a retry) has the same id, and the gateway stores it once.
const eventIdOf = (uniqueEventId) => {
  let pageLoad = templateStorage.getItem('pageLoadId');
  if (!isString(pageLoad) || pageLoad === '') {
    pageLoad = makeString(getTimestampMillis()) + '-' + makeString(generateRandom(100000000, 999999999));
    templateStorage.setItem('pageLoadId', pageLoad);
  }
  const event = getType(uniqueEventId) === 'number' ? makeString(uniqueEventId) :
    'r' + makeString(generateRandom(100000000, 999999999));
  return pageLoad + '-' + event + (filled(data.fixedName) ? '-' + makeString(data.fixedName).trim() : '');
};

// The current event's own push, found in the dataLayer array: GTM merges all pushes into one
// model (so e-commerce data of an earlier push would ride along), but it marks each pushed object
// with its gtm.uniqueEventId. gtag() commands are Arguments objects that GTM does not mark (they
// read as arrays): the current one is the first `event` command of this name after the last
// marked earlier push, preferably at the position the event numbers point to.
const findPush = (uniqueEventId, eventName) => {
  const name = filled(data.dataLayerName) ? makeString(data.dataLayerName).trim() : 'dataLayer';
  if (getType(uniqueEventId) !== 'number') {
    return undefined;
  }
  if (!queryPermission('access_globals', 'read', name)) {
    log('no permission to read window.' + name + ': the event is taken from GTM\'s data model');
    return undefined;
  }
  const entries = copyFromWindow(name);
  if (getType(entries) !== 'array') {
    return undefined;
  }
  let earlier = -1;
  let earlierId = 0;
  for (let i = entries.length - 1; i >= 0; i--) {
    const id = isObject(entries[i]) ? entries[i]['gtm.uniqueEventId'] : undefined;
    if (id === uniqueEventId) {
      return {push: entries[i]};
    }
    if (getType(id) === 'number' && id < uniqueEventId) {
      earlier = i;
      earlierId = id;
      break;
    }
  }
  if (!isString(eventName)) {
    return undefined;
  }
  const isCommand = (entry) => getType(entry) === 'array' && entry[0] === 'event' && entry[1] === eventName;
  const expected = entries[earlier + uniqueEventId - earlierId];
  if (isCommand(expected)) {
    return {gtag: expected};
  }
  for (let j = earlier + 1; j < entries.length; j++) {
    if (isCommand(entries[j])) {
      return {gtag: entries[j]};
    }
  }
  return undefined;
};

// When the push cannot be found: the event name from the model, with the gtag parameters of a
// gtag event, and e-commerce data only for an e-commerce event (never stale data on a sign-up).
const fromModel = (eventName) => {
  const eventModel = copyFromDataLayer('eventModel');
  if (isString(eventName) && isObject(eventModel)) {
    return {gtag: ['event', eventName, eventModel]};
  }
  const push = {};
  if (isString(eventName)) {
    push.event = eventName;
  }
  const ecommerce = copyFromDataLayer('ecommerce');
  if (ECOMMERCE_EVENTS.indexOf(eventName) >= 0 && isObject(ecommerce)) {
    push.ecommerce = ecommerce;
  }
  return {push: push};
};

const consentState = (type) => (isConsentGranted(type) ? 'granted' : 'denied');

// Sends a payload too long for one URL as chunks of its base64 text, each pixel URL within the
// limit; the tag succeeds when every chunk has arrived and fails on the first chunk that did not.
const sendChunks = (query, id, encoded) => {
  const head = query + '&i=' + encodeUriComponent(id) + '&c=';
  const room = MAX_URL_LENGTH - (head + '00&n=00&d=').length;
  const count = room > 0 ? Math.floor((encoded.length + room - 1) / room) : MAX_CHUNKS + 1;
  if (count > MAX_CHUNKS) {
    log('the event is too large: ' + encoded.length + ' characters of base64 do not fit in ' + MAX_CHUNKS +
      ' pixels; nothing was sent');
    data.gtmOnFailure();
    return;
  }
  let remaining = count;
  let settled = false;
  const chunkSent = () => {
    remaining -= 1;
    if (remaining === 0 && !settled) {
      settled = true;
      data.gtmOnSuccess();
    }
  };
  const chunkFailed = () => {
    if (!settled) {
      settled = true;
      data.gtmOnFailure();
    }
  };
  for (let c = 0; c < count; c++) {
    sendPixel(head + makeString(c) + '&n=' + makeString(count) + '&d=' + encoded.substring(c * room, (c + 1) * room),
      chunkSent, chunkFailed);
  }
};

const main = () => {
  const base = gatewayBase(data.gatewayUrl);
  const writeKey = makeString(data.writeKey || '').trim();
  if (!base) {
    log('the gateway URL must start with https:// (or http://), e.g. https://events.example.com');
    data.gtmOnFailure();
    return;
  }
  if (writeKey === '' || writeKey === 'undefined') {
    log('the write key is empty');
    data.gtmOnFailure();
    return;
  }
  const consentType = isString(data.consentType) ? data.consentType : 'analytics_storage';
  if (consentType !== 'none' && !isConsentGranted(consentType)) {
    log('consent for ' + consentType + ' is not granted: nothing was sent');
    data.gtmOnSuccess();
    return;
  }

  const uniqueEventId = copyFromDataLayer('gtm.uniqueEventId');
  const modelEvent = copyFromDataLayer('event');
  const found = findPush(uniqueEventId, modelEvent) || fromModel(modelEvent);
  const pushed = found.gtag ? {gtag: found.gtag} : found.push;
  const eventName = found.gtag ? found.gtag[1] : found.push.event;
  if (!isString(eventName) && !filled(data.fixedName) && !isObject(pushed.ecommerce)) {
    log('this push has no event and no e-commerce data: nothing to send');
    data.gtmOnSuccess();
    return;
  }

  const now = getTimestampMillis();
  const payload = {
    v: 1,
    id: eventIdOf(uniqueEventId),
    data: pushed,
    page: {
      url: filled(data.pageUrl) ? makeString(data.pageUrl) : getUrl(),
      title: filled(data.pageTitle) ? makeString(data.pageTitle) : readTitle(),
      referrer: getReferrerUrl()
    },
    user: {anonymousId: anonymousId()},
    occurredAt: now,
    sentAt: now,
    consent: {analytics_storage: consentState('analytics_storage'), ad_storage: consentState('ad_storage')},
    library: LIBRARY
  };
  if (isString(eventName)) {
    payload.event = eventName;
  }
  if (filled(data.fixedName)) {
    payload.name = makeString(data.fixedName).trim();
  }
  if (filled(data.memberId)) {
    payload.user.memberId = makeString(data.memberId);
  }
  const properties = makeTableMap(data.properties || [], 'name', 'value');
  if (isObject(properties)) {
    payload.properties = properties;
  }

  const text = JSON.stringify(payload);
  const bytes = isString(text) ? utf8Bytes(text) : undefined;
  if (!bytes) {
    log('the event could not be written as JSON', payload);
    data.gtmOnFailure();
    return;
  }
  const encoded = base64Url(bytes);
  const query = base + '/v1/collect?k=' + encodeUriComponent(writeKey) + '&v=1';
  log('sending ' + (payload.name || eventName || 'an e-commerce push') + ' (' + text.length + ' characters of JSON)',
    payload);
  if ((query + '&d=' + encoded).length <= MAX_URL_LENGTH) {
    sendPixel(query + '&d=' + encoded, data.gtmOnSuccess, data.gtmOnFailure);
  } else {
    sendChunks(query, payload.id, encoded);
  }
};

main();


___WEB_PERMISSIONS___

[
  {
    "instance": {
      "key": {
        "publicId": "logging",
        "versionId": "1"
      },
      "param": [
        {
          "key": "environments",
          "value": {
            "type": 1,
            "string": "debug"
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "read_data_layer",
        "versionId": "1"
      },
      "param": [
        {
          "key": "allowedKeys",
          "value": {
            "type": 1,
            "string": "specific"
          }
        },
        {
          "key": "keyPatterns",
          "value": {
            "type": 2,
            "listItem": [
              {
                "type": 1,
                "string": "gtm.uniqueEventId"
              },
              {
                "type": 1,
                "string": "event"
              },
              {
                "type": 1,
                "string": "eventModel"
              },
              {
                "type": 1,
                "string": "ecommerce"
              }
            ]
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "access_globals",
        "versionId": "1"
      },
      "param": [
        {
          "key": "keys",
          "value": {
            "type": 2,
            "listItem": [
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "key"
                  },
                  {
                    "type": 1,
                    "string": "read"
                  },
                  {
                    "type": 1,
                    "string": "write"
                  },
                  {
                    "type": 1,
                    "string": "execute"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "dataLayer"
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": false
                  },
                  {
                    "type": 8,
                    "boolean": false
                  }
                ]
              }
            ]
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "get_url",
        "versionId": "1"
      },
      "param": [
        {
          "key": "urlParts",
          "value": {
            "type": 1,
            "string": "any"
          }
        },
        {
          "key": "queriesAllowed",
          "value": {
            "type": 1,
            "string": "any"
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "get_referrer",
        "versionId": "1"
      },
      "param": [
        {
          "key": "urlParts",
          "value": {
            "type": 1,
            "string": "any"
          }
        },
        {
          "key": "queriesAllowed",
          "value": {
            "type": 1,
            "string": "any"
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "read_title",
        "versionId": "1"
      },
      "param": []
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "get_cookies",
        "versionId": "1"
      },
      "param": [
        {
          "key": "cookieAccess",
          "value": {
            "type": 1,
            "string": "specific"
          }
        },
        {
          "key": "cookieNames",
          "value": {
            "type": 2,
            "listItem": [
              {
                "type": 1,
                "string": "_tagway_aid"
              }
            ]
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "set_cookies",
        "versionId": "1"
      },
      "param": [
        {
          "key": "allowedCookies",
          "value": {
            "type": 2,
            "listItem": [
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "name"
                  },
                  {
                    "type": 1,
                    "string": "domain"
                  },
                  {
                    "type": 1,
                    "string": "path"
                  },
                  {
                    "type": 1,
                    "string": "secure"
                  },
                  {
                    "type": 1,
                    "string": "session"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "_tagway_aid"
                  },
                  {
                    "type": 1,
                    "string": "*"
                  },
                  {
                    "type": 1,
                    "string": "*"
                  },
                  {
                    "type": 1,
                    "string": "any"
                  },
                  {
                    "type": 1,
                    "string": "any"
                  }
                ]
              }
            ]
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "access_consent",
        "versionId": "1"
      },
      "param": [
        {
          "key": "consentTypes",
          "value": {
            "type": 2,
            "listItem": [
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "consentType"
                  },
                  {
                    "type": 1,
                    "string": "read"
                  },
                  {
                    "type": 1,
                    "string": "write"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "analytics_storage"
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": false
                  }
                ]
              },
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "consentType"
                  },
                  {
                    "type": 1,
                    "string": "read"
                  },
                  {
                    "type": 1,
                    "string": "write"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "ad_storage"
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": false
                  }
                ]
              }
            ]
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "access_template_storage",
        "versionId": "1"
      },
      "param": []
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "send_pixel",
        "versionId": "1"
      },
      "param": [
        {
          "key": "allowedUrls",
          "value": {
            "type": 1,
            "string": "any"
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  }
]


___TESTS___

scenarios:
- name: Sends the current push with its e-commerce data, the page and an anonymous id
  code: |-
    dataLayer = [
      {event: 'gtm.js', 'gtm.start': 1764000000000, 'gtm.uniqueEventId': 1},
      {ecommerce: null, 'gtm.uniqueEventId': 2},
      PURCHASE
    ];
    model = {event: 'purchase', 'gtm.uniqueEventId': 3, ecommerce: PURCHASE.ecommerce};

    runCode(mockData);

    assertApi('sendPixel').wasCalled();
    assertThat(pixels).hasLength(1);
    assertThat(pixels[0].indexOf('https://events.example.com/v1/collect?k=wk_live_0123456789abcdef&v=1&d=')).isEqualTo(0);
    assertThat(pixels[0].length).isLessThanOrEqualTo(2000);
    const payload = payloadOf(pixels);
    assertThat(payload.v).isEqualTo(1);
    assertThat(payload.event).isEqualTo('purchase');
    assertThat(payload.data).isEqualTo(PURCHASE);
    assertThat(payload.page).isEqualTo({url: PAGE_URL, title: 'Linen shirt', referrer: 'https://www.google.com/'});
    assertThat(payload.user.anonymousId).isString();
    assertThat(payload.user.memberId).isUndefined();
    assertThat(payload.name).isUndefined();
    assertThat(payload.properties).isUndefined();
    assertThat(payload.library).isEqualTo({name: 'tagway-gtm-web', version: '1.0.0'});
    assertThat(payload.consent).isEqualTo({analytics_storage: 'granted', ad_storage: 'granted'});
    assertThat(payload.occurredAt).isNumber();
    assertThat(payload.id).isString();
    assertApi('setCookie').wasCalledWith('_tagway_aid', payload.user.anonymousId,
      {domain: 'auto', path: '/', 'max-age': 63072000, samesite: 'Lax'}, false);
    assertApi('gtmOnSuccess').wasCalled();
    assertApi('gtmOnFailure').wasNotCalled();
- name: Keeps the anonymous id of the visitor's cookie
  code: |-
    dataLayer = [PURCHASE];
    model = {event: 'purchase', 'gtm.uniqueEventId': 3};
    mock('getCookieValues', (name) => name === '_tagway_aid' ? ['123456789987654321.1764000000'] : []);

    runCode(mockData);

    assertThat(payloadOf(pixels).user.anonymousId).isEqualTo('123456789987654321.1764000000');
    assertApi('setCookie').wasCalledWith('_tagway_aid', '123456789987654321.1764000000',
      {domain: 'auto', path: '/', 'max-age': 63072000, samesite: 'Lax'}, false);
- name: Never attaches stale e-commerce data of an earlier push
  code: |-
    const signUp = {event: 'sign_up', method: 'Google', 'gtm.uniqueEventId': 4};
    dataLayer = [PURCHASE, signUp];
    // GTM's merged model still holds the purchase's items
    model = {event: 'sign_up', 'gtm.uniqueEventId': 4, ecommerce: PURCHASE.ecommerce, method: 'Google'};

    runCode(mockData);

    const payload = payloadOf(pixels);
    assertThat(payload.event).isEqualTo('sign_up');
    assertThat(payload.data).isEqualTo(signUp);
    assertThat(payload.data.ecommerce).isUndefined();
- name: Sends a gtag() command as a gtag tuple
  code: |-
    const command = ['event', 'add_to_cart', {currency: 'EUR', value: 15.5, items: [{item_id: 'A-1', price: 15.5}]}];
    dataLayer = [
      {event: 'gtm.js', 'gtm.uniqueEventId': 1},
      ['js', '2026-11-24T09:00:00.000Z'],
      ['config', 'G-XXXXXXX'],
      command
    ];
    model = {event: 'add_to_cart', 'gtm.uniqueEventId': 4, eventModel: command[2]};

    runCode(mockData);

    const payload = payloadOf(pixels);
    assertThat(payload.event).isEqualTo('add_to_cart');
    assertThat(payload.data).isEqualTo({gtag: command});
- name: Finds the gtag() command of this event when two of the same name follow each other
  code: |-
    const first = ['event', 'view_item', {items: [{item_id: 'FIRST'}]}];
    const second = ['event', 'view_item', {items: [{item_id: 'SECOND'}]}];
    dataLayer = [{event: 'gtm.js', 'gtm.uniqueEventId': 1}, first, second];
    model = {event: 'view_item', 'gtm.uniqueEventId': 3, eventModel: second[2]};

    runCode(mockData);

    assertThat(payloadOf(pixels).data).isEqualTo({gtag: second});
- name: Sends a push without an event key when it carries e-commerce data (Universal Analytics)
  code: |-
    const purchase = {ecommerce: {purchase: {actionField: {id: 'T12345', revenue: '35.43'},
      products: [{id: '12345', price: '15.25', quantity: 1}]}}, 'gtm.uniqueEventId': 7};
    dataLayer = [purchase];
    model = {'gtm.uniqueEventId': 7, ecommerce: purchase.ecommerce};

    runCode(mockData);

    const payload = payloadOf(pixels);
    assertThat(payload.event).isUndefined();
    assertThat(payload.data).isEqualTo(purchase);
- name: A push with neither an event nor e-commerce data sends nothing
  code: |-
    dataLayer = [{ecommerce: null, 'gtm.uniqueEventId': 2}];
    model = {'gtm.uniqueEventId': 2, ecommerce: null};

    runCode(mockData);

    assertApi('sendPixel').wasNotCalled();
    assertApi('gtmOnSuccess').wasCalled();
- name: Falls back to the data model when the push is not in the dataLayer
  code: |-
    dataLayer = [];
    model = {event: 'purchase', 'gtm.uniqueEventId': 3, ecommerce: PURCHASE.ecommerce};

    runCode(mockData);

    assertThat(payloadOf(pixels).data).isEqualTo({event: 'purchase', ecommerce: PURCHASE.ecommerce});
- name: The fallback never gives model e-commerce data to an event that is not e-commerce
  code: |-
    dataLayer = [];
    model = {event: 'sign_up', 'gtm.uniqueEventId': 4, ecommerce: PURCHASE.ecommerce};

    runCode(mockData);

    assertThat(payloadOf(pixels).data).isEqualTo({event: 'sign_up'});
- name: The fallback sends a gtag event's parameters from eventModel
  code: |-
    dataLayer = [];
    model = {event: 'login', 'gtm.uniqueEventId': 5, eventModel: {method: 'kakao'}};

    runCode(mockData);

    assertThat(payloadOf(pixels).data).isEqualTo({gtag: ['event', 'login', {method: 'kakao'}]});
- name: Reads the dataLayer of another name when the permission allows it
  code: |-
    mock('queryPermission', (permission, mode, key) => permission === 'access_globals' && mode === 'read' && key === 'shopLayer');
    mock('copyFromWindow', (name) => name === 'shopLayer' ? [PURCHASE] : undefined);
    model = {event: 'purchase', 'gtm.uniqueEventId': 3};
    mockData.dataLayerName = 'shopLayer';

    runCode(mockData);

    assertApi('copyFromWindow').wasCalledWith('shopLayer');
    assertThat(payloadOf(pixels).data).isEqualTo(PURCHASE);
- name: Without permission to read a renamed dataLayer it uses the data model
  code: |-
    model = {event: 'purchase', 'gtm.uniqueEventId': 3, ecommerce: PURCHASE.ecommerce};
    mockData.dataLayerName = 'shopLayer';

    runCode(mockData);

    assertApi('copyFromWindow').wasNotCalled();
    assertThat(payloadOf(pixels).data).isEqualTo({event: 'purchase', ecommerce: PURCHASE.ecommerce});
    assertApi('gtmOnSuccess').wasCalled();
- name: A fixed event name is sent as name and keeps events of other tags apart
  code: |-
    dataLayer = [PURCHASE];
    model = {event: 'purchase', 'gtm.uniqueEventId': 3};
    mockData.fixedName = 'BigSpender';

    runCode(mockData);

    const payload = payloadOf(pixels);
    assertThat(payload.name).isEqualTo('BigSpender');
    assertThat(payload.event).isEqualTo('purchase');
    assertThat(payload.id.indexOf('-3-BigSpender')).isGreaterThan(0);
- name: Sends the properties table
  code: |-
    dataLayer = [PURCHASE];
    model = {event: 'purchase', 'gtm.uniqueEventId': 3};
    mockData.properties = [{name: 'plan', value: 'pro'}, {name: 'shop', value: 'seoul-1'}];

    runCode(mockData);

    assertThat(payloadOf(pixels).properties).isEqualTo({plan: 'pro', shop: 'seoul-1'});
- name: Sends the member id
  code: |-
    dataLayer = [PURCHASE];
    model = {event: 'purchase', 'gtm.uniqueEventId': 3};
    mockData.memberId = 'member-42';

    runCode(mockData);

    assertThat(payloadOf(pixels).user.memberId).isEqualTo('member-42');
- name: Overrides the page URL and title
  code: |-
    dataLayer = [PURCHASE];
    model = {event: 'purchase', 'gtm.uniqueEventId': 3};
    mockData.pageUrl = 'https://shop.example.com/virtual/checkout-step-2';
    mockData.pageTitle = 'Checkout, step 2';

    runCode(mockData);

    const page = payloadOf(pixels).page;
    assertThat(page.url).isEqualTo('https://shop.example.com/virtual/checkout-step-2');
    assertThat(page.title).isEqualTo('Checkout, step 2');
    assertThat(page.referrer).isEqualTo('https://www.google.com/');
- name: Consent denied sends nothing, sets no cookie, and the tag succeeds
  code: |-
    dataLayer = [PURCHASE];
    model = {event: 'purchase', 'gtm.uniqueEventId': 3};
    mock('isConsentGranted', (type) => type !== 'analytics_storage');

    runCode(mockData);

    assertApi('isConsentGranted').wasCalledWith('analytics_storage');
    assertApi('sendPixel').wasNotCalled();
    assertApi('setCookie').wasNotCalled();
    assertApi('gtmOnSuccess').wasCalled();
    assertApi('gtmOnFailure').wasNotCalled();
- name: Consent for ad storage can be the condition instead
  code: |-
    dataLayer = [PURCHASE];
    model = {event: 'purchase', 'gtm.uniqueEventId': 3};
    mock('isConsentGranted', (type) => type !== 'ad_storage');
    mockData.consentType = 'ad_storage';

    runCode(mockData);

    assertApi('sendPixel').wasNotCalled();
    assertApi('gtmOnSuccess').wasCalled();
- name: Always send ignores consent but reports it
  code: |-
    dataLayer = [PURCHASE];
    model = {event: 'purchase', 'gtm.uniqueEventId': 3};
    mock('isConsentGranted', () => false);
    mockData.consentType = 'none';

    runCode(mockData);

    assertThat(payloadOf(pixels).consent).isEqualTo({analytics_storage: 'denied', ad_storage: 'denied'});
    assertApi('gtmOnSuccess').wasCalled();
- name: A failed pixel fails the tag
  code: |-
    dataLayer = [PURCHASE];
    model = {event: 'purchase', 'gtm.uniqueEventId': 3};
    mock('sendPixel', (url, onSuccess, onFailure) => { onFailure(); });

    runCode(mockData);

    assertApi('gtmOnFailure').wasCalled();
    assertApi('gtmOnSuccess').wasNotCalled();
- name: A long payload travels in chunks, each URL within 2,000 characters, and is sent whole
  code: |-
    const items = [];
    for (let n = 0; n < 40; n++) {
      items.push({item_id: 'SKU-' + n, item_name: '여름 린넨 셔츠 ' + n, price: 29500 + n, quantity: 1});
    }
    const big = {event: 'purchase', ecommerce: {transaction_id: 'T-40', currency: 'KRW', items: items},
      'gtm.uniqueEventId': 9};
    dataLayer = [big];
    model = {event: 'purchase', 'gtm.uniqueEventId': 9};

    runCode(mockData);

    assertThat(pixels.length).isGreaterThan(2);
    const count = pixels.length;
    const id = param(pixels[0], 'i');
    for (let c = 0; c < count; c++) {
      assertThat(pixels[c].length).isLessThanOrEqualTo(2000);
      assertThat(param(pixels[c], 'i')).isEqualTo(id);
      assertThat(param(pixels[c], 'c')).isEqualTo('' + c);
      assertThat(param(pixels[c], 'n')).isEqualTo('' + count);
    }
    const payload = payloadOf(pixels);
    assertThat(payload.data).isEqualTo(big);
    assertThat(payload.id).isEqualTo(id);
    assertThat(payload.data.ecommerce.items[39].item_name).isEqualTo('여름 린넨 셔츠 39');
    assertApi('gtmOnSuccess').wasCalled();
- name: The tag succeeds only when every chunk has arrived
  code: |-
    const items = [];
    for (let n = 0; n < 40; n++) {
      items.push({item_id: 'SKU-' + n, item_name: 'Summer linen shirt, size ' + n, price: 29.5, quantity: 1});
    }
    dataLayer = [{event: 'view_item_list', ecommerce: {items: items}, 'gtm.uniqueEventId': 9}];
    model = {event: 'view_item_list', 'gtm.uniqueEventId': 9};
    let answers = [];
    mock('sendPixel', (url, onSuccess, onFailure) => { pixels.push(url); answers.push(onSuccess); });

    runCode(mockData);

    assertThat(answers.length).isGreaterThan(1);
    for (let c = 0; c < answers.length - 1; c++) {
      answers[c]();
    }
    assertApi('gtmOnSuccess').wasNotCalled();
    answers[answers.length - 1]();
    assertApi('gtmOnSuccess').wasCalled();
- name: A failed chunk fails the tag once
  code: |-
    const items = [];
    for (let n = 0; n < 40; n++) {
      items.push({item_id: 'SKU-' + n, item_name: 'Summer linen shirt, size ' + n, price: 29.5, quantity: 1});
    }
    dataLayer = [{event: 'view_item_list', ecommerce: {items: items}, 'gtm.uniqueEventId': 9}];
    model = {event: 'view_item_list', 'gtm.uniqueEventId': 9};
    let calls = 0;
    mock('sendPixel', (url, onSuccess, onFailure) => {
      calls += 1;
      if (calls === 2) { onFailure(); } else { onSuccess(); }
    });

    runCode(mockData);

    assertThat(calls).isGreaterThan(2);
    assertApi('gtmOnFailure').wasCalled();
    assertApi('gtmOnSuccess').wasNotCalled();
- name: An event too large for 64 chunks is not sent, and the tag fails
  code: |-
    let huge = '';
    for (let n = 0; n < 2000; n++) {
      huge = huge + 'a long text that no gateway should get in pieces, ';
    }
    dataLayer = [{event: 'chat_open', note: huge, 'gtm.uniqueEventId': 5}];
    model = {event: 'chat_open', 'gtm.uniqueEventId': 5};

    runCode(mockData);

    assertApi('sendPixel').wasNotCalled();
    assertApi('gtmOnFailure').wasCalled();
- name: The same event fired again gets the same id, the next event another one
  code: |-
    dataLayer = [PURCHASE, {event: 'sign_up', method: 'email', 'gtm.uniqueEventId': 4}];
    model = {event: 'purchase', 'gtm.uniqueEventId': 3};
    runCode(mockData);
    runCode(mockData);
    model = {event: 'sign_up', 'gtm.uniqueEventId': 4};
    runCode(mockData);

    const first = payloadOf([pixels[0]]).id;
    assertThat(payloadOf([pixels[1]]).id).isEqualTo(first);
    assertThat(payloadOf([pixels[2]]).id).isNotEqualTo(first);
- name: Accepts the gateway URL with a trailing slash or with /v1/collect
  code: |-
    dataLayer = [PURCHASE];
    model = {event: 'purchase', 'gtm.uniqueEventId': 3};
    mockData.gatewayUrl = 'https://events.example.com/';
    runCode(mockData);
    mockData.gatewayUrl = 'https://events.example.com/v1/collect';
    runCode(mockData);

    assertThat(pixels[0].indexOf('https://events.example.com/v1/collect?k=')).isEqualTo(0);
    assertThat(pixels[1].indexOf('https://events.example.com/v1/collect?k=')).isEqualTo(0);
- name: A gateway URL that is not http(s) fails the tag without sending
  code: |-
    dataLayer = [PURCHASE];
    model = {event: 'purchase', 'gtm.uniqueEventId': 3};
    mockData.gatewayUrl = 'events.example.com';

    runCode(mockData);

    assertApi('sendPixel').wasNotCalled();
    assertApi('gtmOnFailure').wasCalled();
- name: An empty write key fails the tag without sending
  code: |-
    dataLayer = [PURCHASE];
    model = {event: 'purchase', 'gtm.uniqueEventId': 3};
    mockData.writeKey = ' ';

    runCode(mockData);

    assertApi('sendPixel').wasNotCalled();
    assertApi('gtmOnFailure').wasCalled();
setup: |-
  const JSON = require('JSON');
  const Math = require('Math');
  const decodeUriComponent = require('decodeUriComponent');

  const PAGE_URL = 'https://shop.example.com/products/linen-shirt?utm_source=newsletter';
  const PURCHASE = {event: 'purchase', ecommerce: {transaction_id: 'T_12345', value: 30.03, currency: 'USD',
    items: [{item_id: 'SKU_12345', item_name: 'Stan and Friends Tee', price: 10.01, quantity: 3}]},
    'gtm.uniqueEventId': 3};
  const mockData = {
    gatewayUrl: 'https://events.example.com',
    writeKey: 'wk_live_0123456789abcdef',
    consentType: 'analytics_storage',
    dataLayerName: 'dataLayer'
  };

  // Every pixel succeeds and is kept, unless a scenario mocks sendPixel itself.
  let pixels = [];
  mock('sendPixel', (url, onSuccess, onFailure) => { pixels.push(url); onSuccess(); });
  // The page: the dataLayer array (copyFromWindow) and GTM's merged model (copyFromDataLayer).
  let dataLayer = [];
  let model = {};
  mock('copyFromWindow', (name) => name === 'dataLayer' ? dataLayer : undefined);
  mock('copyFromDataLayer', (key) => model[key]);
  mock('getUrl', () => PAGE_URL);
  mock('readTitle', () => 'Linen shirt');
  mock('getReferrerUrl', () => 'https://www.google.com/');

  // One query parameter of a pixel URL.
  const param = (url, name) => {
    const pairs = url.split('?')[1].split('&');
    for (let i = 0; i < pairs.length; i++) {
      if (pairs[i].indexOf(name + '=') === 0) {
        return pairs[i].substring(name.length + 1);
      }
    }
    return undefined;
  };
  // The JSON payload of one pixel, or of all the chunks of one payload: base64url → bytes → text.
  const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const HEX = '0123456789ABCDEF';
  const payloadOf = (urls) => {
    let text = '';
    for (let c = 0; c < urls.length; c++) {
      text = text + param(urls[c], 'd');
    }
    let escaped = '';
    let value = 0;
    let bits = 0;
    for (let i = 0; i < text.length; i++) {
      value = value * 64 + BASE64URL.indexOf(text.charAt(i));
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        const unit = Math.pow(2, bits);
        const byte = Math.floor(value / unit);
        value = value % unit;
        escaped = escaped + '%' + HEX.charAt(Math.floor(byte / 16)) + HEX.charAt(byte % 16);
      }
    }
    return JSON.parse(decodeUriComponent(escaped));
  };


___NOTES___

tagway web tag, collect protocol v1. Source, tests and a local runner: gtm_templates/web-tag and
tests/gtm in the tagway repository. Edit template.tpl there, or in GTM's template editor and export.
