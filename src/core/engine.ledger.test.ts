import { describe, expect, it } from 'vitest';
import { SyncError } from '../errors.ts';
import { createBudget } from '../http/budget.ts';
import { createLogger } from '../logging/logger.ts';
import { MemoryProvider } from '../../test/support/memory-provider.ts';
import { testEnv, testSettings } from '../../test/support/settings.ts';
import type { ProviderAdapter } from './adapter.ts';
import { syncProvider, type EngineDeps } from './engine.ts';
import { InMemoryLedger, type LedgerSnapshot, type TargetRef } from './ledger.ts';

/** A ledger that logs each save into a shared log and fails the first `failures` saves. */
class RecordingLedger extends InMemoryLedger {
  saves = 0;
  constructor(
    readonly log: string[],
    public failures = 0,
  ) {
    super();
  }

  override async save(target: TargetRef, entries: LedgerSnapshot): Promise<void> {
    this.saves += 1;
    this.log.push(`save ledger (${entries.map((entry) => entry.key).join(',')})`);
    if (this.failures > 0) {
      this.failures -= 1;
      throw new SyncError('storage-failed', 'Netlify Blobs answered 503.');
    }
    await super.save(target, entries);
  }
}

/**
 * The memory provider's adapter with its redeploy logged into the same log, and an apply that
 * throws from the given round on (a 401 after a rotated token, say).
 */
function adapterOf(provider: MemoryProvider, options: { readonly throwOnApplyRound?: number } = {}): ProviderAdapter {
  const base = provider.adapter;
  let applies = 0;
  return {
    ...base,
    connect: (session) => {
      const connection = base.connect(session);
      return {
        read: (targetId) => connection.read(targetId),
        apply: (targetId, plan, values, remote) => {
          applies += 1;
          if (options.throwOnApplyRound !== undefined && applies >= options.throwOnApplyRound) {
            provider.operations.push('apply throws');
            return Promise.reject(new SyncError('provider-auth', 'The token was rejected (401): it was rotated. Replace RENDER_API_TOKEN.'));
          }
          return connection.apply(targetId, plan, values, remote);
        },
        redeploy: (targetId) => {
          provider.operations.push('redeploy');
          return connection.redeploy(targetId);
        },
      };
    },
  };
}

function setup(env: Record<string, string | undefined>, options: { readonly saveFailures?: number; readonly throwOnApplyRound?: number } = {}) {
  const provider = new MemoryProvider();
  const ledger = new RecordingLedger(provider.operations, options.saveFailures ?? 0);
  const deps: EngineDeps = {
    settings: testSettings(env),
    env: testEnv(env),
    ledger,
    logger: createLogger({ write: () => undefined, level: 'debug' }),
    budget: createBudget(20_000),
    adapters: { render: adapterOf(provider, options), netlify: new MemoryProvider('netlify').adapter },
  };
  return { provider, ledger, deps };
}

const target: TargetRef = { provider: 'render', id: 'srv-a' };

