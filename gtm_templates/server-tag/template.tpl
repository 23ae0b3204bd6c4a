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
  "displayName": "tagway (server)",
  "categories": [
    "ANALYTICS",
    "CONVERSIONS"
  ],
  "brand": {
    "id": "github.com_tagway",
    "displayName": "tagway",
    "thumbnail": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADAAAAAwCAIAAADYYG7QAAAATElEQVR42u3YsQ0AIAgEQDZwU0vXxwmMhRTE3OcHuOpJiLFmqwYQEBDQvXkIEBDQJ6B8DhAQkB0CAgICAgJqCio5+EBAQD5oQEBAxd2pMq8K/oCRuQAAAABJRU5ErkJggg=="
  },
  "description": "Posts each server container event (GA4 event data: e-commerce items, page, client and user ids) to your self-hosted tagway event gateway.",
  "containerContexts": [
    "SERVER"
  ]
}


___TEMPLATE_PARAMETERS___

[
  {
    "type": "LABEL",
    "name": "introduction",
    "displayName": "Posts the event this tag fires on to your tagway gateway. Fill in the gateway URL and the write key; everything else is optional."
  },
  {
    "type": "TEXT",
    "name": "gatewayUrl",
    "displayName": "Gateway URL",
    "simpleValueType": true,
    "alwaysInSummary": true,
    "valueHint": "https://events.example.com",
    "help": "The address of your tagway gateway, e.g. <code>https://events.example.com</code>. The tag posts to <code>/v1/collect</code> on it.",
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
    "help": "The write key of the gateway's GTM source (in <code>tagway.toml</code>). It is sent as <code>Authorization: Bearer</code>, from the server container only.",
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
        "valueHint": "e.g. ServerPurchase",
        "help": "Leave empty to let the gateway name the event from its GA4 name (purchase becomes Purchase, ...). Fill it in to record every event of this tag under this name: a letter first, then letters, digits or underscores, at most 30 characters.",
        "valueValidators": [
          {
            "type": "REGEX",
            "args": [
              "^([A-Za-z][A-Za-z0-9_]{0,29}|\\{\\{[^}]+\\}\\})?$"
            ],
            "errorMessage": "A letter first, then letters, digits or underscores, at most 30 characters."
          }
        ]
      },
      {
        "type": "SIMPLE_TABLE",
        "name": "properties",
        "displayName": "Extra properties (optional)",
        "newRowButtonText": "Add property",
        "help": "Name/value pairs sent with every event of this tag; they are stored as the event's properties.",
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
  }
]


___SANDBOXED_JS_FOR_SERVER___

// tagway server tag: posts the current event to a tagway gateway (collect protocol v1:
// POST <gateway>/v1/collect with Authorization: Bearer <write key> and the JSON payload).
const generateRandom = require('generateRandom');
const getAllEventData = require('getAllEventData');
const getTimestampMillis = require('getTimestampMillis');
const getType = require('getType');
const JSON = require('JSON');
const logToConsole = require('logToConsole');
const makeString = require('makeString');
const makeTableMap = require('makeTableMap');
const Object = require('Object');
const sendHttpRequest = require('sendHttpRequest');

const LIBRARY = {name: 'tagway-gtm-server', version: '1.0.0'};
const TIMEOUT_MS = 5000;
// Event data with a place of its own in the payload, or that describes the visitor's browser and
// the GA4 request rather than the event; keys starting with x- are protocol internals too.
const NOT_PARAMETERS = ['event_name', 'event_id', 'page_location', 'page_title', 'page_referrer', 'page_hostname',
  'page_path', 'client_id', 'user_id', 'ip_override', 'user_agent', 'language', 'page_encoding',
  'screen_resolution', 'viewport_size'];

// The logging permission allows the debug environment only: this prints in Preview mode only.
const log = (message) => {
  logToConsole('[tagway] ' + message);
};

const isString = (value) => getType(value) === 'string';
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

