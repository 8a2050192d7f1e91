import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { demoTargets } from '../emulator/sample-data.ts';
import { loadOpenApiValidator, type OpenApiValidator } from '../support/openapi-validator.ts';
import { startRuntime, type CallOptions, type Runtime } from './runtime.ts';
import { apiToken, fn, runtimeEnv } from './setup.ts';

/**
 * Real answers of the local Netlify runtime, checked against the committed docs/openapi.yaml:
 * every endpoint, its success shapes and its errors. A field a response gains without its zod
 * schema (and so the document) gaining it fails here.
 */

let emulator: Emulator;
let runtime: Runtime;
let validator: OpenApiValidator;
const seen: { method: string; path: string; status: number }[] = [];

beforeAll(async () => {
  validator = loadOpenApiValidator();
  emulator = await startEmulator({ render: { writesPerMinute: false, readsPerMinute: false } });
  runtime = await startRuntime({ env: runtimeEnv(emulator) });
});

afterAll(async () => {
  await runtime?.stop();
  await emulator?.stop();
});

const [api] = demoTargets.render;
const json = { 'content-type': 'application/json' };
const authed = (body?: unknown): CallOptions => ({ token: apiToken, ...(body === undefined ? {} : { body }) });

/** Calls, checks the status, and validates the answer against the document. */
async function check(method: string, path: string, options: CallOptions, status: number) {
  const result = await runtime.call(method, path, options);
  const contentType = result.headers['content-type'];
  const problems = validator.problems({ method, url: path, status: result.status, contentType: typeof contentType === 'string' ? contentType : undefined, body: result.json ?? result.text });
  seen.push({ method, path, status: result.status });
  expect(result.status, result.text.slice(0, 400)).toBe(status);
  expect(problems).toEqual([]);
  return result;
}

describe('answers match docs/openapi.yaml', { timeout: 60_000 }, () => {
  it.each([
    ['health', 'GET', fn('health'), {}, 200],
    ['a dry-run by query', 'POST', `${fn('dry-run')}?provider=render`, authed(), 200],
    ['a dry-run by path for one target', 'POST', fn('dry-run', '/render'), authed({ target: api }), 200],
    ['an apply', 'POST', fn('apply', '/render'), authed(), 200],
    ['an apply of one target by query', 'POST', `${fn('apply')}?provider=netlify&target=${demoTargets.netlify[0] ?? ''}`, authed(), 200],
    ['apply-all', 'POST', fn('apply-all'), authed(), 200],
    ['runs', 'GET', `${fn('runs')}?limit=5`, authed(), 200],
    ['runs of one target', 'GET', `${fn('runs')}?provider=render&target=${api ?? ''}`, authed(), 200],
    ['tickets', 'GET', fn('tickets'), authed(), 200],
    ['resolved tickets', 'GET', `${fn('tickets')}?status=resolved`, authed(), 200],
    ['the dashboard', 'GET', fn('dashboard'), {}, 200],
    ['a dashboard asset', 'GET', `${fn('dashboard')}?asset=app.js`, {}, 200],
    ['no token', 'POST', fn('apply', '/render'), {}, 401],
    ['a wrong token', 'GET', fn('runs'), { token: 'wrong-token-0000000000000000000000000' }, 401],
    ['a body that is not JSON', 'POST', fn('apply-all'), { token: apiToken, rawBody: '{nope', headers: json }, 400],
    ['an oversized body', 'POST', fn('apply-all'), { token: apiToken, rawBody: JSON.stringify({ target: 'x'.repeat(20_000) }), headers: json }, 413],
    ['an unknown target', 'POST', fn('dry-run', '/render'), authed({ target: 'srv-nope' }), 400],
    ['a bad query value', 'GET', `${fn('runs')}?limit=0`, authed(), 400],
    ['an unknown asset', 'GET', `${fn('dashboard')}?asset=nope.js`, {}, 400],
    ['an unknown provider', 'POST', fn('apply', '/heroku'), authed(), 404],
    ['an unknown background run', 'GET', `${fn('runs')}?runId=no-such-run`, authed(), 404],
    ['a wrong method', 'GET', fn('apply-all'), authed(), 405],
    ['POST on health', 'POST', fn('health'), {}, 405],
  ] as const)('%s', async (_name, method, path, options, status) => {
    await check(method, path, options, status);
  });

  it('the background function, which the platform answers 202 with no body', async () => {
    await check('POST', fn('background'), { body: { runId: 'not-queued' } }, 202);
  });

  it('covered every documented operation', () => {
    const operations = new Set(seen.map((call) => `${call.method} ${new URL(call.path, 'http://x').pathname.replace(/\/(render|netlify|heroku|x)$/, '/{p}')}`));

    expect([...operations].sort()).toEqual(
      expect.arrayContaining([
        'GET /.netlify/functions/envsync-health',
        'POST /.netlify/functions/envsync-dry-run',
        'POST /.netlify/functions/envsync-dry-run/{p}',
        'POST /.netlify/functions/envsync-apply/{p}',
        'POST /.netlify/functions/envsync-apply',
        'POST /.netlify/functions/envsync-apply-all',
        'GET /.netlify/functions/envsync-runs',
        'GET /.netlify/functions/envsync-tickets',
        'GET /.netlify/functions/envsync-dashboard',
        'POST /.netlify/functions/envsync-background',
      ]),
    );
  });
});