describe('the ledger keeps every write that landed', () => {
  it('saves the ledger after each apply round, before the redeploy', async () => {
    const { provider, deps } = setup({ APP_A: '1', APP_B: '2', ENVSYNC_REDEPLOY: 'true' });
    provider.seed('srv-a', {});
    provider.failures.push({ on: 'write', key: 'APP_B', error: new SyncError('outcome-unknown', 'timed out', { key: 'APP_B', retryable: true }) });

    const [report] = await syncProvider({ provider: 'render', mode: 'enforce' }, deps);

    expect(report?.errors).toEqual([]);
    expect(provider.operations).toEqual([
      'read srv-a',
      'create APP_A',
      'create APP_B',
      'save ledger (APP_A)',
      'read srv-a',
      'create APP_B',
      'save ledger (APP_A,APP_B)',
      'redeploy',
    ]);
  });

  it('keeps the changes of round 1 in the report and the ledger when round 2 throws', async () => {
    const { provider, ledger, deps } = setup({ APP_A: '1', APP_B: '2', ENVSYNC_REDEPLOY: 'true' }, { throwOnApplyRound: 2 });
    provider.seed('srv-a', {});
    provider.failures.push({ on: 'write', key: 'APP_B', error: new SyncError('outcome-unknown', 'timed out', { key: 'APP_B', retryable: true }) });

    const [report] = await syncProvider({ provider: 'render', mode: 'enforce' }, deps);

    expect(report?.applied).toBe(true);
    expect(report?.changes).toEqual([{ op: 'create', key: 'APP_A' }]);
    expect(report?.summary).toEqual({ create: 1, update: 0, delete: 0, noop: 0 });
    expect(report?.pending).toEqual([{ op: 'create', key: 'APP_B' }]);
    expect(report?.errors.map((error) => error.code)).toEqual(['provider-auth']);
    expect(report?.rounds).toBe(2);
    expect(report?.redeploy).toBe('triggered');
    expect((await ledger.load(target)).map((entry) => entry.key)).toEqual(['APP_A']);
  });

  it('retries a failed ledger save, and then reports the sync as it happened', async () => {
    const { provider, ledger, deps } = setup({ APP_A: '1' }, { saveFailures: 1 });
    provider.seed('srv-a', {});

    const [report] = await syncProvider({ provider: 'render', mode: 'enforce' }, deps);

    expect(report?.errors).toEqual([]);
    expect(report?.changes).toEqual([{ op: 'create', key: 'APP_A' }]);
    expect(ledger.saves).toBe(2);
    expect((await ledger.load(target)).map((entry) => entry.key)).toEqual(['APP_A']);
  });

  it('keeps the true report and adds storage-failed when the ledger cannot be saved', async () => {
    const { provider, ledger, deps } = setup({ APP_A: '1', ENVSYNC_REDEPLOY: 'true' }, { saveFailures: 100 });
    provider.seed('srv-a', {});

    const [report] = await syncProvider({ provider: 'render', mode: 'enforce' }, deps);

    expect(provider.values('srv-a')).toEqual({ APP_A: '1' });
    expect(report?.applied).toBe(true);
    expect(report?.changes).toEqual([{ op: 'create', key: 'APP_A' }]);
    expect(report?.redeploy).toBe('triggered');
    expect(report?.errors.map((error) => error.code)).toEqual(['storage-failed']);
    expect(report?.errors[0]?.message).toMatch(/ledger/i);
    expect(ledger.saves).toBe(3);
    expect(provider.operations.at(-1)).toBe('redeploy');
  });

  it('saves nothing in dry-run', async () => {
    const { provider, ledger, deps } = setup({ APP_A: '1' });
    provider.seed('srv-a', {});

    await syncProvider({ provider: 'render', mode: 'dry-run' }, deps);

    expect(ledger.saves).toBe(0);
  });
});

describe('ownership follows the value', () => {
  const deletions = { ENVSYNC_ALLOW_DELETIONS: 'true' };

  it('forgets a key a person deleted, so the same key recreated by hand later is not EnvSync’s to delete', async () => {
    const first = setup({ ...deletions, APP_A: '1' });
    first.provider.seed('srv-a', {});
    await syncProvider({ provider: 'render', mode: 'enforce' }, first.deps);
    expect((await first.ledger.load(target)).map((entry) => entry.key)).toEqual(['APP_A']);

    // A person deletes APP_A; APP_A leaves the canonical set. The next run prunes the entry.
    first.provider.targets.get('srv-a')?.delete('APP_A');
    const withoutA = { ...first.deps, env: testEnv({ ...deletions, APP_KEEP: 'k' }), settings: testSettings(deletions) };
    first.provider.seed('srv-a', { APP_KEEP: 'k' });
    await syncProvider({ provider: 'render', mode: 'enforce' }, withoutA);
    expect(await first.ledger.load(target)).toEqual([]);

    // Later the person recreates APP_A by hand, with the very value EnvSync once wrote.
    first.provider.seed('srv-a', { APP_KEEP: 'k', APP_A: '1' });
    const [report] = await syncProvider({ provider: 'render', mode: 'enforce' }, withoutA);

    expect(first.provider.values('srv-a')).toEqual({ APP_KEEP: 'k', APP_A: '1' });
    expect(report?.skipped).toEqual([{ op: 'delete', key: 'APP_A', reason: 'not-owned' }]);
  });

  it('reports a value changed since EnvSync wrote it as modified-since-written, and does not delete it', async () => {
    const first = setup({ ...deletions, APP_A: 'written-by-envsync' });
    first.provider.seed('srv-a', {});
    await syncProvider({ provider: 'render', mode: 'enforce' }, first.deps);
    first.provider.seed('srv-a', { APP_A: 'changed-by-a-person' });

    const [report] = await syncProvider(
      { provider: 'render', mode: 'enforce' },
      { ...first.deps, env: testEnv({ ...deletions, APP_KEEP: 'k' }), settings: testSettings(deletions) },
    );

    expect(first.provider.values('srv-a')).toEqual({ APP_A: 'changed-by-a-person', APP_KEEP: 'k' });
    expect(report?.skipped).toEqual([{ op: 'delete', key: 'APP_A', reason: 'modified-since-written' }]);
    expect(report?.changes).toEqual([{ op: 'create', key: 'APP_KEEP' }]);
  });
});
