import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { demoCanonical, demoTargets } from '../emulator/sample-data.ts';
import { startRuntime, type CallResult, type Runtime } from './runtime.ts';
import { apiToken, eventually, fn, runtimeEnv, secretsOf, syncBodyOf } from './setup.ts';

/**
 * The functions over HTTP through the real local Netlify runtime, against the provider emulator:
 * an enabled, enforcing configuration with two Render services and one Netlify site.
 */

let emulator: Emulator;
let runtime: Runtime;
let secrets: string[];

beforeAll(async () => {
  emulator = await startEmulator({ render: { writesPerMinute: false, readsPerMinute: false } });
  const env = runtimeEnv(emulator);
  secrets = secretsOf(env);
  runtime = await startRuntime({ env });
});

afterAll(async () => {
  await runtime?.stop();
  await emulator?.stop();
});

const [api, worker] = demoTargets.render;
const [site] = demoTargets.netlify;

/** Calls with the API token. */
const authed = (method: string, path: string, body?: unknown) => runtime.call(method, path, { token: apiToken, ...(body === undefined ? {} : { body }) });

function expectNoSecret(result: CallResult) {
  for (const secret of secrets) expect(result.text).not.toContain(secret);
}


describe('the happy paths', () => {
  it('public health says only name, version and status, and asks no provider', async () => {
    const before = emulator.requestCount();

    const result = await runtime.call('GET', fn('health'));

    expect(result.status).toBe(200);
    expect(result.json).toEqual({ name: 'envsync', version: expect.any(String) as unknown, status: 'ok' });
    expect(emulator.requestCount()).toBe(before);
  });

  it('health with the token shows the configuration and each target, not yet checked, and no secret', async () => {
    const before = emulator.requestCount();

    const result = await authed('GET', fn('health'));

    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({
      status: 'ok',
      role: 'write',
      enabled: true,
      mode: 'enforce',
      schedule: '@hourly',
      canonical: { keys: Object.keys(demoCanonical).length, source: 'environment' },
      targets: [
        { provider: 'render', id: api, token: { found: false }, lastSync: null },
        { provider: 'render', id: worker, token: { found: false }, lastSync: null },
        { provider: 'netlify', id: site, token: { found: false }, lastSync: null },
      ],
      storage: { ok: true },
    });
    expect(emulator.requestCount()).toBe(before);
    expectNoSecret(result);
  });

  it('dry-run plans every Render service and writes nothing', async () => {
    const writes = emulator.writeCount();

    const result = await authed('POST', fn('dry-run', '/render'));

    expect(result.status).toBe(200);
    const body = syncBodyOf(result);
    expect(body.mode).toBe('dry-run');
    expect(body.results.map((report) => [report.target, report.applied])).toEqual([
      [api, false],
      [worker, false],
    ]);
    expect(body.results[0]?.summary).toEqual({ create: 2, update: 2, delete: 0, noop: 0 });
    expect(emulator.writeCount()).toBe(writes);
    expectNoSecret(result);
  });

  it('dry-run takes the provider from ?provider= as well', async () => {
    const result = await authed('POST', `${fn('dry-run')}?provider=netlify`);

    expect(result.status).toBe(200);
    expect(syncBodyOf(result).results.map((report) => report.target)).toEqual([site]);
  });

  it('apply makes every Render service equal to the canonical set and keeps unmanaged keys', async () => {
    const result = await authed('POST', fn('apply', '/render'));

    expect(result.status).toBe(200);
    const body = syncBodyOf(result);
    expect(body.summary).toEqual({ targets: 2, inSync: 2, pending: 0, withErrors: 0 });
    expect(emulator.render.variables(api)).toEqual({ ...demoCanonical, DATABASE_URL: expect.any(String) as unknown });
    expect(emulator.render.variables(worker)).toEqual({ ...demoCanonical, REDIS_URL: expect.any(String) as unknown });
    expectNoSecret(result);
  });

  it('apply of one named Netlify site writes it and keeps its unmanaged keys', async () => {
    const result = await authed('POST', fn('apply', '/netlify'), { target: site });

    expect(result.status).toBe(200);
    expect(syncBodyOf(result).results.map((report) => [report.target, report.applied])).toEqual([[site, true]]);
    for (const [key, value] of Object.entries(demoCanonical)) expect(emulator.netlify.values(site, key)).toEqual({ all: value });
    expect(emulator.netlify.keys(site)).toContain('NODE_VERSION');
  });

  it('apply-all afterwards finds every target in sync and writes nothing', async () => {
    const writes = emulator.writeCount();

    const result = await authed('POST', fn('apply-all'));

    expect(result.status).toBe(200);
    const body = syncBodyOf(result);
    expect(body.summary).toEqual({ targets: 3, inSync: 3, pending: 0, withErrors: 0 });
    expect(body.results.every((report) => report.summary['create'] === 0 && report.summary['update'] === 0)).toBe(true);
    expect(emulator.writeCount()).toBe(writes);
  });

  it('runs lists the reports newest first and filters by target', async () => {
    const all = await authed('GET', `${fn('runs')}?limit=3`);
    const one = await authed('GET', `${fn('runs')}?target=${site}`);

    expect(all.status).toBe(200);
    const runs = (all.json as { runs: { startedAt: string }[] }).runs;
    expect(runs).toHaveLength(3);
    expect(runs.map((run) => run.startedAt)).toEqual([...runs.map((run) => run.startedAt)].sort().reverse());
    const targets = (one.json as { runs: { target: string }[] }).runs.map((run) => run.target);
    expect(new Set(targets)).toEqual(new Set([site]));
    expect(targets.length).toBeGreaterThanOrEqual(2);
  });

  it('tickets shows the drift the dry-run found, resolved once the targets were synced', async () => {
    const open = await authed('GET', `${fn('tickets')}?status=open`);
    const resolved = await authed('GET', `${fn('tickets')}?status=resolved`);

    expect(open.status).toBe(200);
    expect((open.json as { tickets: unknown[] }).tickets).toEqual([]);
    const tickets = (resolved.json as { tickets: { kind: string; target: string; keys: string[] }[] }).tickets;
    expect(tickets.map((ticket) => [ticket.kind, ticket.target]).sort()).toEqual([
      ['drift', site],
      ['drift', api],
      ['drift', worker],
    ]);
    expect(tickets.find((ticket) => ticket.target === api)?.keys).toEqual(['APP_API_URL', 'APP_FEATURE_FLAGS', 'APP_LOG_LEVEL', 'APP_SUPPORT_EMAIL']);
    expectNoSecret(resolved);
  });

  it('the scheduled function repairs drift on its own and leaves a report', async () => {
    emulator.render.seed(worker, { APP_LOG_LEVEL: 'trace' });
    emulator.netlify.editInUi(site, 'APP_SUPPORT_EMAIL', 'all', 'someone@else.example');

    const result = await runtime.call('POST', fn('scheduled'));

    // The local runtime answers a scheduled function with a help text; its effects are what count.
    expect(result.status).toBe(200);
    expect(emulator.render.variables(worker)['APP_LOG_LEVEL']).toBe(demoCanonical['APP_LOG_LEVEL']);
    expect(emulator.netlify.values(site, 'APP_SUPPORT_EMAIL')).toEqual({ all: demoCanonical['APP_SUPPORT_EMAIL'] });
    const latest = await authed('GET', `${fn('runs')}?limit=3`);
    const runs = (latest.json as { runs: { runId: string; mode: string; applied: boolean }[] }).runs;
    expect(new Set(runs.map((run) => run.runId)).size).toBe(1);
    expect(runs.filter((run) => run.applied)).toHaveLength(2);
  });

  it('health then shows the last run, the token sources it found, and no open ticket', async () => {
    const result = await authed('GET', fn('health'));

    expect(result.json).toMatchObject({
      lastRun: { targets: 3, applied: 2, inSync: 3, withErrors: 0 },
      openTickets: 0,
      targets: [
        { provider: 'render', id: api, token: { found: true, source: 'env:RENDER_API_TOKEN' } },
        { provider: 'render', id: worker, token: { found: true, source: 'env:RENDER_API_TOKEN' } },
        { provider: 'netlify', id: site, token: { found: true, source: 'env:NETLIFY_API_TOKEN' } },
      ],
    });
    expectNoSecret(result);
  });
});

