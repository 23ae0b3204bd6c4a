'use strict';
// Real mode: the template's code runs unmocked, with its permissions enforced, and its requests
// go over HTTP to a real gateway.
//
// Web template, spec {data, pushes, page?, consent?, cookies?, timeoutMs?}: one page; each push
// is processed by the dataLayer emulation and the tag fires once for it (as on an "All Events"
// trigger, and also for pushes without an event key, which the tag itself skips unless they carry
// e-commerce data), the next push waiting until the tag has succeeded or failed.
// Server template, spec {data, events, timeoutMs?}: the tag runs once per event data object.
//
// Report: {firings: [{index, uniqueEventId, event, outcome, requests, logs, violations, errors}]},
// outcome "success", "failure", "timeout" (neither callback came) or "error" (the code threw).

const { DataLayer } = require('./datalayer');
const { Harness, describeError } = require('./harness');
const { transport } = require('./transport');

function fireOnce(harness, fields, timeoutMs) {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Let reactions already queued (a last log line) run before reporting.
      setImmediate(() => resolve(outcome));
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    try {
      harness.runTemplate(fields, () => finish('success'), () => finish('failure'));
    } catch (error) {
      harness.errors.push(describeError(error));
      finish('error');
    }
  });
}

async function firing(harness, fields, timeoutMs, details) {
  const env = harness.env;
  const before = { requests: env.requests.length, logs: env.logs.length, violations: harness.violations.length,
    errors: harness.errors.length };
  const outcome = await fireOnce(harness, fields, timeoutMs);
  return Object.assign(details, {
    outcome,
    requests: env.requests.slice(before.requests),
    logs: env.logs.slice(before.logs),
    violations: harness.violations.slice(before.violations),
    errors: harness.errors.slice(before.errors),
  });
}

async function fireWeb(template, spec) {
  const timeoutMs = spec.timeoutMs || 10000;
  const dataLayer = new DataLayer();
  const name = (spec.data && spec.data.dataLayerName) || 'dataLayer';
  const harness = new Harness(template, {
    async: true,
    env: {
      page: Object.assign({ url: 'https://shop.example.com/', referrer: '', title: 'Shop', characterSet: 'UTF-8' },
        spec.page || {}),
      model: dataLayer.model,
      window: { [name]: dataLayer.entries },
      consent: spec.consent || {},
      cookies: spec.cookies || {},
      transport: transport(timeoutMs),
    },
  });
  const firings = [];
  for (let index = 0; index < spec.pushes.length; index++) {
    const message = dataLayer.push(spec.pushes[index]);
    firings.push(await firing(harness, spec.data, timeoutMs,
      { index, uniqueEventId: message.id, event: message.event }));
  }
  return { firings, cookies: harness.env.cookies };
}

async function fireServer(template, spec) {
  const timeoutMs = spec.timeoutMs || 10000;
  const firings = [];
  for (let index = 0; index < spec.events.length; index++) {
    const harness = new Harness(template, {
      async: true,
      env: { eventData: spec.events[index], transport: transport(timeoutMs) },
    });
    firings.push(await firing(harness, spec.data, timeoutMs, { index, event: spec.events[index].event_name }));
  }
  return { firings };
}

function fire(template, spec) {
  return template.kind === 'server' ? fireServer(template, spec) : fireWeb(template, spec);
}

module.exports = { fire };
