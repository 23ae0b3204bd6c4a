'use strict';
// A V8 context shaped like GTM's sandbox. Template code sees no globals at all (no window, no
// Math or JSON without require, no process), and the built-in types keep only the methods GTM's
// standard library lists — so a template calling charCodeAt or hasOwnProperty fails here as it
// would in GTM. Every value handed in is copied into the context (functions are wrapped), so no
// object of the runner's own realm, and thus no Node global, is reachable from template code.

const vm = require('vm');

// https://developers.google.com/tag-platform/tag-manager/templates/standard-library
const STANDARD_LIBRARY = {
  Array: ['concat', 'every', 'filter', 'forEach', 'indexOf', 'join', 'lastIndexOf', 'map', 'pop', 'push', 'reduce',
    'reduceRight', 'reverse', 'shift', 'slice', 'some', 'sort', 'splice', 'toString', 'unshift'],
  String: ['charAt', 'concat', 'indexOf', 'lastIndexOf', 'match', 'replace', 'search', 'slice', 'split', 'substring',
    'toLowerCase', 'toLocaleLowerCase', 'toString', 'toUpperCase', 'toLocaleUpperCase', 'trim'],
  Object: ['toString'],
  Number: ['toString'],
  Boolean: ['toString'],
  Function: [],
};

