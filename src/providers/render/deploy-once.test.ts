import { beforeEach, describe, expect, it } from 'vitest';
import { RenderFake } from '../../../test/emulator/render.ts';
import { useMswServer } from '../../../test/support/msw.ts';
import { renderHandler, renderTestBase } from '../../../test/support/render-harness.ts';
import { testEnv, testSettings } from '../../../test/support/settings.ts';
import { syncProvider, type EngineDeps } from '../../core/engine.ts';
import { InMemoryLedger } from '../../core/ledger.ts';
import { createBudget } from '../../http/budget.ts';
import { createLogger } from '../../logging/logger.ts';
import { providers } from '../index.ts';

/**
 * With ENVSYNC_REDEPLOY, every service whose variables changed in a run (its own, or those of an
 * env group linked to it) is deployed once, after its last change: whole runs of the engine with
 * the real adapter against the stateful fake, deploys counted at the network boundary.
 */

const server = useMswServer();
let fake: RenderFake;

beforeEach(() => {
  fake = new RenderFake();
  server.use(renderHandler(fake));
});

function deps(env: Record<string, string>, ledger = new InMemoryLedger()): EngineDeps {
  const all = { RENDER_API_URL: renderTestBase, ENVSYNC_REDEPLOY: 'true', ...env };
  return {
    settings: testSettings(all),
    env: testEnv(all),
    ledger,
    logger: createLogger({ write: () => undefined }),
    budget: createBudget(25_000),
    adapters: providers,
  };
}

async function run(env: Record<string, string>, ledger?: InMemoryLedger) {
  const reports = await syncProvider({ provider: 'render', mode: 'enforce' }, deps({ APP_A: 'new', ...env }, ledger));
  return Object.fromEntries(reports.map((report) => [report.target, { applied: report.applied, redeploy: report.redeploy, errors: report.errors.map((e) => e.code) }]));
}

function deploys(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of fake.log.filter((record) => record.route === 'deploys.create')) counts[entry.serviceId ?? ''] = (counts[entry.serviceId ?? ''] ?? 0) + 1;
  return counts;
}

describe('deploys after an env group changed', () => {
  it('are never sent with ENVSYNC_REDEPLOY off, whatever changed', async () => {
    fake.seed('srv-a', { APP_A: 'old' }).seed('srv-b', { APP_A: 'old' }).seed('srv-x');
    fake.seedEnvGroup('evg-1', { APP_A: 'old' }, ['srv-a', 'srv-x']);

    const reports = await run({ RENDER_SERVICE_ID: 'srv-a,srv-b', RENDER_ENV_GROUP_ID: 'evg-1', ENVSYNC_REDEPLOY: 'false' });

    expect(Object.values(reports).map((report) => [report.applied, report.redeploy])).toEqual([
      [true, 'disabled'],
      [true, 'disabled'],
      [true, 'disabled'],
    ]);
    expect(deploys()).toEqual({});
  });

  it('deploys a linked service that changed itself once, not twice, and a linked service outside the run once', async () => {
    fake.seed('srv-a', { APP_A: 'old' }).seed('srv-b', { APP_A: 'new' }).seed('srv-x');
    fake.seedEnvGroup('evg-1', { APP_A: 'old' }, ['srv-a', 'srv-x']);

    const reports = await run({ RENDER_SERVICE_ID: 'srv-a,srv-b', RENDER_ENV_GROUP_ID: 'evg-1' });

    expect(reports).toEqual({
      'env-group:evg-1': { applied: true, redeploy: 'triggered', errors: [] },
      'srv-a': { applied: true, redeploy: 'triggered', errors: [] },
      'srv-b': { applied: false, redeploy: 'not-needed', errors: [] },
    });
    expect(deploys()).toEqual({ 'srv-a': 1, 'srv-x': 1 });
    expect(fake.groupVariables('evg-1')).toEqual({ APP_A: 'new' });
    // The service is deployed after the group's write and its own, so the deploy carries both.
    const order = fake.log.map((entry) => `${entry.route} ${entry.serviceId ?? entry.envGroupId ?? ''}`);
    expect(order.indexOf('deploys.create srv-a')).toBeGreaterThan(order.indexOf('env-var.put srv-a'));
    expect(order.indexOf('deploys.create srv-x')).toBeGreaterThan(order.indexOf('env-group-var.put evg-1'));
  });

  it('deploys a linked service whose own sync changed nothing, and says so in its report', async () => {
    fake.seed('srv-a', { APP_A: 'new' }).seedEnvGroup('evg-1', { APP_A: 'old' }, ['srv-a']);

    const reports = await run({ RENDER_SERVICE_ID: 'srv-a', RENDER_ENV_GROUP_ID: 'evg-1' });

    expect(reports['srv-a']).toEqual({ applied: false, redeploy: 'triggered', errors: [] });
    expect(deploys()).toEqual({ 'srv-a': 1 });
  });

  it('deploys a service linked to two changed groups once, after both', async () => {
    fake.seed('srv-x').seedEnvGroup('evg-1', { APP_A: 'old' }, ['srv-x']).seedEnvGroup('evg-2', { APP_A: 'old' }, ['srv-x']);

    const reports = await run({ RENDER_SERVICE_ID: '', RENDER_ENV_GROUP_ID: 'evg-1,evg-2' });

    expect(Object.values(reports).map((report) => report.redeploy)).toEqual(['triggered', 'triggered']);
    expect(deploys()).toEqual({ 'srv-x': 1 });
    const routes = fake.log.map((entry) => `${entry.route} ${entry.serviceId ?? entry.envGroupId ?? ''}`);
    expect(routes.at(-1)).toBe('deploys.create srv-x');
  });

  it('still deploys for a changed group when the run\'s last group fails to read', async () => {
    fake.seed('srv-a', { APP_A: 'new' }).seed('srv-x').seedEnvGroup('evg-1', { APP_A: 'old' }, ['srv-x']);

    const reports = await run({ RENDER_SERVICE_ID: 'srv-a', RENDER_ENV_GROUP_ID: 'evg-1,evg-gone' });

    expect(reports['env-group:evg-gone']?.errors).toEqual(['provider-not-found']);
    expect(deploys()).toEqual({ 'srv-x': 1 });
  });

  it('deploys nothing for a group linked to no service, nor on a no-op run: one read per target', async () => {
    fake.seed('srv-a', { APP_A: 'new' }).seedEnvGroup('evg-1', { APP_A: 'old' });
    const ledger = new InMemoryLedger();

    const first = await run({ RENDER_SERVICE_ID: 'srv-a', RENDER_ENV_GROUP_ID: 'evg-1' }, ledger);
    expect(first['env-group:evg-1']).toEqual({ applied: true, redeploy: 'not-needed', errors: [] });
    fake.clearLog();
    const second = await run({ RENDER_SERVICE_ID: 'srv-a', RENDER_ENV_GROUP_ID: 'evg-1' }, ledger);

    expect(Object.values(second).map((report) => report.redeploy)).toEqual(['not-needed', 'not-needed']);
    expect(fake.counts()).toEqual({ 'GET /env-groups/{envGroupId}': 1, 'GET /services/{serviceId}/env-vars': 1 });
    expect(deploys()).toEqual({});
  });
});
