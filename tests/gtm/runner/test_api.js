'use strict';
// GTM's test API for ___TESTS___ code (developers.google.com/tag-platform/tag-manager/templates/tests): mock, mockObject, runCode,
// assertApi, assertThat and fail, over one Harness. A failed assertion is recorded and thrown,
// so the scenario fails even if template code swallowed the exception.

const { getType } = require('./shared_apis');
const { show } = require('./harness');

/** Structural equality that works across the runner's and the sandbox's realms. */
function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => Object.prototype.hasOwnProperty.call(b, key) && deepEqual(a[key], b[key]));
}

function lengthOf(value) {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  return undefined;
}

function testApi(harness) {
  const failures = [];
  harness.failures = failures;

  function fail(message) {
    failures.push(String(message === undefined ? 'fail() was called' : message));
    const error = new Error(failures[failures.length - 1]);
    error.name = 'AssertionError';
    throw error;
  }

  function check(ok, message, expectation) {
    if (!ok) fail(message ? `${message}: ${expectation}` : expectation);
  }

  function assertThat(actual, message) {
    const it = `expected ${show(actual)}`;
    const is = (ok, what) => check(ok, message, `${it} ${what}`);
    const contains = (value) => (typeof actual === 'string'
      ? actual.indexOf(value) >= 0
      : Array.isArray(actual) && actual.some((element) => deepEqual(element, value)));
    return {
      isUndefined: () => is(actual === undefined, 'to be undefined'),
      isDefined: () => is(actual !== undefined, 'to be defined'),
      isNull: () => is(actual === null, 'to be null'),
      isNotNull: () => is(actual !== null, 'not to be null'),
      isTrue: () => is(actual === true, 'to be true'),
      isFalse: () => is(actual === false, 'to be false'),
      isTruthy: () => is(Boolean(actual), 'to be truthy'),
      isFalsy: () => is(!actual, 'to be falsy'),
      isNaN: () => is(Number.isNaN(actual), 'to be NaN'),
      isNotNaN: () => is(!Number.isNaN(actual), 'not to be NaN'),
      isInfinity: () => is(actual === Infinity || actual === -Infinity, 'to be infinite'),
      isNotInfinity: () => is(actual !== Infinity && actual !== -Infinity, 'not to be infinite'),
      isEqualTo: (expected) => is(deepEqual(actual, expected), `to equal ${show(expected)}`),
      isNotEqualTo: (expected) => is(!deepEqual(actual, expected), `not to equal ${show(expected)}`),
      isStrictlyEqualTo: (expected) => is(actual === expected, `to be ${show(expected)} (===)`),
      isNotStrictlyEqualTo: (expected) => is(actual !== expected, `not to be ${show(expected)} (===)`),
      isAnyOf: (...values) => is(values.some((v) => deepEqual(actual, v)), `to be one of ${show(values)}`),
      isNoneOf: (...values) => is(!values.some((v) => deepEqual(actual, v)), `to be none of ${show(values)}`),
      isGreaterThan: (value) => is(actual > value, `to be greater than ${show(value)}`),
      isGreaterThanOrEqualTo: (value) => is(actual >= value, `to be at least ${show(value)}`),
      isLessThan: (value) => is(actual < value, `to be less than ${show(value)}`),
      isLessThanOrEqualTo: (value) => is(actual <= value, `to be at most ${show(value)}`),
      contains: (...values) => is(values.every(contains), `to contain ${show(values)}`),
      // UNCONFIRMED in GTM's docs whether order matters; here: the same elements, in any order.
      containsExactly: (...values) => is(Array.isArray(actual) && actual.length === values.length &&
        values.every(contains), `to contain exactly ${show(values)}`),
      hasLength: (length) => is(lengthOf(actual) === length, `to have length ${length}`),
      isEmpty: () => is(lengthOf(actual) === 0, 'to be empty'),
      isNotEmpty: () => is(lengthOf(actual) > 0, 'not to be empty'),
      isArray: () => is(getType(actual) === 'array', 'to be an array'),
      isBoolean: () => is(getType(actual) === 'boolean', 'to be a boolean'),
      isFunction: () => is(getType(actual) === 'function', 'to be a function'),
      isNumber: () => is(getType(actual) === 'number', 'to be a number'),
      isObject: () => is(getType(actual) === 'object', 'to be an object'),
      isString: () => is(getType(actual) === 'string', 'to be a string'),
    };
  }

  function assertApi(name) {
    const calls = () => harness.calls.filter((call) => call.name === name);
    const calledWith = (expected) => calls().some((call) => deepEqual(call.args, expected));
    return {
      wasCalled: () => check(calls().length > 0, undefined, `expected ${name} to be called`),
      wasNotCalled: () => check(calls().length === 0, undefined,
        `expected ${name} not to be called, but it was called with ${show(calls().map((c) => c.args))}`),
      wasCalledWith: (...expected) => check(calledWith(expected), undefined,
        `expected ${name} to be called with ${show(expected)}; calls: ${show(calls().map((c) => c.args))}`),
      wasNotCalledWith: (...expected) => check(!calledWith(expected), undefined,
        `expected ${name} not to be called with ${show(expected)}`),
    };
  }

  return {
    // Test code may require APIs too (JSON to parse a body, ...): no permission applies to it.
    require: (name) => {
      if (harness.objectMocks.has(name)) return harness.objectMocks.get(name);
      if (!(name in harness.apis)) fail(`require('${name}') in test code: not an API the runner emulates`);
      return harness.apis[name];
    },
    mock: (name, value) => {
      harness.mocks.set(name, value);
    },
    mockObject: (name, object) => {
      harness.objectMocks.set(name, object);
    },
    runCode: (data) => {
      const result = harness.runTemplate(data);
      harness.drain();
      return result;
    },
    assertApi,
    assertThat,
    fail,
  };
}

module.exports = { testApi, deepEqual };