// Only the values that are there: the gateway refuses neither, but empty ones say nothing.
const present = (object) => {
  const kept = {};
  Object.keys(object).forEach((key) => {
    if (filled(object[key])) {
      kept[key] = makeString(object[key]);
    }
  });
  return kept;
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
  const eventData = getAllEventData();
  const eventName = eventData.event_name;
  if (!filled(eventName)) {
    log('the event has no event_name: nothing was sent');
    data.gtmOnFailure();
    return;
  }

  // The GA4 parameters (items, value, currency, transaction_id, ...) as a gtag() event, which the
  // gateway's GTM adapter maps like a browser's gtag('event', name, params).
  const params = {};
  Object.keys(eventData).forEach((key) => {
    if (NOT_PARAMETERS.indexOf(key) < 0 && key.indexOf('x-') !== 0) {
      params[key] = eventData[key];
    }
  });
  const now = getTimestampMillis();
  const payload = {
    v: 1,
    // A client that sends event_id (for deduplication) gets it kept: a repeated event is stored once.
    id: filled(eventData.event_id) ? makeString(eventData.event_id) :
      'sgtm-' + makeString(now) + '-' + makeString(generateRandom(100000000, 999999999)),
    event: makeString(eventName),
    data: {gtag: ['event', makeString(eventName), params]},
    page: present({url: eventData.page_location, title: eventData.page_title, referrer: eventData.page_referrer}),
    user: present({anonymousId: eventData.client_id, memberId: eventData.user_id}),
    sentAt: now,
    library: LIBRARY
  };
  if (filled(data.fixedName)) {
    payload.name = makeString(data.fixedName).trim();
  }
  const properties = makeTableMap(data.properties || [], 'name', 'value');
  if (getType(properties) === 'object') {
    payload.properties = properties;
  }

  log('posting ' + (payload.name || payload.event) + ': ' + JSON.stringify(payload));
  sendHttpRequest(base + '/v1/collect', {
    method: 'POST',
    headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + writeKey},
    timeout: TIMEOUT_MS
  }, JSON.stringify(payload)).then((response) => {
    if (response.statusCode >= 200 && response.statusCode < 300) {
      data.gtmOnSuccess();
    } else {
      log('the gateway answered ' + response.statusCode + ': ' + response.body);
      data.gtmOnFailure();
    }
  }, (error) => {
    log('the request failed: ' + (error && error.reason));
    data.gtmOnFailure();
  });
};

main();


