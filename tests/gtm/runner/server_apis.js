'use strict';
// The server-side sandbox APIs a tag uses, emulated over one event: its event data, and
// sendHttpRequest answering with the sandbox's Promise (over real HTTP in real mode; never
// settling in a test unless mocked).

const { sharedApis, pathLookup } = require('./shared_apis');

/** A fresh server container event for one test scenario or one real run. */
function serverEnvironment(overrides) {
  return Object.assign({
    eventData: {},
    cookies: {},
    debug: true,
    logs: [],
    requests: [],
    transport: null,
    clock: () => Date.now(),
  }, overrides || {});
}

function serverApis(env, harness) {
  const apis = sharedApis(env, harness);
  const request = (url, options, body) => harness.realm.newPromise((resolve, reject) => {
    if (!env.transport) return; // a test: the request is recorded, nothing answers
    env.transport.http(url, options || {}, body).then((answer) => {
      env.requests.push(answer);
      harness.callback(() => resolve(harness.realm.importValue(
        { statusCode: answer.status, headers: answer.headers, body: answer.body })));
    }, (error) => {
      env.requests.push({ url, error: error.reason });
      harness.callback(() => reject(harness.realm.importValue({ reason: error.reason })));
    });
  });
  return Object.assign(apis, {
    getAllEventData: () => env.eventData,
    getEventData: (key) => pathLookup(env.eventData, key),
    getCookieValues: (name) => env.cookies[name] || [],
    // sendHttpRequest(url[, options[, body]]) → Promise; the older callback form is not emulated.
    sendHttpRequest: (url, options, body) => {
      if (typeof options === 'function') throw new Error('sendHttpRequest with a callback is not emulated; use the Promise');
      return request(url, options, body);
    },
    sendHttpGet: (url, options) => request(url, Object.assign({}, options, { method: 'GET' }), undefined),
    Promise: harness.realm.PromiseApi,
  });
}

module.exports = { serverApis, serverEnvironment };
