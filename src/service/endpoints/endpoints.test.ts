import { describe, expect, it } from 'vitest';
import { MemoryProvider } from '../../../test/support/memory-provider.ts';
import { testEnv } from '../../../test/support/settings.ts';
import { SyncError } from '../../errors.ts';
import { createLogger } from '../../logging/logger.ts';
import { useLocalBlobs } from '../../../test/support/blobs-server.ts';
import type { Storage } from '../../storage/types.ts';
import { backgroundEndpoint } from './background.ts';
import type { ServiceDeps } from '../deps.ts';
import { serve, type Endpoint } from '../http/endpoint.ts';
import { signatureHeader } from '../run/fan-out.ts';
import { eventsEndpoint } from './events.ts';
import { healthEndpoint } from './health.ts';
import { runsEndpoint, ticketsEndpoint } from './runs-and-tickets.ts';
import { scheduledEndpoint } from './scheduled.ts';
import { applyAllEndpoint, applyEndpoint, dryRunEndpoint } from './sync.ts';

/**
 * The endpoints with `new Request()`, memory providers, and the real Blobs storage on a local
 * BlobsServer. The end-to-end tests run the same endpoints through the local Netlify runtime.
 */

const blobs = useLocalBlobs();
const apiToken = 'unit-api-token-0123456789abcdef0123';
const readToken = 'unit-read-token-0123456789abcdef0123';
const base = 'http://localhost:8888/.netlify/functions';

interface Setup {
  render: MemoryProvider;
  netlify: MemoryProvider<'netlify'>;
  storage: Storage;
  deps: ServiceDeps;
  posted: Request[];
  lines: string[];
  call(endpoint: Endpoint, path: string, init?: RequestInit & { auth?: boolean; token?: string }): Promise<{ status: number; body: Record<string, unknown> }>;
}

function setup(env: Record<string, string | undefined> = {}, now?: () => number): Setup {
  const render = new MemoryProvider('render');
  const netlify = new MemoryProvider('netlify');
  const client = blobs.freshClient();
  const storage = blobs.open({ client });
  const posted: Request[] = [];
  const lines: string[] = [];
  const deps: ServiceDeps = {
    env: testEnv({ ENVSYNC_API_TOKEN: apiToken, ENVSYNC_READ_TOKEN: readToken, APP_NAME: 'envsync', APP_COLOR: 'blue', ...env }),
    openStorage: () => storage,
    adapters: { render: render.adapter, netlify: netlify.adapter, vercel: new MemoryProvider('vercel').adapter },
    logger: createLogger({ write: (line) => lines.push(line) }),
    // Only the fan-out POSTs through fetch here (memory providers and env tokens need none).
    fetch: (input, init) => {
      posted.push(new Request(input, init));
      return Promise.resolve(new Response(null, { status: 202 }));
    },
    ...(now === undefined ? {} : { now }),
  };
  return {
    render,
    netlify,
    storage,
    deps,
    posted,
    lines,
    async call(endpoint, path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.auth !== false) headers.set('authorization', `Bearer ${init.token ?? apiToken}`);
      const response = await serve(endpoint, new Request(`${base}${path}`, { ...init, headers }), deps);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
  };
}

const results = (body: Record<string, unknown>) => body['results'] as { target: string; applied: boolean; errors: { code: string }[]; pending: unknown[] }[];

