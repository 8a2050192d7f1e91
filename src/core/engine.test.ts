import { describe, expect, it } from 'vitest';
import { SyncError } from '../errors.ts';
import { createBudget } from '../http/budget.ts';
import { createLogger } from '../logging/logger.ts';
import { MemoryProvider } from '../../test/support/memory-provider.ts';
import { testEnv, testSettings } from '../../test/support/settings.ts';
import { syncProvider, type EngineDeps, type TargetGuard } from './engine.ts';
import { InMemoryLedger } from './ledger.ts';

function setup(env: Record<string, string | undefined> = {}) {
  const provider = new MemoryProvider();
  const lines: string[] = [];
  const fullEnv = testEnv(env);
  const deps: EngineDeps = {
    settings: testSettings(env),
    env: fullEnv,
    ledger: new InMemoryLedger(),
    logger: createLogger({ write: (line) => lines.push(line), level: 'debug' }),
    budget: createBudget(20_000),
    adapters: { render: provider.adapter, netlify: new MemoryProvider('netlify').adapter },
  };
  return { provider, deps, lines };
}

describe('syncProvider', () => {
  it('creates and updates managed keys and leaves unmanaged keys alone', async () => {
    const { provider, deps } = setup({ APP_NEW: 'n1', APP_CHANGED: 'c2', APP_SAME: 's' });
    provider.seed('srv-a', { APP_CHANGED: 'c1', APP_SAME: 's', OTHER: 'keep' });

    const [report] = await syncProvider({ provider: 'render', mode: 'enforce' }, deps);

    expect(provider.values('srv-a')).toEqual({ APP_NEW: 'n1', APP_CHANGED: 'c2', APP_SAME: 's', OTHER: 'keep' });
    expect(report?.summary).toEqual({ create: 1, update: 1, delete: 0, noop: 1 });
    expect(report?.applied).toBe(true);
    expect(report?.pending).toEqual([]);
    expect(report?.tokenSource).toBe('env:RENDER_API_TOKEN');
  });

  it('writes nothing in dry-run and reports the plan as pending', async () => {
    const { provider, deps } = setup({ APP_NEW: 'n1' });
    provider.seed('srv-a', {});

    const [report] = await syncProvider({ provider: 'render', mode: 'dry-run' }, deps);

    expect(provider.values('srv-a')).toEqual({});
    expect(provider.operations).toEqual(['read srv-a']);
    expect(report?.applied).toBe(false);
    expect(report?.changes).toEqual([{ op: 'create', key: 'APP_NEW' }]);
    expect(report?.pending).toEqual([{ op: 'create', key: 'APP_NEW' }]);
  });

  it('deletes only keys the ledger shows EnvSync wrote', async () => {
    const first = setup({ ENVSYNC_ALLOW_DELETIONS: 'true', APP_OURS: 'x' });
    first.provider.seed('srv-a', { APP_THEIRS: 'manual' });
    await syncProvider({ provider: 'render', mode: 'enforce' }, first.deps);

    // Next run: APP_OURS has left the canonical set; APP_THEIRS never was in it.
    const env = testEnv({ ENVSYNC_ALLOW_DELETIONS: 'true', APP_KEEP: 'k' });
    const [report] = await syncProvider(
      { provider: 'render', mode: 'enforce' },
      { ...first.deps, env, settings: testSettings({ ENVSYNC_ALLOW_DELETIONS: 'true' }) },
    );

    expect(first.provider.values('srv-a')).toEqual({ APP_THEIRS: 'manual', APP_KEEP: 'k' });
    expect(report?.changes).toContainEqual({ op: 'delete', key: 'APP_OURS' });
    expect(report?.skipped).toEqual([{ op: 'delete', key: 'APP_THEIRS', reason: 'not-owned' }]);
  });

  it('deletes nothing when a write fails after an earlier write succeeded', async () => {
    const { provider, deps } = setup({ ENVSYNC_ALLOW_DELETIONS: 'true', ENVSYNC_DELETE_SCOPE: 'managed', APP_A: '1', APP_B: '2' });
    provider.seed('srv-a', { APP_STALE: 'old' });
    provider.failures.push({ on: 'write', key: 'APP_B', error: new SyncError('provider-rejected', 'B rejected', { key: 'APP_B' }) });

    const [report] = await syncProvider({ provider: 'render', mode: 'enforce' }, deps);

    expect(provider.operations).toEqual(['read srv-a', 'create APP_A', 'create APP_B']);
    expect(provider.values('srv-a')).toEqual({ APP_STALE: 'old', APP_A: '1' });
    expect(report?.errors.map((error) => [error.code, error.key])).toEqual([
      ['provider-rejected', 'APP_B'],
      ['write-skipped', 'APP_STALE'],
    ]);
    expect(report?.pending.map((change) => change.key)).toEqual(['APP_B', 'APP_STALE']);
  });

  it('re-reads before retrying a write whose outcome was unknown, and does not send it twice', async () => {
    const { provider, deps } = setup({ APP_A: '1', APP_B: '2' });
    provider.seed('srv-a', {});
    provider.failures.push({
      on: 'write',
      key: 'APP_A',
      landsAnyway: true,
      error: new SyncError('outcome-unknown', 'timed out', { key: 'APP_A', retryable: true }),
    });

    const [report] = await syncProvider({ provider: 'render', mode: 'enforce' }, deps);

    expect(provider.operations).toEqual(['read srv-a', 'create APP_A', 'create APP_B', 'read srv-a']);
    expect(provider.values('srv-a')).toEqual({ APP_A: '1', APP_B: '2' });
    expect(report?.errors).toEqual([]);
    expect(report?.rounds).toBe(2);
  });

  it('stops retrying after three rounds and reports the failure instead of success', async () => {
    const { provider, deps } = setup({ APP_A: '1' });
    provider.seed('srv-a', {});
    provider.failures.push({
      on: 'write',
      times: 5,
      error: new SyncError('provider-rate-limited', 'rate limited', { key: 'APP_A', retryable: true }),
    });

    const [report] = await syncProvider({ provider: 'render', mode: 'enforce' }, deps);

    expect(report?.rounds).toBe(3);
    expect(provider.operations.filter((op) => op.startsWith('create'))).toHaveLength(3);
    expect(report?.errors).toEqual([expect.objectContaining({ code: 'provider-rate-limited', key: 'APP_A' })]);
    expect(report?.applied).toBe(false);
    expect(report?.pending).toEqual([{ op: 'create', key: 'APP_A' }]);
  });

  it('refuses the whole apply when the plan deletes more than ENVSYNC_MAX_DELETIONS keys', async () => {
    const env = { ENVSYNC_ALLOW_DELETIONS: 'true', ENVSYNC_DELETE_SCOPE: 'managed', ENVSYNC_MAX_DELETIONS: '1', APP_NEW: 'n' };
    const { provider, deps } = setup(env);
    provider.seed('srv-a', { APP_X: '1', APP_Y: '2' });

    const [report] = await syncProvider({ provider: 'render', mode: 'enforce' }, deps);

    expect(provider.operations).toEqual(['read srv-a']);
    expect(report?.applied).toBe(false);
    expect(report?.refusal).toMatch(/ENVSYNC_MAX_DELETIONS \(1\)/);
    expect(report?.errors[0]?.code).toBe('deletion-refused');
  });

  it('refuses to delete anything when the canonical set is empty', async () => {
    const env = { ENVSYNC_ALLOW_DELETIONS: 'true', ENVSYNC_DELETE_SCOPE: 'managed', ENVSYNC_MAX_DELETIONS: '100' };
    const { provider, deps } = setup(env);
    provider.seed('srv-a', { APP_X: '1' });

    const [report] = await syncProvider({ provider: 'render', mode: 'enforce' }, deps);

    expect(provider.values('srv-a')).toEqual({ APP_X: '1' });
    expect(report?.refusal).toMatch(/canonical set is empty/);
  });

  it('reports an empty canonical value as an error on that key when the provider rejects empty values', async () => {
    const provider = new MemoryProvider('render', { replacesWholeSet: false, hidesSecretValues: false, allowsEmptyValues: false, hasContexts: false });
    const { deps } = setup({ APP_EMPTY: '', APP_OK: 'v' });
    provider.seed('srv-a', { APP_EMPTY: 'existing' });

    const [report] = await syncProvider({ provider: 'render', mode: 'enforce' }, { ...deps, adapters: { ...deps.adapters, render: provider.adapter } });

    expect(provider.values('srv-a')).toEqual({ APP_EMPTY: 'existing', APP_OK: 'v' });
    expect(report?.errors).toEqual([expect.objectContaining({ code: 'value-rejected', key: 'APP_EMPTY' })]);
  });

  it('records a token-missing error for every target when no source has the token', async () => {
    const { provider, deps } = setup({ RENDER_SERVICE_ID: 'srv-a,srv-b', RENDER_API_TOKEN: undefined });
    provider.seed('srv-a', {});

    const reports = await syncProvider({ provider: 'render', mode: 'enforce' }, deps);

    expect(reports.map((report) => report.errors[0]?.code)).toEqual(['token-missing', 'token-missing']);
    expect(reports[0]?.errors[0]?.message).toMatch(/RENDER_API_TOKEN/);
    expect(provider.operations).toEqual([]);
  });

  it('rejects a target that is not configured, naming the configured ones', async () => {
    const { deps } = setup();
    await expect(syncProvider({ provider: 'render', mode: 'enforce', targets: ['srv-zzz'] }, deps)).rejects.toThrow(/srv-zzz.*srv-a/);
  });

  it('redeploys once per changed target and never when nothing changed', async () => {
    const { provider, deps } = setup({ ENVSYNC_REDEPLOY: 'true', RENDER_SERVICE_ID: 'srv-a,srv-b', APP_A: '1' });
    provider.seed('srv-a', {});
    provider.seed('srv-b', { APP_A: '1' });

    const reports = await syncProvider({ provider: 'render', mode: 'enforce' }, deps);

    expect(provider.redeploys).toBe(1);
    expect(reports.map((report) => report.redeploy)).toEqual(['triggered', 'not-needed']);
  });

  it('reports a conflict for a target whose lock is held and leaves it untouched', async () => {
    const { provider, deps } = setup({ APP_A: '1' });
    provider.seed('srv-a', {});
    const guard: TargetGuard = () => Promise.reject(new SyncError('conflict', 'srv-a is being synced by another run.'));

    const [report] = await syncProvider({ provider: 'render', mode: 'enforce' }, { ...deps, guard });

    expect(report?.errors[0]?.code).toBe('conflict');
    expect(provider.operations).toEqual([]);
  });

  it('never puts a value in a log line, report or error', async () => {
    const canary = 'CANARY-7f3a9c1e-value-never-logged';
    const { provider, deps, lines } = setup({ APP_SECRET: canary, APP_B: canary, ENVSYNC_REDEPLOY: 'true' });
    provider.seed('srv-a', { APP_SECRET: 'old' });
    provider.failures.push({ on: 'write', key: 'APP_B', error: new SyncError('provider-rejected', 'rejected', { key: 'APP_B' }) });

    const reports = [
      ...(await syncProvider({ provider: 'render', mode: 'dry-run' }, deps)),
      ...(await syncProvider({ provider: 'render', mode: 'enforce' }, deps)),
    ];

    expect(provider.values('srv-a')['APP_SECRET']).toBe(canary);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(canary);
    expect(JSON.stringify(reports)).not.toContain(canary);
  });
});
