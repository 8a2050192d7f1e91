import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { RenderFake } from '../../../test/emulator/render.ts';
import { useMswServer } from '../../../test/support/msw.ts';
import {
  managedPolicy,
  numberedVariables,
  renderHandler,
  renderSession,
  renderTestBase,
  syncOnce,
  virtualClock,
} from '../../../test/support/render-harness.ts';
import { testSettings } from '../../../test/support/settings.ts';
import { isSyncError, type SyncError } from '../../errors.ts';
import type { Plan } from '../../core/plan.ts';
import { createRenderAdapter, renderAdapter } from '../render.ts';

/**
 * Render environment groups as targets of the `render` provider, at the network boundary: msw in
 * front of the stateful fake, unhandled requests failing.
 */

const server = useMswServer();
let fake: RenderFake;
const group = 'env-group:evg-1';

beforeEach(() => {
  fake = new RenderFake();
  server.use(renderHandler(fake));
});

function connect(envGroupIds: readonly string[] = ['evg-1'], serviceIds: readonly string[] = []) {
  return renderAdapter.connect(renderSession({ envGroupIds, serviceIds }));
}

async function failureOf(promise: Promise<unknown>): Promise<SyncError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isSyncError(error)) throw new Error(`expected a SyncError, got ${String(error)}`);
  return error;
}

describe('RENDER_ENV_GROUP_ID', () => {
  it('makes each group a target named env-group:<id>, before the services, and leaves a service-only setup as it was', () => {
    const both = testSettings({ RENDER_SERVICE_ID: 'srv-a,srv-b', RENDER_ENV_GROUP_ID: 'evg-1, evg-2,evg-1' });
    expect(both.providers.render.targetIds).toEqual(['env-group:evg-1', 'env-group:evg-2', 'srv-a', 'srv-b']);
    expect(both.providers.render.options).toEqual({ serviceIds: ['srv-a', 'srv-b'], envGroupIds: ['evg-1', 'evg-2'] });
    expect(testSettings({ RENDER_SERVICE_ID: 'srv-a,srv-b' }).providers.render.targetIds).toEqual(['srv-a', 'srv-b']);
    expect(testSettings({ RENDER_SERVICE_ID: '', RENDER_ENV_GROUP_ID: 'evg-1' }).providers.render.targetIds).toEqual(['env-group:evg-1']);
  });

  it('satisfies the render target requirement on its own; with neither set, the error names both settings', () => {
    expect(() => testSettings({ RENDER_SERVICE_ID: '', RENDER_ENV_GROUP_ID: '' })).toThrow(/RENDER_SERVICE_ID.*RENDER_ENV_GROUP_ID/s);
    expect(() => testSettings({ RENDER_ENV_GROUP_ID: 'evg 1' })).toThrow(/RENDER_ENV_GROUP_ID/);
  });
});

describe('reading an env group', () => {
  it('is one request that returns every variable of the group and nothing of its linked services', async () => {
    fake.seed('srv-a', { SERVICE_ONLY: 's' }).seedEnvGroup('evg-1', { APP_A: 'a', SHARED: 'x' }, ['srv-a']);
    const remote = await connect().read(group);
    expect(remote.values).toEqual([
      { key: 'APP_A', context: '*', value: 'a', secret: false },
      { key: 'SHARED', context: '*', value: 'x', secret: false },
    ]);
    expect(fake.counts()).toEqual({ 'GET /env-groups/{envGroupId}': 1 });
  });

  it('fails the target with provider-not-found naming the group and RENDER_ENV_GROUP_ID', async () => {
    const error = await failureOf(connect(['evg-nope']).read('env-group:evg-nope'));
    expect(error.code).toBe('provider-not-found');
    expect(error.message).toContain('env group evg-nope was not found');
    expect(error.message).toContain('RENDER_ENV_GROUP_ID');
  });

  it('rejects an answer without envVars instead of reading it as an empty group', async () => {
    server.use(http.get(`${renderTestBase}/env-groups/evg-1`, () => HttpResponse.json({ id: 'evg-1', serviceLinks: [] })));
    const error = await failureOf(connect().read(group));
    expect(error.code).toBe('provider-response-invalid');
    expect(error.message).toContain('GET /env-groups/evg-1');
  });

  it('rejects a group that lists a key twice', async () => {
    const duplicated = { id: 'evg-1', serviceLinks: [], envVars: [{ key: 'APP_A', value: '1' }, { key: 'APP_A', value: '2' }] };
    server.use(http.get(`${renderTestBase}/env-groups/evg-1`, () => HttpResponse.json(duplicated)));
    expect((await failureOf(connect().read(group))).code).toBe('provider-response-invalid');
  });
});