describe('apply', () => {
  it('syncs every target of the provider, then keeps the report and updates tickets', async () => {
    const s = setup({ RENDER_SERVICE_ID: 'srv-a,srv-b' });
    s.render.seed('srv-a', { APP_COLOR: 'red', OTHER: 'keep' });
    s.render.seed('srv-b', {});

    const { status, body } = await s.call(applyEndpoint, '/envsync-apply/render', { method: 'POST' });

    expect(status).toBe(200);
    expect(results(body).map((report) => [report.target, report.applied])).toEqual([
      ['srv-a', true],
      ['srv-b', true],
    ]);
    expect(s.render.values('srv-a')).toEqual({ APP_COLOR: 'blue', APP_NAME: 'envsync', OTHER: 'keep' });
    expect(await s.storage.reports.list()).toHaveLength(2);
    expect(await s.storage.tickets.list({ status: 'open' })).toEqual([]);
  });

  it('answers 409 and touches nothing when another run holds the only target', async () => {
    const s = setup();
    s.render.seed('srv-a', { APP_COLOR: 'red' });
    await s.storage.locks.acquire({ provider: 'render', id: 'srv-a' }, 'someone-else', 60_000);

    const { status, body } = await s.call(applyEndpoint, '/envsync-apply/render', { method: 'POST' });

    expect(status).toBe(409);
    expect(body).toEqual({ error: { code: 'conflict', message: expect.stringMatching(/target srv-a is being synced by another run.*nothing was changed/) as unknown } });
    expect(s.render.operations).toEqual([]);
    expect(await s.storage.reports.list()).toEqual([]);
  });

  it('syncs the free targets when only some are busy, and keeps no report or ticket for the busy one', async () => {
    const s = setup({ RENDER_SERVICE_ID: 'srv-a,srv-b' });
    s.render.seed('srv-a', {});
    s.render.seed('srv-b', {});
    await s.storage.locks.acquire({ provider: 'render', id: 'srv-a' }, 'someone-else', 60_000);

    const { status, body } = await s.call(applyEndpoint, '/envsync-apply/render', { method: 'POST' });

    expect(status).toBe(200);
    expect(results(body).map((report) => [report.target, report.errors.map((error) => error.code)])).toEqual([
      ['srv-a', ['conflict']],
      ['srv-b', []],
    ]);
    expect(s.render.operations.filter((operation) => operation.includes('srv-a'))).toEqual([]);
    expect((await s.storage.reports.list()).map((report) => report.target)).toEqual(['srv-b']);
    expect(await s.storage.tickets.list()).toEqual([]);
  });

  it('releases its leases, so a second apply proceeds', async () => {
    const s = setup();
    s.render.seed('srv-a', {});
    await s.call(applyEndpoint, '/envsync-apply/render', { method: 'POST' });

    expect((await s.call(applyEndpoint, '/envsync-apply/render', { method: 'POST' })).status).toBe(200);
  });

  it('only plans under ENVSYNC_MODE=dry-run, and says so', async () => {
    const s = setup({ ENVSYNC_MODE: 'dry-run' });
    s.render.seed('srv-a', {});

    const { status, body } = await s.call(applyEndpoint, '/envsync-apply/render', { method: 'POST' });

    expect(status).toBe(200);
    expect(body['note']).toMatch(/ENVSYNC_MODE is dry-run/);
    expect(results(body)[0]).toMatchObject({ applied: false, pending: [{ op: 'create', key: 'APP_COLOR' }, { op: 'create', key: 'APP_NAME' }] });
    expect(s.render.operations).toEqual(['read srv-a']);
    expect((await s.storage.tickets.list({ status: 'open' })).map((ticket) => ticket.kind)).toEqual(['drift']);
  });

  it.each([
    ['EnvSync is disabled', { ENVSYNC_ENABLED: 'false' }, '/envsync-apply/render', 503, 'disabled'],
    ['the provider is not in ENVSYNC_TARGETS', {}, '/envsync-apply/netlify', 503, 'disabled'],
    ['the target is not configured', {}, '/envsync-apply/render?target=srv-zzz', 400, 'bad-request'],
    ['the settings are invalid', { ENVSYNC_MAX_DELETIONS: 'lots' }, '/envsync-apply/render', 500, 'config-invalid'],
  ])('refuses when %s, before any provider request', async (_name, env, path, status, code) => {
    const s = setup(env);
    s.render.seed('srv-a', {});

    const response = await s.call(applyEndpoint, path, { method: 'POST' });

    expect(response.status).toBe(status);
    expect((response.body['error'] as { code: string }).code).toBe(code);
    expect(s.render.operations).toEqual([]);
  });

  it('checks the token before anything else', async () => {
    const s = setup({ ENVSYNC_MAX_DELETIONS: 'lots' });

    const response = await s.call(applyEndpoint, '/envsync-apply/heroku', { method: 'POST', auth: false, body: 'not json' });

    expect(response.status).toBe(401);
  });
});

