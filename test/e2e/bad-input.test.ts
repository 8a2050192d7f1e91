import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { functionNames, startRuntime, type CallResult, type Runtime } from './runtime.ts';
import { demoTargets } from '../emulator/sample-data.ts';
import { apiToken, fn, runtimeEnv, secretsOf } from './setup.ts';

/**
 * Bad input, over every function, through the real local runtime: missing, wrong and read-only
 * tokens, wrong methods, bodies that are not JSON, of the wrong type, deeply nested, 6 MB and 20 MB,
 * unknown providers (`__proto__`, `constructor` included), unknown targets, encoded traversal,
 * NUL and CRLF, an 8 KB query string, duplicate Authorization headers. Every answer must be a JSON
 * error with the right status and a message that says what to fix, never a stack trace or a file
 * path, and the provider emulator must see no write.
 *
 * The table below names every function. A new function without a row fails the first test: add
 * its row (methods, who may call it, whether it takes a body) so it is covered too.
 */

type Access = 'public' | 'read' | 'write' | 'signed' | 'vault' | 'page' | 'scheduled';
interface Row {
  readonly methods: readonly string[];
  readonly access: Access;
  /** Takes a JSON body (POST). */
  readonly body: boolean;
  /** Sub-path naming a provider, for endpoints that take one. */
  readonly provider?: boolean;
}

const table: Readonly<Record<string, Row>> = {
  health: { methods: ['GET'], access: 'public', body: false },
  'dry-run': { methods: ['POST'], access: 'read', body: true, provider: true },
  apply: { methods: ['POST'], access: 'write', body: true, provider: true },
  'apply-all': { methods: ['POST'], access: 'write', body: true },
  runs: { methods: ['GET'], access: 'read', body: false },
  tickets: { methods: ['GET'], access: 'read', body: false },
  background: { methods: ['POST'], access: 'signed', body: true },
  // netlify-cli answers a scheduled function's URL with its own help text; production never routes it.
  scheduled: { methods: ['POST'], access: 'scheduled', body: false },
  events: { methods: ['GET'], access: 'read', body: false },
  history: { methods: ['GET'], access: 'read', body: false },
  trigger: { methods: ['POST'], access: 'write', body: true },
  rollback: { methods: ['POST'], access: 'write', body: true },
  vault: { methods: ['GET'], access: 'vault', body: false },
  dashboard: { methods: ['GET'], access: 'page', body: false },
};

const readToken = 'e2e-read-token-only-reads-0123456789abcdef';
const wrongToken = 'e2e-wrong-token-0000000000000000000000000';

let emulator: Emulator;
let runtime: Runtime;
let secrets: string[];
let names: string[];
let before: string;

beforeAll(async () => {
  emulator = await startEmulator({ render: { writesPerMinute: false, readsPerMinute: false } });
  const env = runtimeEnv(emulator, { ENVSYNC_READ_TOKEN: readToken });
  secrets = [...secretsOf(env), readToken];
  runtime = await startRuntime({ env });
  names = (await functionNames()).map((name) => name.replace(/^envsync-/, ''));
  before = JSON.stringify(state(emulator));
});

afterAll(async () => {
  await runtime?.stop();
  await emulator?.stop();
});

/** Everything the emulator holds, key names and values: must not change. */
function state(target: Emulator) {
  const services = demoTargets.render.map((id) => target.render.variables(id));
  const sites = demoTargets.netlify.map((id) => target.netlify.keys(id).map((key) => target.netlify.variable(id, key)));
  return { services, sites, writes: target.writeCount() };
}

