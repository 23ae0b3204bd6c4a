'use strict';
// One run of a template's sandboxed code: its realm, its environment (a page or a server event),
// `require` with mocks, every API call recorded (for assertApi), and each unmocked call checked
// against the template's permissions. A call without its permission is a violation: it throws
// inside the template, and the run fails even if the template code catches the error.

const { apiTable } = require('./api_table');
const { Permissions } = require('./permissions');
const { createRealm } = require('./realm');
const { serverApis, serverEnvironment } = require('./server_apis');
const { webApis, webEnvironment } = require('./web_apis');

const MAX_JOBS = 100000;

function show(value) {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : (text.length > 200 ? text.slice(0, 200) + '…' : text);
  } catch (error) {
    return String(value);
  }
}

function describeError(error) {
  if (!error || typeof error !== 'object') return String(error);
  const where = String(error.stack || '').split('\n').find((line) => line.includes('.tpl'));
  return `${error.name || 'Error'}: ${error.message}` + (where ? ` (${where.trim().replace(/^at /, 'at ')})` : '');
}

class Harness {
  /**
   * @param template a loaded template (template.js)
   * @param options {env: environment overrides, async: true for real mode (promise jobs run on their own)}
   */
  constructor(template, options) {
    const settings = options || {};
    this.template = template;
    this.async = Boolean(settings.async);
    this.permissions = new Permissions(template.permissionList);
    this.table = apiTable(template.kind);
    this.jobs = [];
    this.realm = createRealm((job) => this.schedule(job));
    const server = template.kind === 'server';
    this.env = server ? serverEnvironment(settings.env) : webEnvironment(settings.env);
    this.apis = server ? serverApis(this.env, this) : webApis(this.env, this);
    this.mocks = new Map();
    this.objectMocks = new Map();
    this.calls = [];
    this.violations = [];
    this.errors = [];
    this.compiled = null;
    this.realmRequire = this.realm.importValue((name) => this.require(name));
  }

  schedule(job) {
    if (this.async) setImmediate(() => this.runJob(job));
    else this.jobs.push(job);
  }

  runJob(job) {
    try {
      job();
    } catch (error) {
      this.errors.push(describeError(error));
    }
  }

  /** Runs queued promise reactions until none is left (a test asserts after this). */
  drain() {
    for (let count = 0; this.jobs.length; count++) {
      if (count > MAX_JOBS) throw new Error('promise reactions do not settle (more than ' + MAX_JOBS + ' jobs)');
      this.runJob(this.jobs.shift());
    }
  }

  /** Calls a template callback (sendPixel's onSuccess, ...) when an asynchronous answer arrives. */
  callback(fn) {
    this.runJob(() => {
      if (typeof fn === 'function') fn();
    });
    if (!this.async) this.drain();
  }

  violation(message) {
    this.violations.push(message);
    const error = new Error(message);
    error.name = 'PermissionError';
    throw error;
  }

  permissionAllows(id, args) {
    return this.permissions.allows(id, args);
  }

  /** Checks one call of `name` (permission arguments `args`) against the template's permissions. */
  enforce(name, ...args) {
    const permission = this.table[name] && this.table[name][0];
    if (!permission || permission === 'logging') return; // denied logging is silent, not an error
    if (!this.permissions.allows(permission, args)) {
      this.violation(`${name}: the ${permission} permission does not allow ${args.map(show).join(', ') || 'this call'}`);
    }
  }

  /** The template's `require(name)`. */
  require(name) {
    if (this.objectMocks.has(name)) return this.objectMocks.get(name);
    const entry = this.table[name];
    if (!entry) {
      this.violation(`require('${name}'): not a ${this.template.kind} sandbox API (or one the runner does not emulate)`);
    }
    const [permission, argsOf] = entry;
    if (permission && !this.permissions.has(permission) && !this.mocks.has(name)) {
      this.violation(`require('${name}') needs the ${permission} permission, which the template does not declare`);
    }
    const implementation = this.apis[name];
    if (implementation !== undefined && typeof implementation !== 'function') return implementation;
    return (...args) => {
      this.calls.push({ name, args });
      if (this.mocks.has(name)) {
        const mocked = this.mocks.get(name);
        return typeof mocked === 'function' ? mocked(...args) : mocked;
      }
      if (permission && argsOf) this.enforce(name, ...argsOf(...args));
      if (typeof implementation !== 'function') throw new Error(`${name} is not emulated by the runner; mock it`);
      return implementation(...args);
    };
  }

  /** The template's code as a function of (require, data), compiled once per harness. */
  templateFunction() {
    if (!this.compiled) {
      const section = this.template.kind === 'server' ? 'SANDBOXED_JS_FOR_SERVER' : 'SANDBOXED_JS_FOR_WEB_TEMPLATE';
      this.compiled = this.realm.compile(this.template.code, ['require', 'data'],
        `${this.template.file} ___${section}___`, this.template.codeLine);
    }
    return this.compiled;
  }

  /** Runs the template code with `fields` (values may be realm values) and the two callbacks. */
  runTemplate(fields, onSuccess, onFailure) {
    const data = {};
    for (const key of Object.keys(fields || {})) data[key] = fields[key];
    data.gtmOnSuccess = () => {
      this.calls.push({ name: 'gtmOnSuccess', args: [] });
      if (onSuccess) onSuccess();
    };
    data.gtmOnFailure = () => {
      this.calls.push({ name: 'gtmOnFailure', args: [] });
      if (onFailure) onFailure();
    };
    return this.templateFunction()(this.realmRequire, this.realm.importValue(data));
  }
}

module.exports = { Harness, describeError, show };