describe('least privilege', () => {
  it.each([
    ['apply', applyEndpoint, '/envsync-apply/render'],
    ['apply-all', applyAllEndpoint, '/envsync-apply-all'],
  ])('refuses the read token on %s with 403 naming ENVSYNC_API_TOKEN, and changes nothing', async (_name, endpoint, path) => {
    const s = setup();
    s.render.seed('srv-a', { APP_COLOR: 'red' });

    const { status, body } = await s.call(endpoint, path, { method: 'POST', token: readToken });

    expect(status).toBe(403);
    expect(body['error']).toEqual({ code: 'forbidden', message: expect.stringMatching(/Send ENVSYNC_API_TOKEN instead/) as unknown });
    expect(s.render.operations).toEqual([]);
    expect(await s.storage.reports.list()).toEqual([]);
  });

  it('lets the read token dry-run, list runs and list tickets', async () => {
    const s = setup();
    s.render.seed('srv-a', { APP_COLOR: 'red' });

    const dryRun = await s.call(dryRunEndpoint, '/envsync-dry-run/render', { method: 'POST', token: readToken });
    const runs = await s.call(runsEndpoint, '/envsync-runs', { token: readToken });
    const tickets = await s.call(ticketsEndpoint, '/envsync-tickets', { token: readToken });

    expect([dryRun.status, runs.status, tickets.status]).toEqual([200, 200, 200]);
    expect(s.render.operations.filter((operation) => !operation.startsWith('read'))).toEqual([]);
    expect(s.render.values('srv-a')).toEqual({ APP_COLOR: 'red' });
  });

  it('refuses a short ENVSYNC_API_TOKEN as a configuration error', async () => {
    const s = setup({ ENVSYNC_API_TOKEN: 'short-but-set' });

    const { status, body } = await s.call(runsEndpoint, '/envsync-runs', { token: 'short-but-set' });

    expect(status).toBe(500);
    expect(body['error']).toEqual({ code: 'config-invalid', message: expect.stringMatching(/ENVSYNC_API_TOKEN: expected at least 32 characters/) as unknown });
  });
});

describe('dry-run and apply-all', () => {
  it('dry-run plans one named target and writes nothing', async () => {
    const s = setup({ RENDER_SERVICE_ID: 'srv-a,srv-b' });
    s.render.seed('srv-a', {});
    s.render.seed('srv-b', {});

    const { body } = await s.call(dryRunEndpoint, '/envsync-dry-run/render', { method: 'POST', body: '{"target":"srv-b"}' });

    expect(results(body).map((report) => [report.target, report.applied])).toEqual([['srv-b', false]]);
    expect(s.render.operations).toEqual(['read srv-b']);
  });

  it('apply-all syncs every target of every enabled provider', async () => {
    const s = setup({ ENVSYNC_TARGETS: 'render,netlify', ENVSYNC_NETLIFY_SITE_ID: 'site-a' });
    s.render.seed('srv-a', {});
    s.netlify.seed('site-a', {});

    const { status, body } = await s.call(applyAllEndpoint, '/envsync-apply-all', { method: 'POST' });

    expect(status).toBe(200);
    expect(results(body).map((report) => report.target)).toEqual(['srv-a', 'site-a']);
    expect(body['summary']).toEqual({ targets: 2, inSync: 2, pending: 0, withErrors: 0 });
  });

  it('apply-all with a target syncs it on the provider that configures it', async () => {
    const s = setup({ ENVSYNC_TARGETS: 'render,netlify', ENVSYNC_NETLIFY_SITE_ID: 'site-a' });
    s.render.seed('srv-a', {});
    s.netlify.seed('site-a', {});

    const { body } = await s.call(applyAllEndpoint, '/envsync-apply-all?target=site-a', { method: 'POST' });

    expect(results(body).map((report) => report.target)).toEqual(['site-a']);
    expect(s.render.operations).toEqual([]);
  });
});

