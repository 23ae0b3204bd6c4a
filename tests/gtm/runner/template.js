'use strict';
// Reading a GTM custom template (.tpl): its sections, parsed, and the Gallery files beside it.
// A .tpl is a series of `___NAME___` header lines, each followed by its body (JSON, JavaScript,
// YAML or text); real exports may start with a byte-order mark.

const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const HEADER = /^___([A-Z_]+)___\s*$/;
const JSON_SECTIONS = ['INFO', 'TEMPLATE_PARAMETERS', 'WEB_PERMISSIONS', 'SERVER_PERMISSIONS'];

/** The sections of a .tpl text, in file order: [{name, body, line}] (line: the body's first line, 1-based). */
function splitSections(text) {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const sections = [];
  let current = null;
  lines.forEach((line, index) => {
    const header = HEADER.exec(line);
    if (header) {
      current = { name: header[1], lines: [], line: index + 2 };
      sections.push(current);
    } else if (current) {
      current.lines.push(line);
    }
  });
  return sections.map((section) => {
    // Bodies are separated by blank lines; the code keeps its own line numbers from `line`.
    const body = section.lines.join('\n').replace(/\s+$/, '');
    const leading = body.length - body.replace(/^\n+/, '').length;
    return { name: section.name, body: body.replace(/^\n+/, ''), line: section.line + leading };
  });
}

/** A template loaded and parsed; problems found while parsing are listed, not thrown. */
function loadTemplate(file) {
  const absolute = path.resolve(file);
  const text = fs.readFileSync(absolute, 'utf8');
  const template = {
    file: absolute,
    dir: path.dirname(absolute),
    sections: splitSections(text),
    parsed: {},
    problems: [],
  };
  const byName = {};
  for (const section of template.sections) {
    if (byName[section.name]) template.problems.push(`section ___${section.name}___ appears twice`);
    byName[section.name] = section;
  }
  template.byName = byName;
  for (const name of JSON_SECTIONS) {
    if (!byName[name]) continue;
    try {
      template.parsed[name] = JSON.parse(byName[name].body);
    } catch (error) {
      template.problems.push(`___${name}___ is not valid JSON: ${error.message}`);
    }
  }
  if (byName.TESTS) {
    try {
      template.parsed.TESTS = YAML.parse(byName.TESTS.body) || {};
    } catch (error) {
      template.problems.push(`___TESTS___ is not valid YAML: ${error.message}`);
    }
  }
  template.kind = byName.SANDBOXED_JS_FOR_SERVER ? 'server' : 'web';
  const code = byName.SANDBOXED_JS_FOR_SERVER || byName.SANDBOXED_JS_FOR_WEB_TEMPLATE;
  template.code = code ? code.body : '';
  template.codeLine = code ? code.line : 1;
  template.info = template.parsed.INFO || {};
  template.parameters = template.parsed.TEMPLATE_PARAMETERS || [];
  template.permissionList = template.parsed[template.kind === 'server' ? 'SERVER_PERMISSIONS' : 'WEB_PERMISSIONS'] || [];
  template.tests = template.parsed.TESTS || {};
  return template;
}

/** The ___TESTS___ scenarios: [{name, code}], and the setup code run before each. */
function scenariosOf(template) {
  const tests = template.tests || {};
  const scenarios = Array.isArray(tests.scenarios) ? tests.scenarios : [];
  return { setup: typeof tests.setup === 'string' ? tests.setup : '', scenarios };
}

module.exports = { splitSections, loadTemplate, scenariosOf };
