'use strict';
// Running a template's ___TESTS___ scenarios as GTM's "Run Tests" does: for each scenario a
// fresh environment, `setup` and the scenario's code run as one block (setup's constants are
// visible to the scenario), with the test API as globals.

const { Harness, describeError } = require('./harness');
const { testApi } = require('./test_api');
const { scenariosOf } = require('./template');

const TEST_GLOBALS = ['require', 'mock', 'mockObject', 'runCode', 'assertApi', 'assertThat', 'fail'];

/** {name, passed, problems, logs} of one scenario. */
function runScenario(template, scenario, setup) {
  const harness = new Harness(template, {});
  const api = testApi(harness);
  const problems = [];
  try {
    const code = (setup ? setup + '\n' : '') + String(scenario.code || '');
    const fn = harness.realm.compile(code, TEST_GLOBALS, `${template.file} ___TESTS___ "${scenario.name}"`, 1);
    fn(...TEST_GLOBALS.map((name) => harness.realm.importValue(api[name])));
    harness.drain();
  } catch (error) {
    const known = harness.failures.concat(harness.violations);
    if (!known.includes(error.message)) problems.push(describeError(error));
  }
  problems.unshift(...harness.failures, ...harness.violations.map((v) => `permission violation: ${v}`));
  problems.push(...harness.errors.map((e) => `error in a callback: ${e}`));
  return { name: scenario.name, passed: problems.length === 0, problems, logs: harness.env.logs };
}

/** Every scenario (or only those named in `only`), in file order. */
function runScenarios(template, only) {
  const { setup, scenarios } = scenariosOf(template);
  if (template.problems.length) {
    return [{ name: '(template)', passed: false, problems: template.problems, logs: [] }];
  }
  return scenarios
    .filter((scenario) => !only || only.includes(scenario.name))
    .map((scenario) => runScenario(template, scenario, setup));
}

module.exports = { runScenario, runScenarios };