describe('fan-out to the background function', () => {
  const fleet = Array.from({ length: 9 }, (_, index) => `srv-${index + 1}`);

  it('queues a run over more than 8 targets, answers 202, and the background function completes it', async () => {
    const s = setup({ RENDER_SERVICE_ID: fleet.join(',') });
    for (const id of fleet) s.render.seed(id, {});

    const queued = await s.call(applyAllEndpoint, '/envsync-apply-all', { method: 'POST' });

    expect(queued.status).toBe(202);
    const runId = queued.body['runId'] as string;
    expect(queued.body).toMatchObject({ status: 'queued', targets: 9, progress: `/.netlify/functions/envsync-runs?runId=${runId}` });
    expect(s.render.operations).toEqual([]);
    expect(s.posted.map((request) => request.url)).toEqual([`${base.replace('/.netlify/functions', '')}/.netlify/functions/envsync-background`]);
    expect((await s.call(runsEndpoint, `/envsync-runs?runId=${runId}`)).body['progress']).toMatchObject({ status: 'queued', done: [] });

    const response = await serve(backgroundEndpoint, s.posted[0] as Request, s.deps);

    expect(response.status).toBe(200);
    const progress = (await s.call(runsEndpoint, `/envsync-runs?runId=${runId}`)).body['progress'];
    expect(progress).toMatchObject({ status: 'done', pending: [], done: fleet.map((id) => `render:${id}`) });
    for (const id of fleet) expect(s.render.values(id)).toEqual({ APP_COLOR: 'blue', APP_NAME: 'envsync' });
    expect(await s.storage.reports.list({ limit: 20 })).toHaveLength(9);
  });

  it('the background function runs nothing without the run signature', async () => {
    const s = setup({ RENDER_SERVICE_ID: fleet.join(',') });
    for (const id of fleet) s.render.seed(id, {});
    await s.call(applyAllEndpoint, '/envsync-apply-all', { method: 'POST' });
    const signed = s.posted[0] as Request;
    const forged = new Request(signed.url, { method: 'POST', body: await signed.clone().text(), headers: { [signatureHeader]: 'f'.repeat(64) } });

    const response = await serve(backgroundEndpoint, forged, s.deps);

    expect(response.status).toBe(401);
    expect(s.render.operations).toEqual([]);
  });

  it('refuses a second invocation of a run another invocation holds, with 409, and runs nothing', async () => {
    const s = setup({ RENDER_SERVICE_ID: fleet.join(',') });
    for (const id of fleet) s.render.seed(id, {});
    const queued = await s.call(applyAllEndpoint, '/envsync-apply-all', { method: 'POST' });
    const runId = queued.body['runId'] as string;
    expect((await s.storage.runs.claim(runId, 'another-invocation', 60_000)).outcome).toBe('claimed');

    const response = await serve(backgroundEndpoint, (s.posted[0] as Request).clone(), s.deps);

    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/already being run by another invocation/);
    expect(s.render.operations).toEqual([]);
    expect((await s.storage.runs.getProgress(runId))?.leaseId).toBe('another-invocation');
  });

  it('runs a replayed request of a finished run no second time', async () => {
    const s = setup({ RENDER_SERVICE_ID: fleet.join(',') });
    for (const id of fleet) s.render.seed(id, {});
    await s.call(applyAllEndpoint, '/envsync-apply-all', { method: 'POST' });
    const signed = s.posted[0] as Request;
    expect((await serve(backgroundEndpoint, signed.clone(), s.deps)).status).toBe(200);
    const operations = s.render.operations.length;

    const replay = await serve(backgroundEndpoint, signed.clone(), s.deps);

    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ status: 'done' });
    expect(s.render.operations).toHaveLength(operations);
  });

  it('gives each invocation its own lease id on the run', async () => {
    const s = setup({ RENDER_SERVICE_ID: fleet.join(',') });
    for (const id of fleet) s.render.seed(id, {});
    const queued = await s.call(applyAllEndpoint, '/envsync-apply-all', { method: 'POST' });

    await serve(backgroundEndpoint, (s.posted[0] as Request).clone(), s.deps);

    const progress = await s.storage.runs.getProgress(queued.body['runId'] as string);
    expect(progress?.leaseId).toMatch(/^[0-9a-f-]{36}$/);
    expect(progress?.leaseId).not.toBe('another-invocation');
  });

  it('refuses a run signature past its expiry, or whose expiry was changed', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const s = setup({ RENDER_SERVICE_ID: fleet.join(',') }, () => now);
    for (const id of fleet) s.render.seed(id, {});
    await s.call(applyAllEndpoint, '/envsync-apply-all', { method: 'POST' });
    const signed = s.posted[0] as Request;
    const signature = signed.headers.get(signatureHeader) ?? '';
    expect(signature).toMatch(/^\d+\.[0-9a-f]{64}$/);
    const [expiry, mac] = signature.split('.');
    const extended = new Request(signed.url, { method: 'POST', body: await signed.clone().text(), headers: { [signatureHeader]: `${Number(expiry) + 3_600_000}.${mac ?? ''}` } });

    expect((await serve(backgroundEndpoint, extended, s.deps)).status).toBe(401);
    now += 11 * 60_000;
    const expired = await serve(backgroundEndpoint, signed.clone(), s.deps);

    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { message: string } }).error.message).toMatch(/signature of run .* has expired/);
    expect(s.render.operations).toEqual([]);
  });

  it('marks the run failed and answers 500 when the background function does not accept it', async () => {
    const s = setup({ RENDER_SERVICE_ID: fleet.join(',') });
    const refusing: ServiceDeps = { ...s.deps, fetch: () => Promise.resolve(new Response('nope', { status: 404 })) };

    const response = await serve(applyAllEndpoint, new Request(`${base}/envsync-apply-all`, { method: 'POST', headers: { authorization: `Bearer ${apiToken}` } }), refusing);

    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/did not accept the run \(HTTP 404\)/);
  });
});

