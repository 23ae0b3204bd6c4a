#!/usr/bin/env node
'use strict';
// The GTM template runner's command line; every command prints one JSON document.
//
//   node cli.js scenarios TEMPLATE            the ___TESTS___ scenario names
//   node cli.js test TEMPLATE [NAME ...]      runs the scenarios (all, or those named); exit 1 if one fails
//   node cli.js check TEMPLATE                the template check (sections, fields, permissions, Gallery files)
//   node cli.js fire TEMPLATE SPEC.json|-     real mode: runs the code against a gateway (see fire.js)

const fs = require('fs');
const { loadTemplate, scenariosOf } = require('./template');

function print(value) {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

async function main(argv) {
  const [command, file, ...rest] = argv;
  if (!command || !file) {
    process.stderr.write('usage: cli.js scenarios|test|check|fire TEMPLATE [...]\n');
    return 2;
  }
  const template = loadTemplate(file);
  switch (command) {
    case 'scenarios':
      print({ problems: template.problems, scenarios: scenariosOf(template).scenarios.map((s) => s.name) });
      return template.problems.length ? 1 : 0;
    case 'test': {
      const { runScenarios } = require('./scenarios');
      const results = runScenarios(template, rest.length ? rest : null);
      print({ results });
      return results.every((result) => result.passed) ? 0 : 1;
    }
    case 'check': {
      const { checkTemplate } = require('./check');
      const checks = checkTemplate(template);
      print({ checks });
      return Object.values(checks).every((problems) => problems.length === 0) ? 0 : 1;
    }
    case 'fire': {
      const source = rest[0] === undefined || rest[0] === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(rest[0], 'utf8');
      const { fire } = require('./fire');
      const report = await fire(template, JSON.parse(source));
      print(report);
      return 0;
    }
    default:
      process.stderr.write(`unknown command ${command}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (error) => {
  process.stderr.write((error && error.stack) || String(error));
  process.stderr.write('\n');
  process.exitCode = 2;
});
