'use strict';
// Sandboxed APIs that web and server templates share and that need no permission: type and
// conversion helpers, encoding, time, randomness, and the JSON, Math and Object objects.

/** GTM's getType: 'undefined', 'null', 'boolean', 'number', 'string', 'array', 'object' or 'function'. */
function getType(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function pathLookup(root, key) {
  if (typeof key !== 'string' || key === '') return undefined;
  let value = root;
  for (const part of key.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, part)) {
      return undefined;
    }
    value = value[part];
  }
  return value;
}

function quietly(fn) {
  return (...args) => {
    try {
      return fn(...args);
    } catch (error) {
      return undefined;
    }
  };
}

function sharedApis(env, harness) {
  return {
    queryPermission: (id, ...args) => harness.permissionAllows(id, args),
    getType,
    makeString: (value) => String(value),
    makeNumber: (value) => Number(value),
    makeInteger: (value) => Math.trunc(Number(value)),
    // A SIMPLE_TABLE's rows as {key: value}; null when the table has no row.
    makeTableMap: (table, keyColumn, valueColumn) => {
      if (!Array.isArray(table)) return null;
      const map = {};
      let rows = 0;
      for (const row of table) {
        if (row === null || typeof row !== 'object' || !(keyColumn in row)) continue;
        map[row[keyColumn]] = row[valueColumn];
        rows += 1;
      }
      return rows ? map : null;
    },
    encodeUri: quietly((text) => encodeURI(text)),
    encodeUriComponent: quietly((text) => encodeURIComponent(text)),
    decodeUri: quietly((text) => decodeURI(text)),
    decodeUriComponent: quietly((text) => decodeURIComponent(text)),
    // UNCONFIRMED how GTM encodes non-ASCII text here; the runner uses UTF-8. The web template
    // does not depend on it (it builds its own base64 of the UTF-8 bytes).
    toBase64: (text) => Buffer.from(String(text), 'utf8').toString('base64'),
    fromBase64: quietly((text) => Buffer.from(String(text), 'base64').toString('utf8')),
    generateRandom: (min, max) => Math.floor(Math.random() * (max - min + 1)) + min,
    getTimestamp: () => env.clock(),
    getTimestampMillis: () => env.clock(),
    JSON: {
      parse: quietly((text) => JSON.parse(text)),
      stringify: quietly((value) => JSON.stringify(value)),
    },
    Math: {
      abs: Math.abs, ceil: Math.ceil, floor: Math.floor, max: Math.max, min: Math.min, pow: Math.pow,
      round: Math.round, sqrt: Math.sqrt,
    },
    Object: {
      keys: (object) => Object.keys(object),
      values: (object) => Object.values(object),
      entries: (object) => Object.entries(object),
      freeze: (object) => Object.freeze(object),
      delete: (object, key) => {
        delete object[key];
        return object;
      },
    },
    logToConsole: (...args) => {
      if (!harness.permissions.loggingAllowed(env.debug)) return; // denied logging is silent (G-perm)
      env.logs.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
    },
  };
}

module.exports = { sharedApis, getType, pathLookup };