describe('the scheduled run', () => {
  const scheduled = (s: Setup) => serve(scheduledEndpoint, new Request(`${base}/envsync-scheduled`, { method: 'POST', body: '{"next_run":"2026-01-01T01:00:00Z"}' }), s.deps);

  it('syncs every target in ENVSYNC_MODE and remembers when it ran', async () => {
    const s = setup({}, () => Date.parse('2026-01-01T00:00:00Z'));
    s.render.seed('srv-a', {});

    const response = await scheduled(s);

    expect(response.status).toBe(200);
    expect(s.render.values('srv-a')).toEqual({ APP_COLOR: 'blue', APP_NAME: 'envsync' });
    expect(await s.storage.runs.lastScheduledRun()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('records each report right after its target and hands the targets its 30 s cannot fit to the background function', async () => {
    const targets = ['srv-1', 'srv-2', 'srv-3', 'srv-4', 'srv-5'];
    let now = Date.parse('2026-01-01T00:00:00Z');
    const s = setup({ RENDER_SERVICE_ID: targets.join(',') }, () => now);
    for (const id of targets) s.render.seed(id, {});
    const reportsSeenAtRead: number[] = [];
    // Each read of a target takes 9 s of the function's clock: the 26 s budget fits two targets.
    const memory = s.render.adapter;
    const slow = {
      ...memory,
      connect: (...args: Parameters<typeof memory.connect>) => {
        const connection = memory.connect(...args);
        return {
          ...connection,
          read: async (id: string) => {
            reportsSeenAtRead.push((await s.storage.reports.list()).length);
            now += 9_000;
            return connection.read(id);
          },
        };
      },
    };
    const deps: ServiceDeps = { ...s.deps, adapters: { ...s.deps.adapters, render: slow } };

    const response = await serve(scheduledEndpoint, new Request(`${base}/envsync-scheduled`, { method: 'POST' }), deps);

    expect(response.status).toBe(200);
    const body = (await response.json()) as { results: { target: string }[]; handedOff: { runId: string; targets: number } };
    expect(body.results.map((report) => report.target)).toEqual(['srv-1', 'srv-2']);
    expect(reportsSeenAtRead).toEqual([0, 1]);
    expect(s.render.operations.filter((operation) => operation.startsWith('read'))).toEqual(['read srv-1', 'read srv-2']);
    expect(body.handedOff).toMatchObject({ status: 'queued', targets: 3 });
    expect(s.posted.map((request) => new URL(request.url).pathname)).toEqual(['/.netlify/functions/envsync-background']);
    expect((await s.storage.runs.getProgress(body.handedOff.runId))?.pending).toEqual(['render:srv-3', 'render:srv-4', 'render:srv-5']);
  });

  it("hands a target that met Render's spent write window to the background function with the rest, and opens no failure ticket for it", async () => {
    const targets = ['srv-1', 'srv-2', 'srv-3'];
    const s = setup({ RENDER_SERVICE_ID: targets.join(',') });
    for (const id of targets) s.render.seed(id, {});
    // srv-2's writes meet a write window that is spent for longer than this function has left, as
    // Render's write budget reports it (provider-rate-limited): the background function can wait.
    const memory = s.render.adapter;
    const limited = {
      ...memory,
      connect: (...args: Parameters<typeof memory.connect>) => {
        const connection = memory.connect(...args);
        return {
          ...connection,
          apply: async (...args: Parameters<typeof connection.apply>) => {
            if (args[0] !== 'srv-2') return connection.apply(...args);
            return { done: [], errors: [new SyncError('provider-rate-limited', 'Render allows about 30 writes a minute per API key and they are used up; the next one is allowed in 50 s, which does not fit this sync\'s time budget.', { retryable: true })] };
          },
        };
      },
    };
    const deps: ServiceDeps = { ...s.deps, adapters: { ...s.deps.adapters, render: limited } };

    const response = await serve(applyEndpoint, new Request(`${base}/envsync-apply/render`, { method: 'POST', headers: { authorization: `Bearer ${apiToken}` } }), deps);

    expect(response.status).toBe(200);
    const body = (await response.json()) as { results: { target: string; errors: { code: string }[] }[]; handedOff: { runId: string; targets: number }; warnings?: string[] };
    expect(body.results.map((report) => [report.target, report.errors.map((error) => error.code)])).toEqual([
      ['srv-1', []],
      ['srv-2', ['provider-rate-limited']],
    ]);
    // srv-3 was not even read: the window is spent for every target of the run's token.
    expect(s.render.operations.filter((operation) => operation.startsWith('read srv-3'))).toEqual([]);
    expect(body.handedOff).toMatchObject({ status: 'queued', targets: 2 });
    expect((await s.storage.runs.getProgress(body.handedOff.runId))?.pending).toEqual(['render:srv-2', 'render:srv-3']);
    expect(s.posted.map((request) => new URL(request.url).pathname)).toEqual(['/.netlify/functions/envsync-background']);
    expect(body.warnings?.join(' ')).toMatch(/srv-2.*background/);
    const tickets = (await s.call(ticketsEndpoint, '/envsync-tickets?status=open')).body['tickets'] as { kind: string }[];
    expect(tickets.filter((ticket) => ticket.kind === 'failure')).toEqual([]);
  });

  it('skips with ENVSYNC_SCHEDULE=off or EnvSync disabled', async () => {
    for (const env of [{ ENVSYNC_SCHEDULE: 'off' }, { ENVSYNC_ENABLED: 'false' }]) {
      const s = setup(env);
      s.render.seed('srv-a', {});

      const body = (await (await scheduled(s)).json()) as { skipped: string };

      expect(body.skipped).toMatch(/off|not true/);
      expect(s.render.operations).toEqual([]);
    }
  });

  it('runs @daily once per 24 hours', async () => {
    let now = Date.parse('2026-01-01T00:00:10Z');
    const s = setup({ ENVSYNC_SCHEDULE: '@daily' }, () => now);
    s.render.seed('srv-a', {});

    await scheduled(s);
    now += 60 * 60_000;
    const skipped = (await (await scheduled(s)).json()) as { skipped?: string };
    now = Date.parse('2026-01-02T00:00:05Z');
    await scheduled(s);

    expect(skipped.skipped).toMatch(/@daily.*2026-01-01T00:00:10/);
    expect(s.render.operations.filter((operation) => operation.startsWith('read'))).toHaveLength(2);
  });
});

describe('health', () => {
  const publicHealth = (s: Setup) => s.call(healthEndpoint, '/envsync-health', { auth: false });
  const detailedHealth = (s: Setup, token = readToken) => s.call(healthEndpoint, '/envsync-health', { token });
  const discoveryEnv = {
    ENVSYNC_TARGETS: 'render,netlify',
    ENVSYNC_NETLIFY_SITE_ID: 'site-a',
    NETLIFY_API_TOKEN: undefined,
    ENVSYNC_DISCOVERY_ORDER: 'env,vault,dashboard',
    ENVSYNC_VAULT_URL: 'https://vault.example.com/v1/secret',
    ENVSYNC_DASHBOARD_TOKEN_URLS: 'https://dashboard.example.com/tokens',
  };

  it('without a token answers only name, version and status, with one Blobs read and no provider, vault or dashboard request', async () => {
    const s = setup(discoveryEnv);
    blobs.reset();

    const { status, body } = await publicHealth(s);

    expect(status).toBe(200);
    expect(body).toEqual({ name: 'envsync', version: expect.any(String) as unknown, status: 'ok' });
    expect(blobs.counts()).toEqual({ get: 1 });
    expect(s.posted).toEqual([]);
    expect(s.render.operations).toEqual([]);
    expect(s.netlify.operations).toEqual([]);
  });

  it('without a token says degraded after a run that found no token for a target, and nothing else', async () => {
    const s = setup({ ENVSYNC_TARGETS: 'render,netlify', ENVSYNC_NETLIFY_SITE_ID: 'site-a', NETLIFY_API_TOKEN: undefined });
    s.render.seed('srv-a', {});
    s.netlify.seed('site-a', {});
    await s.call(applyAllEndpoint, '/envsync-apply-all', { method: 'POST' });
    blobs.reset();

    const { status, body } = await publicHealth(s);

    expect(status).toBe(200);
    expect(body).toEqual({ name: 'envsync', version: expect.any(String) as unknown, status: 'degraded' });
    expect(blobs.counts()).toEqual({ get: 1 });
  });

  it('without a token answers 500 misconfigured with the names of the settings at fault, never their values', async () => {
    const s = setup({ ENVSYNC_INCLUDE_PREFIXES: '', ENVSYNC_LEDGER_SECRET: '', ENVSYNC_MODE: 'sk_live_NOT_A_MODE' });

    const { status, body } = await publicHealth(s);

    expect(status).toBe(500);
    expect(body).toMatchObject({ name: 'envsync', status: 'misconfigured', settings: ['ENVSYNC_MODE', 'ENVSYNC_INCLUDE_PREFIXES', 'ENVSYNC_LEDGER_SECRET'] });
    expect(JSON.stringify(body)).not.toContain('sk_live_NOT_A_MODE');
  });

  it('without a token says degraded when storage is unavailable', async () => {
    const s = setup();
    const broken: ServiceDeps = { ...s.deps, openStorage: () => Promise.reject(new Error('no blobs')) };

    const response = await serve(healthEndpoint, new Request(`${base}/envsync-health`), broken);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: 'envsync', version: expect.any(String) as unknown, status: 'degraded' });
  });

  it('with a token shows each target with the token source the last run found, the last run, open tickets and the role, and no secret', async () => {
    const s = setup({ ENVSYNC_TARGETS: 'render,netlify', ENVSYNC_NETLIFY_SITE_ID: 'site-a', NETLIFY_API_TOKEN: undefined });
    s.render.seed('srv-a', {});
    s.netlify.seed('site-a', {});
    await s.call(applyAllEndpoint, '/envsync-apply-all', { method: 'POST' });

    const { status, body } = await detailedHealth(s);

    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'degraded',
      role: 'read',
      enabled: true,
      mode: 'enforce',
      schedule: '@hourly',
      apiTokenConfigured: true,
      readTokenConfigured: true,
      canonical: { keys: 2, source: 'environment' },
      targets: [
        { provider: 'render', id: 'srv-a', token: { found: true, source: 'env:RENDER_API_TOKEN' }, lastSync: { applied: true, inSync: true, errorCodes: [] } },
        { provider: 'netlify', id: 'site-a', token: { found: false, problem: expect.stringMatching(/No NETLIFY_API_TOKEN found/) as unknown }, lastSync: { errorCodes: ['token-missing'] } },
      ],
      storage: { ok: true },
      lastRun: { targets: 2, applied: 1, inSync: 1, withErrors: 1 },
      openTickets: 1,
      holds: [],
    });
    expect((await detailedHealth(s, apiToken)).body['role']).toBe('write');
    const text = JSON.stringify(body);
    for (const secret of [apiToken, readToken, 'rnd_test_token', 'test-ledger-secret-0123456789', '"blue"']) expect(text).not.toContain(secret);
  });

  it('with a token lists the targets a rollback holds, with the held keys, the rollback and the run it undid', async () => {
    const s = setup();
    await s.storage.holds.put({
      version: 1,
      provider: 'render',
      target: 'srv-a',
      rollbackRunId: 'rb-1',
      undoes: 'run-1',
      heldAt: '2026-12-01T00:00:00.000Z',
      slots: [
        { key: 'APP_NAME', context: '*', canonical: null },
        { key: 'APP_COLOR', context: '*', canonical: null },
      ],
    });

    const { body } = await detailedHealth(s);

    expect(body['holds']).toEqual([{ provider: 'render', target: 'srv-a', rollbackRunId: 'rb-1', undoes: 'run-1', heldAt: '2026-12-01T00:00:00.000Z', keys: ['APP_COLOR', 'APP_NAME'] }]);
  });

  it('with a token does no token discovery of its own: a target no run reached shows as not checked', async () => {
    const s = setup(discoveryEnv);

    const { body } = await detailedHealth(s);

    expect(body['targets']).toEqual([
      { provider: 'render', id: 'srv-a', token: { found: false, problem: expect.stringMatching(/Not checked yet/) as unknown }, lastSync: null },
      { provider: 'netlify', id: 'site-a', token: { found: false, problem: expect.stringMatching(/Not checked yet/) as unknown }, lastSync: null },
    ]);
    expect(s.posted).toEqual([]);
  });

  it('with a token answers 500 listing every problem of an invalid configuration', async () => {
    const s = setup({ ENVSYNC_INCLUDE_PREFIXES: '', ENVSYNC_LEDGER_SECRET: '' });

    const { status, body } = await detailedHealth(s);

    expect(status).toBe(500);
    expect(body['error']).toEqual({
      code: 'config-invalid',
      message: expect.stringMatching(/\(2 problems\): ENVSYNC_INCLUDE_PREFIXES: .*; ENVSYNC_LEDGER_SECRET: /) as unknown,
    });
  });

  it('with a wrong token answers 401 rather than the public view', async () => {
    const s = setup();

    expect((await detailedHealth(s, 'not-a-token')).status).toBe(401);
  });

  it('with a token still answers when storage is unavailable, saying why', async () => {
    const s = setup();
    const broken: ServiceDeps = { ...s.deps, openStorage: () => Promise.reject(new Error('no blobs')) };

    const response = await serve(healthEndpoint, new Request(`${base}/envsync-health`, { headers: { authorization: `Bearer ${readToken}` } }), broken);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'degraded', storage: { ok: false }, lastRun: null, openTickets: null });
  });
});

