import { http, passthrough } from 'msw';
import { describe, expect, it } from 'vitest';
import { NetlifyFake } from '../../../test/emulator/netlify.ts';
import { RenderFake } from '../../../test/emulator/render.ts';
import { useLocalBlobs } from '../../../test/support/blobs-server.ts';
import { useMswServer } from '../../../test/support/msw.ts';
import { virtualClock, type VirtualClock } from '../../../test/support/render-harness.ts';
import { testEnv } from '../../../test/support/settings.ts';
import { loadSettings } from '../../config/load.ts';
import { createBudget, functionBudgetsMs } from '../../http/budget.ts';
import { silentLogger } from '../../logging/logger.ts';
import { netlifyAdapter } from '../../providers/netlify.ts';
import { createRenderAdapter } from '../../providers/render.ts';
import { vercelAdapter } from '../../providers/vercel.ts';
import type { RunProgress } from '../../storage/types.ts';
import { processRun } from '../endpoints/background.ts';
import type { ServiceDeps } from '../deps.ts';
import { runSync, type RunContext } from './run-sync.ts';

/**
 * Issue 8 defect 9 and issue 10's first slow path, at the network boundary (msw in front of the
 * stateful fakes, the real adapters, Blobs on a local BlobsServer): a run connects once per
 * provider, so every target draws on the same rate budgets, reserves writes only for the targets
 * of the run still to come, and syncs the two providers at the same time.
 */

const server = useMswServer();
const blobs = useLocalBlobs();
const renderBase = 'https://api.render.test/v1';
const netlifyBase = 'https://api.netlify.test/api/v1';

const desired = Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`APP_K${String(index).padStart(2, '0')}`, `new-${index}`]));
const stale = Object.fromEntries(Object.keys(desired).map((key) => [key, 'old']));

interface World {
  readonly render: RenderFake;
  readonly netlify: NetlifyFake;
  readonly clock: VirtualClock;
  context(budgetMs: number): Promise<RunContext>;
}

function world(env: Record<string, string>): World {
  const clock = virtualClock();
  const render = new RenderFake({ basePath: '/v1', now: clock.now });
  const netlify = new NetlifyFake({ basePath: '/api/v1', now: clock.now });
  server.use(
    http.all(`${renderBase}/*`, ({ request }) => render.handle(request)),
    http.all(`${netlifyBase}/*`, ({ request }) => netlify.handle(request)),
    // The local BlobsServer is a real server on this machine: its requests go through.
    http.all('http://localhost:*/*', () => passthrough()),
  );
  const vars = testEnv({
    ENVSYNC_TARGETS: 'render,netlify',
    RENDER_API_URL: renderBase,
    NETLIFY_API_URL: netlifyBase,
    ENVSYNC_REDEPLOY: 'false',
    ...Object.fromEntries(Object.entries(desired)),
    ...env,
  });
  const deps: ServiceDeps = {
    env: vars,
    openStorage: () => blobs.open({ client: blobs.freshClient() }),
    adapters: { render: createRenderAdapter({ now: clock.now, sleep: clock.sleep }), netlify: netlifyAdapter, vercel: vercelAdapter },
    logger: silentLogger,
    now: clock.now,
  };
  return {
    render,
    netlify,
    clock,
    context: async (budgetMs) => ({ settings: loadSettings(vars), deps, storage: await deps.openStorage(), budget: createBudget(budgetMs, clock.now) }),
  };
}

function queued(targets: readonly string[]): RunProgress {
  const at = new Date(Date.UTC(2026, 0, 1)).toISOString();
  return { runId: 'run-fleet-1', status: 'queued', mode: 'enforce', pending: [...targets], done: [], startedAt: at, updatedAt: at };
}

describe('a background run connects once per provider', () => {
  it('shares one Render write budget across every service: 6 services × 10 changes stay within 30 writes, no 429', async () => {
    const services = Array.from({ length: 6 }, (_, index) => `srv-${index + 1}`);
    const w = world({ ENVSYNC_TARGETS: 'render', RENDER_SERVICE_ID: services.join(',') });
    for (const id of services) w.render.seed(id, { ...stale, OTHER: 'kept' });

    // A budget whose waits for the next window do not fit: any 429 met is a failure, not a retry.
    const done = await processRun(queued(services.map((id) => `render:${id}`)), await w.context(62_000));

    expect(done.status).toBe('done');
    expect(w.render.log.filter((entry) => entry.status === 429)).toHaveLength(0);
    const counts = w.render.counts();
    // The first services fit per key (10 each while the budget keeps one write for each service
    // still to come); the rest get one replace-all each.
    const perKey = counts['PUT /services/{serviceId}/env-vars/{envVarKey}'] ?? 0;
    const replaceAll = counts['PUT /services/{serviceId}/env-vars'] ?? 0;
    expect(perKey + replaceAll).toBeLessThanOrEqual(30);
    expect({ perKey, replaceAll }).toEqual({ perKey: 20, replaceAll: 4 });
    for (const id of services) expect(w.render.variables(id)).toEqual({ ...desired, OTHER: 'kept' });
  });

  it('looks the Netlify account up once for the whole run, not once per site', async () => {
    const sites = ['site-1', 'site-2', 'site-3'];
    const w = world({ ENVSYNC_TARGETS: 'netlify', ENVSYNC_NETLIFY_SITE_ID: sites.join(',') });
    for (const id of sites) w.netlify.addSite({ id, accountSlug: 'team-a' }).seed(id, 'APP_K00', { values: { all: 'old' } });

    const done = await processRun(queued(sites.map((id) => `netlify:${id}`)), await w.context(functionBudgetsMs.background));

    expect(done).toMatchObject({ status: 'done', done: sites.map((id) => `netlify:${id}`), pending: [] });
    expect(w.netlify.count('GET /sites/{site_id}')).toBe(1);
    expect(w.netlify.count('GET /accounts/{account_id}/env')).toBe(3);
    for (const id of sites) expect(w.netlify.values(id, 'APP_K05')).toEqual({ all: 'new-5' });
  });
});