___SERVER_PERMISSIONS___

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
        "publicId": "read_event_data",
        "versionId": "1"
      },
      "param": [
        {
          "key": "eventDataAccess",
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
        "publicId": "send_http",
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
- name: Posts a GA4 purchase to /v1/collect with the write key as a bearer token
  code: |-
    runCode(mockData);

    assertThat(requests).hasLength(1);
    const request = requests[0];
    assertThat(request.url).isEqualTo('https://events.example.com/v1/collect');
    assertThat(request.options.method).isEqualTo('POST');
    assertThat(request.options.headers).isEqualTo({'Content-Type': 'application/json',
      'Authorization': 'Bearer wk_server_0123456789abcdef'});
    assertThat(request.options.timeout).isEqualTo(5000);
    const payload = request.body;
    assertThat(payload.v).isEqualTo(1);
    assertThat(payload.event).isEqualTo('purchase');
    assertThat(payload.data.gtag[0]).isEqualTo('event');
    assertThat(payload.data.gtag[1]).isEqualTo('purchase');
    assertThat(payload.data.gtag[2].transaction_id).isEqualTo('T_12345');
    assertThat(payload.data.gtag[2].items).isEqualTo(PURCHASE.items);
    assertThat(payload.page).isEqualTo({url: 'https://shop.example.com/checkout/thanks', title: 'Thank you',
      referrer: 'https://shop.example.com/checkout'});
    assertThat(payload.user).isEqualTo({anonymousId: '123456.789', memberId: 'member-7'});
    assertThat(payload.library).isEqualTo({name: 'tagway-gtm-server', version: '1.0.0'});
    assertThat(payload.name).isUndefined();
    assertThat(payload.properties).isUndefined();
    assertApi('gtmOnSuccess').wasCalled();
    assertApi('gtmOnFailure').wasNotCalled();
- name: Keeps request internals out of the event's parameters
  code: |-
    runCode(mockData);

    assertThat(requests[0].body.data.gtag[2]).isEqualTo({transaction_id: 'T_12345', value: 72.05, currency: 'USD',
      items: PURCHASE.items, tax: 3.6});
- name: Uses the event's event_id as the payload id, so a repeated event is stored once
  code: |-
    eventData = {event_name: 'sign_up', method: 'email', client_id: '1.2', event_id: 'evt-42'};
    runCode(mockData);
    eventData = {event_name: 'sign_up', method: 'email', client_id: '1.2'};
    runCode(mockData);

    assertThat(requests[0].body.id).isEqualTo('evt-42');
    assertThat(requests[1].body.id.indexOf('sgtm-')).isEqualTo(0);
- name: A fixed event name is sent as name
  code: |-
    mockData.fixedName = 'ServerPurchase';

    runCode(mockData);

    assertThat(requests[0].body.name).isEqualTo('ServerPurchase');
    assertThat(requests[0].body.event).isEqualTo('purchase');
- name: Sends the properties table
  code: |-
    mockData.properties = [{name: 'channel', value: 'server'}];

    runCode(mockData);

    assertThat(requests[0].body.properties).isEqualTo({channel: 'server'});
- name: Any 2xx answer is a success
  code: |-
    status = 202;

    runCode(mockData);

    assertApi('gtmOnSuccess').wasCalled();
- name: An answer that is not 2xx fails the tag
  code: |-
    status = 400;

    runCode(mockData);

    assertApi('gtmOnFailure').wasCalled();
    assertApi('gtmOnSuccess').wasNotCalled();
- name: A request that fails or times out fails the tag
  code: |-
    mock('sendHttpRequest', () => Promise.create((resolve, reject) => reject({reason: 'timed_out'})));

    runCode(mockData);

    assertApi('gtmOnFailure').wasCalled();
    assertApi('gtmOnSuccess').wasNotCalled();
- name: An event without event_name is not sent, and the tag fails
  code: |-
    eventData = {client_id: '1.2', page_location: 'https://shop.example.com/'};

    runCode(mockData);

    assertApi('sendHttpRequest').wasNotCalled();
    assertApi('gtmOnFailure').wasCalled();
- name: A gateway URL that is not http(s) fails the tag without sending
  code: |-
    mockData.gatewayUrl = 'events.example.com';

    runCode(mockData);

    assertApi('sendHttpRequest').wasNotCalled();
    assertApi('gtmOnFailure').wasCalled();
- name: Accepts the gateway URL with a trailing slash or with /v1/collect
  code: |-
    mockData.gatewayUrl = 'https://events.example.com/';
    runCode(mockData);
    mockData.gatewayUrl = 'https://events.example.com/v1/collect';
    runCode(mockData);

    assertThat(requests[0].url).isEqualTo('https://events.example.com/v1/collect');
    assertThat(requests[1].url).isEqualTo('https://events.example.com/v1/collect');
- name: An empty write key fails the tag without sending
  code: |-
    mockData.writeKey = '';

    runCode(mockData);

    assertApi('sendHttpRequest').wasNotCalled();
    assertApi('gtmOnFailure').wasCalled();
setup: |-
  const JSON = require('JSON');
  const Promise = require('Promise');

  const mockData = {
    gatewayUrl: 'https://events.example.com',
    writeKey: 'wk_server_0123456789abcdef'
  };
  const PURCHASE = {
    event_name: 'purchase',
    client_id: '123456.789',
    user_id: 'member-7',
    page_location: 'https://shop.example.com/checkout/thanks',
    page_title: 'Thank you',
    page_referrer: 'https://shop.example.com/checkout',
    transaction_id: 'T_12345',
    value: 72.05,
    currency: 'USD',
    tax: 3.6,
    items: [{item_id: 'SKU_12345', item_name: 'Stan and Friends Tee', price: 10.01, quantity: 3}],
    'x-ga-protocol_version': '2',
    'x-ga-page_id': 1234567,
    ip_override: '203.0.113.9',
    user_agent: 'Mozilla/5.0',
    language: 'ko-kr',
    screen_resolution: '1920x1080'
  };

  // The event being processed (getAllEventData), and the gateway's answer to each request.
  let eventData = PURCHASE;
  mock('getAllEventData', () => eventData);
  let status = 200;
  let requests = [];
  mock('sendHttpRequest', (url, options, body) => {
    requests.push({url: url, options: options, body: JSON.parse(body)});
    return Promise.create((resolve) => resolve({statusCode: status, headers: {}, body: '{}'}));
  });


___NOTES___

tagway server tag, collect protocol v1. Source, tests and a local runner: gtm_templates/server-tag and
tests/gtm in the tagway repository. Edit template.tpl there, or in GTM's template editor and export.
