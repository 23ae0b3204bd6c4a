'use strict';
// Which permission each sandboxed API needs, and with which arguments it is checked
// (developers.google.com/tag-platform/tag-manager/templates/api and .../templates/permissions). `null`: the API needs none.
// An API that is not listed is not emulated: requiring it fails the run.

const NONE = null;

// name: [permission id, (call arguments) => permission arguments]
const WEB = {
  sendPixel: ['send_pixel', (url) => [url]],
  injectScript: ['inject_script', (url) => [url]],
  copyFromDataLayer: ['read_data_layer', (key) => [key]],
  copyFromWindow: ['access_globals', (key) => ['read', key]],
  setInWindow: ['access_globals', (key) => ['write', key]],
  callInWindow: ['access_globals', (key) => ['execute', key]],
  getUrl: ['get_url', (component) => [component]],
  getQueryParameters: ['get_url', (key) => ['query', key]],
  getReferrerUrl: ['get_referrer', (component) => [component]],
  getReferrerQueryParameters: ['get_referrer', (key) => ['query', key]],
  readTitle: ['read_title', () => []],
  readCharacterSet: ['read_character_set', () => []],
  getContainerVersion: ['read_container_data', () => []],
  getCookieValues: ['get_cookies', (name) => [name]],
  setCookie: ['set_cookies', (name, value, options) => [name, options]],
  isConsentGranted: ['access_consent', (type) => [type, 'read']],
  addConsentListener: ['access_consent', (type) => [type, 'read']],
  logToConsole: ['logging', () => []],
  localStorage: ['access_local_storage', null], // checked per method: (mode, key)
  templateStorage: ['access_template_storage', () => []],
};

const SERVER = {
  getAllEventData: ['read_event_data', () => [undefined]], // every key: needs eventDataAccess "any"
  getEventData: ['read_event_data', (key) => [key]],
  sendHttpRequest: ['send_http', (url) => [url]],
  sendHttpGet: ['send_http', (url) => [url]],
  getCookieValues: ['get_cookies', (name) => [name]],
  logToConsole: ['logging', () => []],
  Promise: [NONE, null],
};

// Available in both contexts without a permission.
const SHARED = {
  queryPermission: [NONE, null],
  getType: [NONE, null],
  makeString: [NONE, null],
  makeNumber: [NONE, null],
  makeInteger: [NONE, null],
  makeTableMap: [NONE, null],
  encodeUri: [NONE, null],
  encodeUriComponent: [NONE, null],
  decodeUri: [NONE, null],
  decodeUriComponent: [NONE, null],
  toBase64: [NONE, null],
  fromBase64: [NONE, null],
  generateRandom: [NONE, null],
  getTimestamp: [NONE, null],
  getTimestampMillis: [NONE, null],
  JSON: [NONE, null],
  Math: [NONE, null],
  Object: [NONE, null],
};

/** {name: [permission, argsOf]} of the APIs a web or server template may require. */
function apiTable(kind) {
  return Object.assign({}, SHARED, kind === 'server' ? SERVER : WEB);
}

module.exports = { apiTable };