// Runs inside the context (its source is evaluated there): captures the intrinsics it needs,
// then trims the built-ins and empties the global object.
function bootstrap(allowed, schedule) {
  'use strict';
  const apply = Reflect.apply;
  const ownKeys = Reflect.ownKeys;
  const deleteProperty = Reflect.deleteProperty;
  const getPrototypeOf = Reflect.getPrototypeOf;
  const isArray = Array.isArray;
  const RealmError = Error;
  const RealmString = String;
  const RealmMap = Map;
  const objectPrototype = Object.prototype;
  const arrayPrototype = Array.prototype;
  const functionPrototype = Function.prototype;
  const realmGlobal = globalThis;

  function isRealmObject(value) {
    const proto = getPrototypeOf(value);
    return proto === objectPrototype || proto === arrayPrototype || proto === functionPrototype || proto === null ||
      value instanceof RealmError || value instanceof SandboxPromise;
  }

  function toRealmError(error) {
    if (error !== null && typeof error === 'object' && isRealmObject(error)) return error;
    const copy = new RealmError(error && error.message !== undefined ? RealmString(error.message) : RealmString(error));
    copy.name = error && error.name ? RealmString(error.name) : 'Error';
    return copy;
  }

  function wrapHost(hostFunction) {
    return function () {
      const args = [];
      for (let i = 0; i < arguments.length; i++) args[i] = arguments[i];
      let result;
      try {
        result = apply(hostFunction, undefined, args);
      } catch (error) {
        throw toRealmError(error);
      }
      return importValue(result);
    };
  }

  function importValue(value, seen) {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
    if (isRealmObject(value)) return value;
    if (typeof value === 'function') return wrapHost(value);
    const copies = seen || new RealmMap();
    if (copies.has(value)) return copies.get(value);
    if (isArray(value)) {
      const array = [];
      copies.set(value, array);
      for (let i = 0; i < value.length; i++) array[i] = importValue(value[i], copies);
      return array;
    }
    const object = {};
    copies.set(value, object);
    const keys = ownKeys(value);
    for (let i = 0; i < keys.length; i++) {
      if (typeof keys[i] === 'string') object[keys[i]] = importValue(value[keys[i]], copies);
    }
    return object;
  }

  // The sandbox's Promise (server templates): then/catch/finally, create/resolve/reject/all.
  // Reactions run as jobs of the runner's scheduler, so a test can drain them before asserting.
  function SandboxPromise() {}
  function settle(promise, state, value) {
    if (promise.state !== 'pending') return;
    if (state === 'fulfilled' && value instanceof SandboxPromise) {
      value.then((v) => settle(promise, 'fulfilled', v), (e) => settle(promise, 'rejected', e));
      return;
    }
    promise.state = state;
    promise.value = value;
    const reactions = promise.reactions;
    promise.reactions = [];
    for (let i = 0; i < reactions.length; i++) schedule(reactions[i]);
  }
  function newPromise(executor) {
    const promise = new SandboxPromise();
    promise.state = 'pending';
    promise.reactions = [];
    try {
      executor((value) => settle(promise, 'fulfilled', value), (reason) => settle(promise, 'rejected', reason));
    } catch (error) {
      settle(promise, 'rejected', toRealmError(error));
    }
    return promise;
  }
  SandboxPromise.prototype.then = function (onFulfilled, onRejected) {
    const source = this;
    return newPromise((resolve, reject) => {
      const react = () => {
        const handler = source.state === 'fulfilled' ? onFulfilled : onRejected;
        if (typeof handler !== 'function') {
          (source.state === 'fulfilled' ? resolve : reject)(source.value);
          return;
        }
        try {
          resolve(handler(source.value));
        } catch (error) {
          reject(toRealmError(error));
        }
      };
      if (source.state === 'pending') source.reactions.push(react);
      else schedule(react);
    });
  };
  SandboxPromise.prototype.catch = function (onRejected) {
    return this.then(undefined, onRejected);
  };
  SandboxPromise.prototype.finally = function (onFinally) {
    return this.then((value) => { onFinally(); return value; }, (reason) => { onFinally(); throw reason; });
  };
  const PromiseApi = {
    create: (executor) => newPromise(executor),
    resolve: (value) => newPromise((resolve) => resolve(value)),
    reject: (reason) => newPromise((resolve, reject) => reject(reason)),
    all: (promises) => newPromise((resolve, reject) => {
      const results = [];
      let remaining = promises.length;
      if (remaining === 0) resolve(results);
      promises.forEach((promise, index) => {
        PromiseApi.resolve(promise).then((value) => {
          results[index] = value;
          remaining -= 1;
          if (remaining === 0) resolve(results);
        }, reject);
      });
    }),
  };

  function keepOnly(proto, keep) {
    const keys = ownKeys(proto);
    for (let i = 0; i < keys.length; i++) {
      if (typeof keys[i] === 'string' && keys[i] !== 'length' && keep.indexOf(keys[i]) < 0) deleteProperty(proto, keys[i]);
    }
  }
  const prototypes = { Array: arrayPrototype, String: String.prototype, Object: objectPrototype,
    Number: Number.prototype, Boolean: Boolean.prototype, Function: functionPrototype };
  const names = ownKeys(prototypes);
  const promisePrototype = SandboxPromise.prototype;
  for (let i = 0; i < names.length; i++) keepOnly(prototypes[names[i]], allowed[names[i]]);
  deleteProperty(promisePrototype, 'constructor');
  const globals = ownKeys(realmGlobal);
  for (let i = 0; i < globals.length; i++) deleteProperty(realmGlobal, globals[i]);

  return {
    importValue: (value) => importValue(value),
    newPromise,
    PromiseApi,
    isPromise: (value) => value instanceof SandboxPromise,
    newError: (message, name) => {
      const error = new RealmError(message);
      error.name = name || 'Error';
      return error;
    },
  };
}

/** A fresh sandbox realm; `schedule(job)` runs promise reactions (the caller decides when). */
function createRealm(schedule) {
  const context = vm.createContext({});
  const tools = vm.runInContext('(' + bootstrap.toString() + ')', context)(STANDARD_LIBRARY, schedule);
  return {
    context,
    importValue: tools.importValue,
    newPromise: tools.newPromise,
    PromiseApi: tools.PromiseApi,
    isPromise: tools.isPromise,
    newError: tools.newError,
    /** Compiles `body` as a strict function of `params` inside the realm; `line`: its first line in the file. */
    compile(body, params, filename, line) {
      const source = '(function (' + params.join(', ') + ') { \'use strict\';\n' + body + '\n})';
      const script = new vm.Script(source, { filename, lineOffset: (line || 1) - 2 });
      return script.runInContext(context);
    },
  };
}

module.exports = { createRealm, STANDARD_LIBRARY };