describe('bad requests get a clear JSON error and touch no provider', () => {
  // Without a content type the local runtime drops a body before the function sees it.
  const json = { 'content-type': 'application/json' };
  const cases: [string, () => Promise<CallResult>, number, string, RegExp][] = [
    ['no Authorization header', () => runtime.call('POST', fn('apply', '/render')), 401, 'unauthorized', /Authorization: Bearer/],
    ['a wrong token', () => runtime.call('POST', fn('apply', '/render'), { token: 'not-the-token' }), 401, 'unauthorized', /does not match ENVSYNC_API_TOKEN/],
    ['another auth scheme', () => runtime.call('GET', fn('runs'), { headers: { authorization: `Basic ${apiToken}` } }), 401, 'unauthorized', /Bearer/],
    ['an unknown provider', () => authed('POST', fn('apply', '/heroku')), 404, 'not-found', /Known providers: render, netlify, vercel/],
    ['no provider', () => authed('POST', fn('dry-run')), 404, 'not-found', /needs a provider/],
    ['GET on apply', () => authed('GET', fn('apply', '/render')), 405, 'method-not-allowed', /POST only/],
    ['POST on runs', () => authed('POST', fn('runs')), 405, 'method-not-allowed', /GET only/],
    ['DELETE on health', () => runtime.call('DELETE', fn('health')), 405, 'method-not-allowed', /GET only/],
    ['a body that is not JSON', () => runtime.call('POST', fn('apply', '/render'), { token: apiToken, rawBody: '{target: srv', headers: json }), 400, 'bad-request', /not valid JSON/],
    ['an oversized body', () => runtime.call('POST', fn('apply-all'), { token: apiToken, rawBody: JSON.stringify({ target: 'x'.repeat(40_000) }), headers: json }), 413, 'payload-too-large', /larger than 16 KiB/],
    ['an unknown target', () => authed('POST', fn('apply', '/render'), { target: 'srv-nope' }), 400, 'bad-request', /Unknown Render service srv-nope.*srv-demo-api/],
    ['an unknown target for apply-all', () => authed('POST', `${fn('apply-all')}?target=site-nope`), 400, 'bad-request', /Unknown target site-nope/],
    ['a misspelt body field', () => authed('POST', fn('apply', '/render'), { traget: api }), 400, 'bad-request', /traget/],
    ['a bad query value', () => authed('GET', `${fn('runs')}?limit=1000`), 400, 'bad-request', /limit/],
  ];

  it.each(cases)('%s', async (_name, send, status, code, message) => {
    const requests = emulator.requestCount();

    const result = await send();

    expect(result.status).toBe(status);
    expect(result.headers['content-type']).toMatch(/application\/json/);
    const error = (result.json as { error: { code: string; message: string } }).error;
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(emulator.requestCount()).toBe(requests);
    expectNoSecret(result);
  });

  it('a 405 names the allowed method', async () => {
    const result = await authed('GET', fn('apply-all'));

    expect(result.headers['allow']).toBe('POST');
  });
});

