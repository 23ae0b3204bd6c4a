'use strict';
// The template check: what GTM's import and the Community Template Gallery need, and what the
// runner can tell without running the code. Each check gives a list of problems (empty: passed).

const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const { apiTable } = require('./api_table');
const { Permissions } = require('./permissions');
const { analyse } = require('./syntax');

const SECTION_ORDER = {
  web: ['TERMS_OF_SERVICE', 'INFO', 'TEMPLATE_PARAMETERS', 'SANDBOXED_JS_FOR_WEB_TEMPLATE', 'WEB_PERMISSIONS', 'TESTS',
    'NOTES'],
  server: ['TERMS_OF_SERVICE', 'INFO', 'TEMPLATE_PARAMETERS', 'SANDBOXED_JS_FOR_SERVER', 'SERVER_PERMISSIONS', 'TESTS',
    'NOTES'],
};
const CALLBACKS = new Set(['gtmOnSuccess', 'gtmOnFailure']);
const TEST_GLOBALS = ['require', 'mock', 'mockObject', 'runCode', 'assertApi', 'assertThat', 'fail'];
// API → the permission and the permission arguments of a call whose first argument is a literal key.
const KEYED_CALLS = {
  copyFromDataLayer: ['read_data_layer', (key) => [key]],
  copyFromWindow: ['access_globals', (key) => ['read', key]],
  setInWindow: ['access_globals', (key) => ['write', key]],
  callInWindow: ['access_globals', (key) => ['execute', key]],
  getCookieValues: ['get_cookies', (key) => [key]],
  isConsentGranted: ['access_consent', (key) => [key, 'read']],
  getEventData: ['read_event_data', (key) => [key]],
};
// Permission → how its declared keys are listed, to find keys that no call uses (broader than needed).
const DECLARED_KEYS = {
  read_data_layer: (p) => (p.allowedKeys === 'specific' ? p.keyPatterns || [] : null),
  get_cookies: (p) => (p.cookieAccess === 'specific' ? p.cookieNames || [] : null),
  set_cookies: (p) => (p.allowedCookies || []).map((entry) => entry.name),
  access_globals: (p) => (p.keys || []).map((entry) => entry.key),
  access_consent: (p) => (p.consentTypes || []).map((entry) => entry.consentType),
};
const KEY_APIS = {
  read_data_layer: ['copyFromDataLayer'], get_cookies: ['getCookieValues'], set_cookies: ['setCookie'],
  access_globals: ['copyFromWindow', 'setInWindow', 'callInWindow'], access_consent: ['isConsentGranted'],
};

/** The template's fields (TEXT, SELECT, CHECKBOX, tables...), groups and labels excluded, nested ones included. */
function fieldsOf(parameters) {
  const fields = [];
  const visit = (list) => {
    for (const param of Array.isArray(list) ? list : []) {
      if (param.type !== 'GROUP' && param.type !== 'LABEL') fields.push(param);
      visit(param.subParams);
      for (const item of param.radioItems || []) visit(item.subParams);
    }
  };
  visit(parameters);
  return fields;
}

function checkSections(template) {
  const problems = template.problems.slice();
  const expected = SECTION_ORDER[template.kind];
  const present = template.sections.map((section) => section.name);
  for (const name of expected) if (!present.includes(name)) problems.push(`missing section ___${name}___`);
  for (const name of present) if (!expected.includes(name)) problems.push(`unexpected section ___${name}___`);
  const ordered = present.filter((name) => expected.includes(name));
  if (ordered.join() !== expected.filter((name) => present.includes(name)).join()) {
    problems.push(`sections are not in the export order ${expected.join(', ')}`);
  }
  const tos = template.byName.TERMS_OF_SERVICE;
  if (tos && !/Community\s+Template Gallery Developer Terms of Service/.test(tos.body)) {
    problems.push('___TERMS_OF_SERVICE___ is not the Gallery terms text');
  }
  return problems;
}