describe('writing an env group key by key', () => {
  it('a sync with nothing to change is one read request and no write', async () => {
    fake.seedEnvGroup('evg-1', { APP_A: 'a', APP_B: 'b', OTHER: 'x' });
    const { outcome } = await syncOnce(connect(), group, { APP_A: 'a', APP_B: 'b' });
    expect(outcome).toEqual({ done: [], errors: [] });
    expect(fake.log.map((entry) => `${entry.method} ${entry.route}`)).toEqual(['GET env-group.get']);
  });

  it('sends one request per changed key, never a replace-all, and touches nothing else', async () => {
    fake.seedEnvGroup('evg-1', { APP_A: 'old', APP_GONE: 'x', APP_SAME: 's', OTHER: 'keep' });
    const { outcome } = await syncOnce(connect(), group, { APP_A: 'new', APP_NEW: 'n', APP_SAME: 's' });
    expect(outcome.errors).toEqual([]);
    expect(outcome.done).toEqual([
      { op: 'update', key: 'APP_A', context: '*' },
      { op: 'create', key: 'APP_NEW', context: '*' },
      { op: 'delete', key: 'APP_GONE', context: '*' },
    ]);
    expect(fake.groupVariables('evg-1')).toEqual({ APP_A: 'new', APP_SAME: 's', OTHER: 'keep', APP_NEW: 'n' });
    expect(fake.counts()).toEqual({
      'GET /env-groups/{envGroupId}': 1,
      'PUT /env-groups/{envGroupId}/env-vars/{envVarKey}': 2,
      'DELETE /env-groups/{envGroupId}/env-vars/{envVarKey}': 1,
    });
  });

  it('writes 25 changes as 25 requests: a group has no replace-all', async () => {
    fake.seedEnvGroup('evg-1', numberedVariables('APP_', 25, 'old'));
    const { outcome } = await syncOnce(connect(), group, numberedVariables('APP_', 25, 'new'));
    expect(outcome.errors).toEqual([]);
    expect(fake.count('env-group-var.put')).toBe(25);
    expect(fake.count('write')).toBe(25);
    expect(fake.groupVariables('evg-1')).toEqual(numberedVariables('APP_', 25, 'new'));
  });

  it('never sends an empty value, even when a plan asks for it (the core never does)', async () => {
    fake.seedEnvGroup('evg-1', { APP_A: 'a' });
    const connection = connect();
    const remote = await connection.read(group);
    const plan: Plan = { changes: [{ op: 'update', key: 'APP_A', context: '*', secret: false, reason: 'value-differs' }], skipped: [] };
    const outcome = await connection.apply(group, plan, new Map([['APP_A', '']]), remote);
    expect(outcome.done).toEqual([]);
    expect(outcome.errors.map((error) => [error.code, error.key])).toEqual([['internal', 'APP_A']]);
    expect(fake.count('write')).toBe(0);
  });

  it('deletes nothing once a write failed', async () => {
    fake.seedEnvGroup('evg-1', { APP_A: 'old', APP_GONE: 'x' }).fail({ route: 'env-group-var.put', status: 500 });
    const { outcome } = await syncOnce(connect(), group, { APP_A: 'new' });
    expect(outcome.errors.map((error) => [error.key, error.code])).toEqual([
      ['APP_A', 'outcome-unknown'],
      ['APP_GONE', 'write-skipped'],
    ]);
    expect(fake.count('env-group-var.delete')).toBe(0);
    expect(fake.groupVariables('evg-1')).toEqual({ APP_A: 'old', APP_GONE: 'x' });
  });

  it('reads a PUT answer that lacks the key as an unknown outcome, to be re-read', async () => {
    fake.seedEnvGroup('evg-1', { APP_A: 'old' });
    server.use(http.put(`${renderTestBase}/env-groups/evg-1/env-vars/APP_A`, () => HttpResponse.json({ id: 'evg-1', serviceLinks: [], envVars: [] })));
    const { outcome } = await syncOnce(connect(), group, { APP_A: 'new' });
    expect(outcome.errors.map((error) => [error.key, error.code, error.retryable])).toEqual([['APP_A', 'provider-response-invalid', true]]);
  });

  it('fails the whole target when the group vanished before the first write', async () => {
    fake.seedEnvGroup('evg-1', { APP_A: 'old' });
    const connection = connect();
    const remote = await connection.read(group);
    const plan: Plan = { changes: [{ op: 'update', key: 'APP_A', context: '*', secret: false, reason: 'value-differs' }], skipped: [] };
    server.use(http.put(`${renderTestBase}/env-groups/evg-1/env-vars/APP_A`, () => HttpResponse.json({ message: 'not found' }, { status: 404 })));
    const error = await failureOf(connection.apply(group, plan, new Map([['APP_A', 'new']]), remote));
    expect(error.code).toBe('provider-not-found');
    expect(error.message).toContain('RENDER_ENV_GROUP_ID');
  });
});

