'use strict';
// Real HTTP for real mode: sendPixel as a browser's image request (GET; it counts as loaded when
// the answer is 2xx and an image), sendHttpRequest as the server container's request.
// UNCONFIRMED whether a browser runs sendPixel's onSuccess for an image that comes with a 4xx
// status; the runner treats any non-2xx answer as a failure, so a refused event fails the tag.

const http = require('http');
const https = require('https');

/** The URL as reported: the write key masked. */
function masked(url) {
  return url.replace(/([?&]k=)[^&]*/, '$1***');
}

function request(url, method, headers, body, timeoutMs) {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const outgoing = client.request(url, { method, headers, timeout: timeoutMs }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers,
        body: Buffer.concat(chunks) }));
      response.on('error', () => reject({ reason: 'failed' }));
    });
    outgoing.on('timeout', () => {
      outgoing.destroy();
      reject({ reason: 'timed_out' });
    });
    outgoing.on('error', () => reject({ reason: 'failed' }));
    if (body !== undefined) outgoing.write(body);
    outgoing.end();
  });
}

function transport(timeoutMs) {
  const timeout = timeoutMs || 10000;
  return {
    /** A pixel: {ok, url, length, status, result, problem, rejection}. */
    pixel: (url) => request(url, 'GET', { 'User-Agent': 'tagway-gtm-runner (sendPixel)' }, undefined, timeout).then(
      (answer) => ({
        ok: answer.status >= 200 && answer.status < 300 && /^image\//.test(answer.headers['content-type'] || ''),
        url: masked(url),
        length: url.length,
        status: answer.status,
        result: answer.headers['x-tagway-result'],
        problem: answer.headers['x-tagway-problem'],
        rejection: answer.headers['x-tagway-rejection'],
      }),
      (error) => ({ ok: false, url: masked(url), length: url.length, status: null, error: error.reason })),
    /** sendHttpRequest: resolves {url, status, headers, body} or rejects {reason}. */
    http: (url, options, body) => {
      const headers = Object.assign({}, options.headers || {});
      if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(String(body));
      return request(url, options.method || 'GET', headers, body === undefined ? undefined : String(body),
        options.timeout || timeout).then((answer) => ({
        url, status: answer.status, headers: answer.headers, body: answer.body.toString('utf8'),
      }));
    },
  };
}

module.exports = { transport, masked };