function checkInfo(template) {
  const info = template.info;
  const problems = [];
  if (info.type !== 'TAG') problems.push(`___INFO___.type is ${JSON.stringify(info.type)}, not "TAG"`);
  if (info.id !== 'cvt_temp_public_id') problems.push('___INFO___.id must be "cvt_temp_public_id" (as exports write it)');
  const context = template.kind === 'server' ? 'SERVER' : 'WEB';
  if (JSON.stringify(info.containerContexts) !== JSON.stringify([context])) {
    problems.push(`___INFO___.containerContexts must be ["${context}"] for this code section`);
  }
  for (const key of ['displayName', 'description']) if (!info[key]) problems.push(`___INFO___.${key} is empty`);
  if (!Array.isArray(info.categories) || info.categories.length === 0) problems.push('___INFO___.categories is empty');
  if (!info.brand || !info.brand.id || !info.brand.displayName) problems.push('___INFO___.brand needs id and displayName');
  return problems;
}

function checkFields(template, code) {
  const problems = [];
  const fields = fieldsOf(template.parameters);
  const names = fields.map((field) => field.name);
  names.filter((name, index) => names.indexOf(name) !== index).forEach((name) => problems.push(`field ${name} is declared twice`));
  for (const field of fields) {
    if (!field.name) problems.push(`a ${field.type} field has no name`);
    if (!field.displayName) problems.push(`field ${field.name} has no displayName`);
    if (!field.help) problems.push(`field ${field.name} has no help text`);
    if (field.type === 'SELECT' && field.defaultValue !== undefined &&
        !(field.selectItems || []).some((item) => item.value === field.defaultValue)) {
      problems.push(`field ${field.name}: the default ${JSON.stringify(field.defaultValue)} is not one of its items`);
    }
  }
  for (const used of code.fields) {
    if (!CALLBACKS.has(used) && !names.includes(used)) problems.push(`the code reads data.${used}, which is not a declared field`);
  }
  for (const name of names) if (!code.fields.has(name)) problems.push(`field ${name} is declared but the code never reads it`);
  return problems;
}

