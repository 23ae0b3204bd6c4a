'use strict';
// The permissions of a template (___WEB_PERMISSIONS___ / ___SERVER_PERMISSIONS___) and what each
// one allows. GTM checks every sandboxed API call against them; so does the runner, and an API
// used without its permission fails the run (the export shape: a template's ___WEB_PERMISSIONS___ section).

/** A permission parameter value as plain JS: 1 string, 2 list, 3 map, 8 boolean. */
function decodeValue(value) {
  if (!value || typeof value !== 'object') return undefined;
  switch (value.type) {
    case 1: return value.string;
    case 2: return (value.listItem || []).map(decodeValue);
    case 3: {
      const map = {};
      (value.mapKey || []).forEach((key, index) => { map[decodeValue(key)] = decodeValue((value.mapValue || [])[index]); });
      return map;
    }
    case 8: return value.boolean === true;
    default: return undefined;
  }
}

/** {permissionId: {param: value}} from the exported list. */
function decodePermissions(list) {
  const byId = {};
  for (const entry of Array.isArray(list) ? list : []) {
    const key = entry && entry.instance && entry.instance.key;
    if (!key || typeof key.publicId !== 'string') continue;
    const params = {};
    for (const param of entry.instance.param || []) params[param.key] = decodeValue(param.value);
    byId[key.publicId] = params;
  }
  return byId;
}

/** A URL match pattern (https://host/path, `*.` subdomains, `*` in the path; a path of `/` covers all below). */
function urlMatches(pattern, url) {
  let target;
  let wanted;
  try {
    target = new URL(url);
    wanted = new URL(pattern.replace('://*.', '://wildcard-subdomain.'));
  } catch (error) {
    return false;
  }
  if (target.protocol !== wanted.protocol) return false;
  const host = wanted.hostname;
  if (host.startsWith('wildcard-subdomain.')) {
    const base = host.slice('wildcard-subdomain.'.length);
    if (target.hostname !== base && !target.hostname.endsWith('.' + base)) return false;
  } else if (target.hostname !== host) {
    return false;
  }
  if (wanted.port !== target.port) return false;
  const pathPattern = decodeURI(wanted.pathname);
  if (pathPattern === '/') return true;
  return globMatches(pathPattern, target.pathname);
}

/** `*` matches any characters; everything else literally. */
function globMatches(pattern, text) {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp('^' + escaped + '$').test(String(text));
}

function urlAllowed(params, url) {
  if (params.allowedUrls === 'any') return true;
  return (params.urls || []).some((pattern) => urlMatches(pattern, url));
}

/** A data-layer or event-data key against `any` or a list of dotted patterns (`a.b`, `a.*`). */
function keyAllowed(access, patterns, key) {
  if (access === 'any') return true;
  if (typeof key !== 'string') return false;
  return (patterns || []).some((pattern) => globMatches(pattern, key));
}

/** What `queryPermission(id, ...args)` and the API calls ask of each permission. */
const PERMISSION_CHECKS = {
  send_pixel: (params, url) => urlAllowed(params, url),
  send_http: (params, url) => urlAllowed(params, url),
  inject_script: (params, url) => (params.urls || []).some((pattern) => urlMatches(pattern, url)),
  inject_hidden_iframe: (params, url) => (params.urls || []).some((pattern) => urlMatches(pattern, url)),
  read_data_layer: (params, key) => keyAllowed(params.allowedKeys, params.keyPatterns, key),
  read_event_data: (params, key) => keyAllowed(params.eventDataAccess, params.keyPatterns, key),
  access_globals: (params, mode, key) => (params.keys || []).some((entry) => entry.key === key && entry[mode] === true),
  access_local_storage: (params, mode, key) =>
    (params.keys || []).some((entry) => entry.key === key && entry[mode] === true),
  access_consent: (params, type, mode) =>
    (params.consentTypes || []).some((entry) => entry.consentType === type && entry[mode || 'read'] === true),
  get_cookies: (params, name) => params.cookieAccess === 'any' ||
    (params.cookieNames || []).some((pattern) => globMatches(pattern, name)),
  set_cookies: (params, name, options) => (params.allowedCookies || []).some((entry) => {
    const opts = options || {};
    return globMatches(entry.name, name) &&
      (entry.domain === '*' || entry.domain === opts.domain) &&
      (entry.path === '*' || entry.path === opts.path) &&
      (entry.secure === 'any' || (entry.secure === 'secure' ? opts.secure === true : opts.secure !== true)) &&
      (entry.session === 'any' || (entry.session === 'session'
        ? opts['max-age'] === undefined && opts.expires === undefined
        : opts['max-age'] !== undefined || opts.expires !== undefined));
  }),
  get_url: (params, component, queryKey) => urlPartAllowed(params, component, queryKey),
  get_referrer: (params, component, queryKey) => urlPartAllowed(params, component, queryKey),
  logging: () => true, // the environment decides whether anything is printed; see `loggingAllowed`
  read_title: () => true,
  read_character_set: () => true,
  read_container_data: () => true,
  read_event_metadata: () => true,
  access_template_storage: () => true,
};

/** get_url/get_referrer: `any`, or (UNCONFIRMED export shape) a boolean per component and a query key list. */
function urlPartAllowed(params, component, queryKey) {
  if (params.urlParts !== 'any') {
    if (component === undefined || params[component] !== true) return false;
  }
  if (component === 'query' && queryKey !== undefined && params.queriesAllowed !== 'any') {
    return (params.queryKeys || []).indexOf(queryKey) >= 0;
  }
  return true;
}

/** The permissions of one template, answering whether a call is allowed. */
class Permissions {
  constructor(list) {
    this.byId = decodePermissions(list);
  }

  has(id) {
    return Object.prototype.hasOwnProperty.call(this.byId, id);
  }

  allows(id, args) {
    if (!this.has(id)) return false;
    const check = PERMISSION_CHECKS[id];
    return check ? check(this.byId[id], ...args) : false;
  }

  /** Whether logToConsole prints here: `all`, or `debug` in a debug (preview/test) environment. */
  loggingAllowed(debug) {
    const environments = (this.byId.logging || {}).environments;
    return environments === 'all' || (environments === 'debug' && debug);
  }
}

module.exports = { Permissions, decodePermissions, decodeValue, urlMatches, globMatches, PERMISSION_CHECKS };
