'use strict';
// What a piece of sandboxed JavaScript uses, read from its syntax tree (acorn): the APIs it
// requires, the `data.<field>`s it reads, the literal arguments of API calls, the globals it
// assumes, and any syntax GTM's sandbox does not have (it is ECMAScript 5.1 plus arrow functions
// and const/let: no template literals, classes, spread, destructuring, `new`, regex literals...).

const acorn = require('acorn');

const NOT_IN_SANDBOX = {
  TemplateLiteral: 'template literals', TaggedTemplateExpression: 'tagged templates', ForOfStatement: 'for...of',
  SpreadElement: 'spread (...)', RestElement: 'rest parameters (...)', ObjectPattern: 'destructuring',
  ArrayPattern: 'destructuring', AssignmentPattern: 'default values of parameters', ClassDeclaration: 'classes',
  ClassExpression: 'classes', NewExpression: '`new` (the sandbox has no constructors)', AwaitExpression: 'await',
  YieldExpression: 'generators', ChainExpression: 'optional chaining (?.)', ImportExpression: 'import()',
  MetaProperty: 'new.target / import.meta',
};
const ALWAYS_DEFINED = new Set(['undefined', 'NaN', 'Infinity']);

function children(node) {
  const found = [];
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (Array.isArray(value)) value.forEach((item) => { if (item && typeof item.type === 'string') found.push(item); });
    else if (value && typeof value.type === 'string') found.push(value);
  }
  return found;
}

/** Calls visit(node, parent) for every node of the tree. */
function walk(node, visit, parent) {
  visit(node, parent);
  for (const child of children(node)) walk(child, visit, node);
}

function literalOf(node, constants) {
  if (node && node.type === 'Literal' && !node.regex) return node.value;
  if (node && node.type === 'Identifier' && constants && constants.has(node.name)) return constants.get(node.name);
  return undefined;
}

/**
 * {requires, fields, calls, problems} of `code`; `globals`: names the code may use undeclared;
 * `firstLine`: the code's first line in its file (problems name file lines).
 * calls: [{api, method, args (literals, undefined where not), line}] of calls through a required API.
 */
function analyse(code, globals, firstLine) {
  const result = { requires: [], fields: new Set(), calls: [], problems: [] };
  let tree;
  try {
    tree = acorn.parse(code, { ecmaVersion: 2022, sourceType: 'script', allowReturnOutsideFunction: true,
      locations: true });
  } catch (error) {
    result.problems.push(`does not parse: ${error.message}`);
    return result;
  }
  const declared = new Set(globals || []);
  const apiOf = new Map(); // local name → required API
  const constants = new Map(); // const NAME = <literal>: calls with NAME count as literal
  const literalValue = (node) => literalOf(node, constants);
  walk(tree, (node, parent) => {
    if (node.type === 'VariableDeclarator' && node.id.type === 'Identifier') {
      declared.add(node.id.name);
      const init = node.init;
      if (init && init.type === 'CallExpression' && init.callee.type === 'Identifier' && init.callee.name === 'require') {
        apiOf.set(node.id.name, literalOf(init.arguments[0]));
      }
      if (parent && parent.kind === 'const' && literalOf(init) !== undefined) constants.set(node.id.name, literalOf(init));
    }
    if ((node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression') && node.id) declared.add(node.id.name);
    if (/Function/.test(node.type)) node.params.forEach((param) => { if (param.type === 'Identifier') declared.add(param.name); });
    if (node.type === 'CatchClause' && node.param && node.param.type === 'Identifier') declared.add(node.param.name);
  });
  walk(tree, (node, parent) => {
    const line = node.loc ? node.loc.start.line + (firstLine || 1) - 1 : 0;
    if (NOT_IN_SANDBOX[node.type]) result.problems.push(`line ${line}: ${NOT_IN_SANDBOX[node.type]} are not sandboxed JavaScript`);
    if (node.type === 'Literal' && node.regex) result.problems.push(`line ${line}: regular expression literals are not sandboxed JavaScript`);
    if (node.type === 'Property' && (node.shorthand || node.method || node.computed || node.kind !== 'init')) {
      result.problems.push(`line ${line}: shorthand, computed or method properties are not sandboxed JavaScript`);
    }
    if ((node.type === 'BinaryExpression' && node.operator === '**') ||
        (node.type === 'LogicalExpression' && node.operator === '??')) {
      result.problems.push(`line ${line}: the ${node.operator} operator is not sandboxed JavaScript`);
    }
    if (node.type === 'UnaryExpression' && node.operator === 'delete') {
      result.problems.push(`line ${line}: \`delete\` is not sandboxed JavaScript (Object.delete is)`);
    }
    if (/Function/.test(node.type) && (node.async || node.generator)) {
      result.problems.push(`line ${line}: async functions and generators are not sandboxed JavaScript`);
    }
    if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === 'require') {
      const name = literalValue(node.arguments[0]);
      if (typeof name === 'string') result.requires.push({ name, line });
      else result.problems.push(`line ${line}: require() needs the API's name as a string literal`);
    }
    if (node.type === 'MemberExpression' && node.object.type === 'Identifier' && node.object.name === 'data') {
      const field = node.computed ? literalValue(node.property) : node.property.name;
      if (typeof field === 'string') result.fields.add(field);
    }
    if (node.type === 'CallExpression') {
      const callee = node.callee;
      const args = node.arguments.map(literalValue);
      if (callee.type === 'Identifier' && apiOf.has(callee.name)) {
        result.calls.push({ api: apiOf.get(callee.name), method: undefined, args, line });
      } else if (callee.type === 'MemberExpression' && callee.object.type === 'Identifier' &&
                 apiOf.has(callee.object.name) && !callee.computed) {
        result.calls.push({ api: apiOf.get(callee.object.name), method: callee.property.name, args, line });
      }
    }
    if (node.type === 'Identifier' && !declared.has(node.name) && !ALWAYS_DEFINED.has(node.name)) {
      const isPropertyName = parent && ((parent.type === 'MemberExpression' && parent.property === node && !parent.computed) ||
        (parent.type === 'Property' && parent.key === node && !parent.computed));
      const isLabel = parent && /Statement$/.test(parent.type) && parent.label === node;
      if (!isPropertyName && !isLabel) {
        result.problems.push(`line ${line}: uses \`${node.name}\`, which the sandbox does not define (require it?)`);
      }
    }
  });
  result.problems = Array.from(new Set(result.problems));
  return result;
}

module.exports = { analyse };