/** A JSON error that says what to fix, and nothing an attacker could learn from. */
function expectCleanError(result: CallResult, status: number | readonly number[], what: string) {
  const statuses = typeof status === 'number' ? [status] : status;
  expect(statuses, `${what}: status ${result.status}, body ${result.text.slice(0, 300)}`).toContain(result.status);
  expect(result.headers['content-type'], what).toMatch(/application\/json/);
  const body = result.json as { error?: { code?: unknown; message?: unknown } } | undefined;
  expect(typeof body?.error?.code, what).toBe('string');
  expect(typeof body?.error?.message, what).toBe('string');
  expect(String(body?.error?.message).length, `${what}: the message should say what to fix`).toBeGreaterThan(20);
  expect(result.text, `${what}: no stack trace`).not.toMatch(/\bat \S+ \(|\bat (file|node):|\.ts:\d+:\d+/);
  expect(result.text, `${what}: no file path`).not.toMatch(/\/work\/|\/tmp\/|node_modules|file:\/\//);
  for (const secret of secrets) expect(result.text, what).not.toContain(secret);
}

const present = (name: string) => names.includes(name);
const tokenFor = (row: Row) => (row.access === 'read' ? readToken : apiToken);

describe('bad input over every function', { timeout: 240_000 }, () => {
  it('every function has a row in the table', () => {
    const missing = names.filter((name) => table[name] === undefined);
    expect(missing, 'add a row for each new function to test/e2e/bad-input.test.ts').toEqual([]);
  });

  it('a method a function does not accept is a 405 JSON error with Allow', async () => {
    for (const name of names) {
      const row = table[name];
      // Background functions answer 202 to any request before the code runs (the platform's rule).
      if (row === undefined || row.access === 'scheduled' || row.access === 'signed') continue;
      for (const method of ['DELETE', row.methods.includes('GET') ? 'POST' : 'GET']) {
        const result = await runtime.call(method, fn(name), { token: apiToken });
        expectCleanError(result, 405, `${method} ${name}`);
        expect(String(result.headers['allow']), `${method} ${name}`).toContain(row.methods[0]);
      }
    }
  });

  it('a protected function refuses a missing, wrong or duplicated token, and a read token where it writes', async () => {
    for (const name of names) {
      const row = table[name];
      if (row === undefined || !['read', 'write'].includes(row.access)) continue;
      const method = row.methods[0] ?? 'GET';
      const path = fn(name, row.provider === true ? '/render' : '');
      expectCleanError(await runtime.call(method, path), 401, `${name} without a token`);
      expectCleanError(await runtime.call(method, path, { token: wrongToken }), 401, `${name} with a wrong token`);
      expectCleanError(await runtime.call(method, path, { headers: { authorization: `Bearer ${apiToken}, Bearer ${apiToken}` } }), [400, 401], `${name} with a doubled Authorization`);
      expectCleanError(await runtime.call(method, path, { headers: { authorization: `Basic ${Buffer.from(`x:${apiToken}`).toString('base64')}` } }), 401, `${name} with Basic auth`);
      if (row.access === 'write') {
        const refused = await runtime.call(method, path, { token: readToken });
        expectCleanError(refused, 403, `${name} with the read token`);
        expect(String((refused.json as { error: { message: string } }).error.message)).toContain('ENVSYNC_API_TOKEN');
      }
    }
  });

  it('a body that is not JSON, of the wrong type, deeply nested, with NUL or CRLF, or oversized is refused', async () => {
    const bodies: [string, string | Buffer, number | number[]][] = [
      ['not JSON', '{"target": ', 400],
      ['JSON of the wrong type: array', '[]', 400],
      ['JSON of the wrong type: string', '"apply"', 400],
      ['JSON of the wrong type: fields', '{"target": 42, "dryRun": "yes"}', 400],
      ['deep nesting', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 413],
      ['NUL in a value', '{"target":"srv-demo-api\\u0000../../etc"}', 400],
      ['CRLF in a value', '{"target":"srv-demo-api\\r\\nX-Injected: 1"}', 400],
      ['a 6 MB body', Buffer.alloc(6 * 1024 * 1024, 0x20), 413],
      ['deep nesting under the size limit', `${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}`, 400],
    ];
    for (const name of names) {
      const row = table[name];
      if (row === undefined || !row.body || row.access === 'signed') continue;
      const path = fn(name, row.provider === true ? '/render' : '');
      for (const [what, rawBody, status] of bodies) {
        const result = await runtime.call('POST', path, { token: tokenFor(row), rawBody, headers: { 'content-type': 'application/json' } });
        expectCleanError(result, status, `${name}: ${what}`);
      }
    }
  });

  it('a 20 MB body is refused before anything is read or written', async () => {
    // Netlify caps a synchronous function's request at 6 MB and refuses larger ones itself. Locally
    // the function answers first (413, from the declared length) unless the runtime gives up on the
    // upload, in which case its own error page comes back: either way nothing ran.
    for (const name of ['apply-all', 'dry-run']) {
      const result = await runtime.call('POST', fn(name, name === 'dry-run' ? '/render' : ''), { token: apiToken, rawBody: Buffer.alloc(20 * 1024 * 1024, 0x20) });
      if (String(result.headers['content-type']).includes('application/json')) expectCleanError(result, 413, `${name}: a 20 MB body`);
      else expect(result.status, `${name}: a 20 MB body`).toBeGreaterThanOrEqual(400);
      expect(result.text).not.toMatch(/"applied"|"results"|\/work\/|node_modules/);
    }
  });

  it('unknown providers, prototype names, encoded traversal and unknown targets are clean 4xx answers', async () => {
    const providerPaths = ['/__proto__', '/constructor', '/hasOwnProperty', '/toString', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/..%2F..%2Fpackage.json', '/render%00', '/nope'];
    for (const name of names) {
      const row = table[name];
      if (row === undefined || row.provider !== true) continue;
      for (const sub of providerPaths) expectCleanError(await runtime.call('POST', fn(name, sub), { token: tokenFor(row) }), [400, 404], `${name}${sub}`);
      expectCleanError(await runtime.call('POST', fn(name, '/render'), { token: tokenFor(row), body: { target: 'srv-nope' } }), 400, `${name}: unknown target`);
    }
    for (const query of ['?provider=__proto__', '?provider=constructor', '?target=%2e%2e%2f']) {
      expectCleanError(await runtime.call('POST', `${fn('dry-run')}${query}`, { token: readToken }), [400, 404], `dry-run${query}`);
    }
  });

  it('an 8 KB query string and traversal in queries get clean answers on every read function', async () => {
    for (const name of names) {
      const row = table[name];
      if (row === undefined || row.access !== 'read' || row.methods[0] !== 'GET') continue;
      const long = await runtime.call('GET', `${fn(name)}?target=${'a'.repeat(8 * 1024)}`, { token: readToken });
      expect(long.status, `${name}: 8 KB query`).toBeLessThan(500);
      if (long.status >= 400) expectCleanError(long, [400, 404, 414, 431], `${name}: 8 KB query`);
      const traversal = await runtime.call('GET', `${fn(name)}/..%2f..%2fsecrets`, { token: readToken });
      expectCleanError(traversal, [400, 404], `${name}: traversal in the path`);
    }
  });

  it('NUL and CRLF in a header never reach a function', async () => {
    const { port } = new URL(runtime.url);
    for (const header of [`Authorization: Bearer ${apiToken}\u0000x`, `Authorization: Bearer x\rX-Injected: 1`]) {
      const answer = await rawRequest(Number(port), `POST ${fn('apply-all')} HTTP/1.1\r\nHost: localhost\r\n${header}\r\nContent-Length: 0\r\n\r\n`);
      // Node's HTTP parser rejects these before any function runs: a 400 without our body.
      expect(answer).toMatch(/^HTTP\/1\.1 (400|401)/);
      expect(answer).not.toMatch(/"applied"|"results"/);
    }
  });

  it('after all of it, the provider emulator saw no write and holds what it held', () => {
    expect(present('health')).toBe(true);
    expect(JSON.stringify(state(emulator))).toBe(before);
  });
});

/** Sends raw bytes over TCP and returns whatever comes back first. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(Buffer.from(text, 'latin1')));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')));
  });
}