describe('one write budget for the services and groups of a run', () => {
  it('counts group writes against the API key next to the services, and stops before a 429', async () => {
    const clock = virtualClock();
    fake = new RenderFake({ now: clock.now });
    server.use(renderHandler(fake));
    fake.seed('srv-1', numberedVariables('APP_', 9, 'old')).seed('srv-2', numberedVariables('APP_', 9, 'old'));
    fake.seed('srv-3', numberedVariables('APP_', 9, 'old')).seedEnvGroup('evg-1', numberedVariables('APP_', 5, 'old'));
    const adapter = createRenderAdapter({ now: clock.now, sleep: clock.sleep });
    const connection = adapter.connect(renderSession({ serviceIds: ['srv-1', 'srv-2', 'srv-3'], envGroupIds: ['evg-1'], now: clock.now, budgetMs: 20_000 }));

    // Services first here (an explicit order), so the group meets a budget the services used.
    for (const id of ['srv-1', 'srv-2', 'srv-3']) await syncOnce(connection, id, numberedVariables('APP_', 9, 'new'));
    const { outcome } = await syncOnce(connection, group, numberedVariables('APP_', 5, 'new'));

    expect(fake.count('env-var.put')).toBe(27);
    expect(outcome.done.map((change) => change.key)).toEqual(['APP_0001', 'APP_0002', 'APP_0003']);
    expect(outcome.errors.map((error) => [error.key, error.code, error.retryable])).toEqual([
      ['APP_0004', 'provider-rate-limited', true],
      ['APP_0005', 'provider-rate-limited', true],
    ]);
    expect(fake.count('write', 429)).toBe(0);
    expect(fake.count('write')).toBe(30);
  });

  it('waits for a write slot when the wait fits the time budget', async () => {
    const clock = virtualClock();
    fake = new RenderFake({ now: clock.now, writesPerMinute: 2 });
    server.use(renderHandler(fake));
    fake.seedEnvGroup('evg-1', numberedVariables('APP_', 3, 'old'));
    const adapter = createRenderAdapter({ now: clock.now, sleep: clock.sleep, writesPerMinute: 2 });
    const connection = adapter.connect(renderSession({ envGroupIds: ['evg-1'], now: clock.now, budgetMs: 120_000 }));
    const { outcome } = await syncOnce(connection, group, numberedVariables('APP_', 3, 'new'), managedPolicy());
    expect(outcome.errors).toEqual([]);
    expect(fake.count('write')).toBe(3);
    expect(fake.count('write', 429)).toBe(0);
  });
});