function checkPermissions(template, code) {
  const problems = [];
  const table = apiTable(template.kind);
  const permissions = new Permissions(template.permissionList);
  const needed = new Set();
  const seen = new Set();
  for (const entry of template.permissionList) {
    const key = entry && entry.instance && entry.instance.key;
    if (!key || typeof key.publicId !== 'string' || key.versionId !== '1' || !Array.isArray(entry.instance.param)) {
      problems.push(`a permission entry is not {instance: {key: {publicId, versionId: "1"}, param: [...]}}: ${JSON.stringify(entry).slice(0, 80)}`);
      continue;
    }
    if (seen.has(key.publicId)) problems.push(`permission ${key.publicId} is declared twice`);
    seen.add(key.publicId);
    if (entry.isRequired !== true) problems.push(`permission ${key.publicId} is not marked isRequired`);
  }
  for (const { name, line } of code.requires) {
    if (!table[name]) {
      problems.push(`line ${line}: require('${name}') is not a ${template.kind} API the runner knows`);
    } else if (table[name][0]) {
      needed.add(table[name][0]);
      if (!permissions.has(table[name][0])) problems.push(`require('${name}') needs the ${table[name][0]} permission`);
    }
  }
  for (const id of Object.keys(permissions.byId)) {
    if (!needed.has(id)) problems.push(`permission ${id} is declared but no required API needs it`);
  }
  for (const call of code.calls) {
    const keyed = !call.method && KEYED_CALLS[call.api];
    if (keyed && call.args[0] !== undefined && permissions.has(keyed[0]) &&
        !permissions.allows(keyed[0], keyed[1](call.args[0]))) {
      problems.push(`line ${call.line}: ${call.api}(${JSON.stringify(call.args[0])}) is not allowed by ${keyed[0]}`);
    }
  }
  for (const id of Object.keys(DECLARED_KEYS)) {
    if (!permissions.has(id)) continue;
    const declared = DECLARED_KEYS[id](permissions.byId[id]);
    if (declared === null) {
      problems.push(`${id} allows any key: list the keys the code uses`);
      continue;
    }
    const calls = code.calls.filter((call) => !call.method && KEY_APIS[id].includes(call.api));
    if (calls.some((call) => call.args[0] === undefined)) continue; // a key chosen at run time: cannot tell
    const used = calls.map((call) => String(call.args[0]));
    for (const key of declared) {
      const pattern = new RegExp('^' + String(key).split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
      if (!used.some((value) => pattern.test(value))) problems.push(`${id} allows ${JSON.stringify(key)}, which no call uses`);
    }
  }
  for (const entry of (permissions.byId.access_globals || {}).keys || []) {
    if (entry.write && !code.requires.some((r) => r.name === 'setInWindow')) {
      problems.push(`access_globals allows writing ${entry.key}, which the code never does`);
    }
    if (entry.execute && !code.requires.some((r) => r.name === 'callInWindow')) {
      problems.push(`access_globals allows executing ${entry.key}, which the code never does`);
    }
  }
  for (const entry of (permissions.byId.access_consent || {}).consentTypes || []) {
    if (entry.write) problems.push(`access_consent allows writing ${entry.consentType}, which a tag reading consent does not need`);
  }
  if (permissions.has('logging') && permissions.byId.logging.environments !== 'debug') {
    problems.push('logging must be limited to the debug environment (nothing is logged on a live site)');
  }
  return problems;
}

function checkTests(template, fields) {
  const problems = [];
  const tests = template.tests || {};
  const scenarios = Array.isArray(tests.scenarios) ? tests.scenarios : [];
  if (scenarios.length === 0) problems.push('___TESTS___ has no scenarios');
  const names = scenarios.map((scenario) => scenario && scenario.name);
  scenarios.forEach((scenario, index) => {
    if (!scenario || typeof scenario.name !== 'string' || typeof scenario.code !== 'string') {
      problems.push(`scenario ${index + 1} needs a name and code (strings)`);
    } else if (names.indexOf(scenario.name) !== index) {
      problems.push(`scenario name ${JSON.stringify(scenario.name)} is used twice`);
    }
  });
  if (tests.setup !== undefined && typeof tests.setup !== 'string') problems.push('___TESTS___ setup must be a string');
  const setup = typeof tests.setup === 'string' ? tests.setup : '';
  for (const scenario of scenarios.filter((s) => s && typeof s.code === 'string')) {
    for (const problem of analyse(setup + '\n' + scenario.code, TEST_GLOBALS).problems) {
      problems.push(`scenario ${JSON.stringify(scenario.name)} (with setup): ${problem}`);
    }
  }
  const text = scenarios.map((scenario) => (scenario && scenario.code) || '').join('\n');
  for (const field of fields) {
    if (!new RegExp('\\b' + field.name + '\\b').test(text)) problems.push(`no scenario sets or uses the field ${field.name}`);
  }
  return problems;
}

function checkMetadata(template) {
  const file = path.join(template.dir, 'metadata.yaml');
  if (!fs.existsSync(file)) return ['metadata.yaml is missing'];
  let metadata;
  try {
    metadata = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    return [`metadata.yaml is not valid YAML: ${error.message}`];
  }
  const problems = [];
  for (const key of ['homepage', 'documentation']) {
    if (typeof (metadata || {})[key] !== 'string' || !/^https:\/\/\S+$/.test(metadata[key])) {
      problems.push(`metadata.yaml: ${key} must be an https:// URL`);
    }
  }
  const versions = (metadata || {}).versions;
  if (!Array.isArray(versions) || versions.length === 0) return problems.concat('metadata.yaml: versions is empty');
  versions.forEach((version, index) => {
    if (!version || !/^[0-9a-f]{40}$/.test(String(version.sha))) problems.push(`metadata.yaml: versions[${index}].sha is not a commit sha`);
    if (!version || typeof version.changeNotes !== 'string' || !version.changeNotes.trim()) {
      problems.push(`metadata.yaml: versions[${index}].changeNotes is empty`);
    }
  });
  return problems;
}

function checkFiles(template) {
  const problems = [];
  const license = path.join(template.dir, 'LICENSE');
  if (!fs.existsSync(license)) problems.push('LICENSE is missing');
  else if (!/Apache License\s+Version 2\.0/.test(fs.readFileSync(license, 'utf8'))) problems.push('LICENSE is not Apache 2.0');
  const readme = path.join(template.dir, 'README.md');
  if (!fs.existsSync(readme) || fs.readFileSync(readme, 'utf8').trim().length < 200) problems.push('README.md is missing or empty');
  return problems;
}

/** {checkName: [problem, ...]} for one loaded template. */
function checkTemplate(template) {
  const code = analyse(template.code, ['require', 'data'], template.codeLine);
  const fields = fieldsOf(template.parameters);
  return {
    sections: checkSections(template),
    info: checkInfo(template),
    syntax: code.problems,
    fields: checkFields(template, code),
    permissions: checkPermissions(template, code),
    tests: checkTests(template, fields),
    metadata: checkMetadata(template),
    files: checkFiles(template),
  };
}

module.exports = { checkTemplate, fieldsOf };
