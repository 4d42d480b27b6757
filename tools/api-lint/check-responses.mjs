// SPDX-License-Identifier: GPL-3.0-or-later
//
// check-responses.mjs OPENAPI.yaml EXCHANGES.jsonl
//
// Checks answers that the real cdm-server gave during a test run against
// the API description.  Each line of EXCHANGES.jsonl is one exchange:
//   {"method": "GET", "path": "/api/v1/sync/pull?cursor=0", "status": 200,
//    "content_type": "application/json", "body": <the parsed answer or null>}
// An exchange fails when its path and method are not described, when its
// status is not one of the operation's documented answers, when a
// documented JSON answer came without JSON, or when the body does not
// match the answer's schema.  Prints one line per failure and exits 1 if
// there was any, 0 otherwise.

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const [specPath, exchangesPath] = process.argv.slice(2);
if (!specPath || !exchangesPath) {
  console.error('usage: check-responses.mjs OPENAPI.yaml EXCHANGES.jsonl');
  process.exit(2);
}

const spec = parseYaml(readFileSync(specPath, 'utf8'));
const base = new URL(spec.servers[0].url, 'http://server').pathname.replace(/\/$/, '');

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, 'api');

// JSON pointer escaping (RFC 6901).
const esc = (s) => s.replaceAll('~', '~0').replaceAll('/', '~1');

// Path templates as regular expressions, most literal segments first so
// that /admin/users/{login}/revoke wins over a looser match.
const routes = Object.keys(spec.paths).map((template) => {
  const pattern = template.split('/').map((segment) =>
    segment.startsWith('{') ? '([^/]+)' : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
  return {
    template,
    regexp: new RegExp('^' + pattern.join('/') + '$'),
    literal: template.split('/').filter((s) => !s.startsWith('{')).length,
  };
}).sort((a, b) => b.literal - a.literal);

function resolve(object, pointer) {
  // Follows a local $ref of a response object; returns [object, pointer].
  while (object && object.$ref) {
    pointer = object.$ref.slice(1);
    object = pointer.split('/').slice(1)
      .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce((node, key) => node?.[key], spec);
  }
  return [object, pointer];
}

const validators = new Map();
function validatorFor(pointer) {
  if (!validators.has(pointer))
    validators.set(pointer, ajv.compile({ $ref: 'api#' + pointer }));
  return validators.get(pointer);
}

const failures = [];
const seen = new Set();
const lines = readFileSync(exchangesPath, 'utf8').split('\n').filter((l) => l.trim() !== '');

lines.forEach((line, index) => {
  const where = `${exchangesPath}:${index + 1}`;
  let exchange;
  try {
    exchange = JSON.parse(line);
  } catch (e) {
    failures.push(`${where}: not a JSON line: ${e.message}`);
    return;
  }
  const { method, status, body } = exchange;
  const path = new URL(exchange.path, 'http://server').pathname;
  const what = `${method} ${exchange.path} → ${status}`;

  if (!path.startsWith(base + '/')) {
    // Answers outside the API (a typo'd prefix, path tricks) must still be
    // JSON errors, which is all the description can say of them.
    if (status >= 400 && !(body && body.error && typeof body.error.code === 'string'))
      failures.push(`${where}: ${what}: an error outside the API without a JSON error`);
    return;
  }
  const route = routes.find((r) => r.regexp.test(path.slice(base.length)));
  const operation = route && spec.paths[route.template][method.toLowerCase()];
  if (!operation) {
    // Unknown routes and methods answer 404 and 405 with a JSON error.
    if (![404, 405].includes(status) || !(body && body.error))
      failures.push(`${where}: ${what}: not described and not a JSON 404/405`);
    return;
  }
  const key = `${method.toUpperCase()} ${route.template} ${status}`;
  seen.add(key);

  const documented = operation.responses[String(status)] ?? operation.responses.default;
  if (!documented) {
    failures.push(`${where}: ${what}: status ${status} is not documented for ${method.toUpperCase()} ${route.template}`);
    return;
  }
  const [response, pointer] = resolve(documented,
    `/paths/${esc(route.template)}/${method.toLowerCase()}/responses/${status}`);
  const json = response.content?.['application/json'];
  if (!json) {
    if (body !== null && body !== undefined)
      failures.push(`${where}: ${what}: documented without a body, but one came`);
    return;
  }
  if (body === null || body === undefined) {
    failures.push(`${where}: ${what}: documented as JSON, but no JSON came`);
    return;
  }
  if (exchange.content_type && !exchange.content_type.startsWith('application/json'))
    failures.push(`${where}: ${what}: Content-Type is ${exchange.content_type}`);
  const validate = validatorFor(`${pointer}/content/application~1json/schema`);
  if (!validate(body)) {
    const why = validate.errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    failures.push(`${where}: ${what}: ${why}`);
  }
});

for (const failure of failures)
  console.log(failure);
console.log(`${lines.length} exchanges, ${seen.size} documented answers seen, ${failures.length} failures`);
process.exit(failures.length > 0 ? 1 : 0);