describe('writes are reserved only for the targets of the run still to come', () => {
  it('an apply of one service out of 25 configured may use the whole budget: per-key writes, no replace-all', async () => {
    const services = Array.from({ length: 25 }, (_, index) => `srv-${index + 1}`);
    const w = world({ ENVSYNC_TARGETS: 'render', RENDER_SERVICE_ID: services.join(',') });
    w.render.seed('srv-7', { ...Object.fromEntries(Object.entries(stale).slice(0, 8)), OTHER: 'kept' });
    const context = await w.context(functionBudgetsMs.http);

    const run = await runSync({ runId: 'run-one', mode: 'enforce', kind: 'http', trigger: 'api', work: [{ provider: 'render', targets: ['srv-7'] }] }, context);

    expect(run.results[0]).toMatchObject({ target: 'srv-7', applied: true, errors: [] });
    expect(w.render.counts()).toMatchObject({ 'PUT /services/{serviceId}/env-vars/{envVarKey}': 10 });
    expect(w.render.counts()['PUT /services/{serviceId}/env-vars']).toBeUndefined();
  });
});

describe('providers run at the same time', () => {
  /** Holds every Render answer until Netlify has seen a request: a sequential run never gets there. */
  function holdRenderUntilNetlify(w: World): { readonly netlifyFirst: () => boolean } {
    let release: () => void = () => undefined;
    const netlifySeen = new Promise<void>((resolve) => {
      release = resolve;
    });
    let renderAnsweredBeforeNetlify = false;
    const timeout = () => new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5_000));
    server.use(
      http.all(`${renderBase}/*`, async ({ request }) => {
        if ((await Promise.race([netlifySeen.then(() => 'seen' as const), timeout()])) === 'timeout') renderAnsweredBeforeNetlify = true;
        return w.render.handle(request);
      }),
      http.all(`${netlifyBase}/*`, ({ request }) => {
        release();
        return w.netlify.handle(request);
      }),
    );
    return { netlifyFirst: () => !renderAnsweredBeforeNetlify };
  }

  it('apply-all reaches Netlify while Render is still being answered', async () => {
    const w = world({ RENDER_SERVICE_ID: 'srv-1', ENVSYNC_NETLIFY_SITE_ID: 'site-1', NETLIFY_ACCOUNT_ID: 'team-a' });
    w.render.seed('srv-1', stale);
    w.netlify.addSite({ id: 'site-1', accountSlug: 'team-a' }).seed('site-1', 'APP_K00', { values: { all: 'old' } });
    const hold = holdRenderUntilNetlify(w);

    const run = await runSync(
      { runId: 'run-both', mode: 'enforce', kind: 'http', trigger: 'api', work: [{ provider: 'render', targets: ['srv-1'] }, { provider: 'netlify', targets: ['site-1'] }] },
      await w.context(functionBudgetsMs.http),
    );

    expect(hold.netlifyFirst()).toBe(true);
    expect(run.results.map((report) => [report.provider, report.applied])).toEqual([
      ['render', true],
      ['netlify', true],
    ]);
  });

  it('the background run too, and its progress keeps the queue order', async () => {
    const w = world({ RENDER_SERVICE_ID: 'srv-1,srv-2', ENVSYNC_NETLIFY_SITE_ID: 'site-1,site-2', NETLIFY_ACCOUNT_ID: 'team-a' });
    for (const id of ['srv-1', 'srv-2']) w.render.seed(id, stale);
    for (const id of ['site-1', 'site-2']) w.netlify.addSite({ id, accountSlug: 'team-a' }).seed(id, 'APP_K00', { values: { all: 'old' } });
    const hold = holdRenderUntilNetlify(w);
    const keys = ['render:srv-1', 'render:srv-2', 'netlify:site-1', 'netlify:site-2'];

    const done = await processRun(queued(keys), await w.context(functionBudgetsMs.background));

    expect(hold.netlifyFirst()).toBe(true);
    expect(done).toMatchObject({ status: 'done', done: keys, pending: [] });
  });
});