describe('two applies on one target at once', () => {
  it('lets one proceed and answers the other 409 without touching the provider', async () => {
    // What one apply of one drifted key costs, to compare with below.
    emulator.render.seed(api, { APP_LOG_LEVEL: 'debug' });
    const soloStart = emulator.arrivals.length;
    expect((await authed('POST', fn('apply', '/render'), { target: api })).status).toBe(200);
    const soloRequests = emulator.arrivals.length - soloStart;

    emulator.render.seed(api, { APP_LOG_LEVEL: 'debug' });
    emulator.latencyMs = 1_500;
    const start = emulator.arrivals.length;
    try {
      const first = authed('POST', fn('apply', '/render'), { target: api });
      // The first holds the lease once its first provider request arrives.
      await eventually(() => Promise.resolve(emulator.arrivals.length > start ? true : undefined), 20_000, 'the first apply');
      const second = await authed('POST', fn('apply', '/render'), { target: api });
      const firstResult = await first;

      expect(firstResult.status).toBe(200);
      expect(second.status).toBe(409);
      expect((second.json as { error: { code: string; message: string } }).error).toMatchObject({
        code: 'conflict',
        message: expect.stringMatching(/srv-demo-api is being synced by another run/) as unknown,
      });
      expect(emulator.arrivals.length - start).toBe(soloRequests);
      expect(emulator.render.variables(api)['APP_LOG_LEVEL']).toBe(demoCanonical['APP_LOG_LEVEL']);
    } finally {
      emulator.latencyMs = 0;
    }
  }, 60_000);

  it('releases the lease, so the next apply proceeds', async () => {
    const result = await authed('POST', fn('apply', '/render'), { target: api });

    expect(result.status).toBe(200);
  });
});

describe('after every call above', () => {
  it('no canonical value or secret reached the function logs or the Blobs sandbox', async () => {
    const files = await runtime.blobFiles();
    expect(files.length).toBeGreaterThan(0);
    expect(runtime.output()).toContain('"event":"sync.target_done"');
    for (const secret of secrets) {
      expect(runtime.output()).not.toContain(secret);
      for (const file of files) expect(file).not.toContain(secret);
    }
  });
});