describe('runs and tickets', () => {
  it('list reports newest first with filters, and tickets by status', async () => {
    const s = setup({ ENVSYNC_MODE: 'dry-run', RENDER_SERVICE_ID: 'srv-a,srv-b' });
    s.render.seed('srv-a', {});
    s.render.seed('srv-b', {});
    await s.call(applyEndpoint, '/envsync-apply/render', { method: 'POST' });
    await s.call(applyEndpoint, '/envsync-apply/render', { method: 'POST', body: '{"target":"srv-b"}' });

    const runs = (await s.call(runsEndpoint, '/envsync-runs?target=srv-b&limit=5')).body['runs'] as { target: string; runId: string }[];
    const all = (await s.call(runsEndpoint, '/envsync-runs?limit=1')).body['runs'] as { target: string }[];
    const tickets = (await s.call(ticketsEndpoint, '/envsync-tickets?status=open&provider=render')).body['tickets'] as { target: string; occurrences: number }[];

    expect(runs.map((run) => run.target)).toEqual(['srv-b', 'srv-b']);
    expect(all.map((run) => run.target)).toEqual(['srv-b']);
    expect(tickets.map((ticket) => [ticket.target, ticket.occurrences]).sort()).toEqual([
      ['srv-a', 1],
      ['srv-b', 2],
    ]);
  });

  it('keep every event of a run with its trigger, filtered by type and target; the build plugin\'s runs say deploy', async () => {
    const s = setup({ ENVSYNC_MODE: 'dry-run', RENDER_SERVICE_ID: 'srv-a,srv-b' });
    s.render.seed('srv-a', {});
    s.render.seed('srv-b', { APP_COLOR: 'blue', APP_NAME: 'envsync' });
    await s.call(applyEndpoint, '/envsync-apply/render', { method: 'POST' });
    await s.call(applyAllEndpoint, '/envsync-apply-all', { method: 'POST', headers: { 'x-envsync-trigger': 'deploy' } });

    const events = (await s.call(eventsEndpoint, '/envsync-events')).body['events'] as { type: string; target: string; trigger: string; keys: string[] }[];
    const drift = (await s.call(eventsEndpoint, '/envsync-events?type=ENVSYNC_DRIFT_DETECTED&target=srv-a&limit=1')).body['events'] as typeof events;

    expect(events.map((event) => `${event.trigger} ${event.target} ${event.type}`).sort()).toEqual([
      'api srv-a ENVSYNC_COMPLETE',
      'api srv-a ENVSYNC_DRIFT_DETECTED',
      'api srv-b ENVSYNC_COMPLETE',
      'deploy srv-a ENVSYNC_COMPLETE',
      'deploy srv-a ENVSYNC_DRIFT_DETECTED',
      'deploy srv-b ENVSYNC_COMPLETE',
    ]);
    expect(drift).toMatchObject([{ type: 'ENVSYNC_DRIFT_DETECTED', target: 'srv-a', trigger: 'deploy', keys: ['APP_COLOR', 'APP_NAME'] }]);
    expect((await s.call(eventsEndpoint, '/envsync-events?type=ENVSYNC_DRIFT,ENVSYNC_COMPLETE')).status).toBe(400);
    expect((await s.call(eventsEndpoint, '/envsync-events', { auth: false })).status).toBe(401);
  });

  it('refuses an unknown query parameter', async () => {
    const s = setup();

    const { status, body } = await s.call(ticketsEndpoint, '/envsync-tickets?state=open');

    expect(status).toBe(400);
    expect((body['error'] as { message: string }).message).toMatch(/state/);
  });
});
