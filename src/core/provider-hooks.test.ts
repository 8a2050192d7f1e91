import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { testSettings } from '../../test/support/settings.ts';
import { csvSetting, urlSetting } from '../config/fields.ts';
import { createBudget } from '../http/budget.ts';
import { createLogger } from '../logging/logger.ts';
import type { ApplyOutcome, ProviderAdapter, ProviderConnection } from './adapter.ts';
import { applyWritesThenDeletes } from './apply-order.ts';
import { diff, type DiffPolicy } from './diff.ts';
import { createFingerprinter, type LedgerSnapshot } from './ledger.ts';
import type { RemoteState, RemoteValue } from './plan.ts';
import { defineProviderSettings } from './provider-settings.ts';
import { syncTarget } from './sync-target.ts';

/**
 * The optional provider hooks the core offers: values a provider holds back from any plan, a
 * preflight's warnings, and the reveal of hidden values the ledger cannot vouch for.
 */

const fingerprint = createFingerprinter('hooks-test-secret-0123456789');

function policy(overrides: Partial<DiffPolicy> = {}): DiffPolicy {
  return {
    isManaged: (key) => key.startsWith('APP_'),
    contextsFor: () => ['production', 'preview'],
    isSecret: () => false,
    allowDeletions: true,
    deleteScope: 'managed',
    allowsEmptyValues: true,
    ledger: new Map(),
    fingerprint,
    ...overrides,
  };
}

describe('held values', () => {
  it('are never planned, whatever the canonical set says, and are reported as skipped with the reason', () => {
    const remote: RemoteState = {
      values: [{ key: 'APP_URL', context: 'preview', value: 'old', secret: false }],
      held: [
        { key: 'APP_DB', context: 'production', holder: 'integration-managed' },
        { key: 'APP_URL', context: 'preview:feature-x', holder: 'branch-specific' },
        { key: 'OTHER', context: 'production', holder: 'integration-managed' },
      ],
    };
    const plan = diff(new Map([['APP_URL', 'new']]), remote, policy());

    expect(plan.changes.map((change) => `${change.op} ${change.key} ${change.context}`)).toEqual(['update APP_URL preview', 'create APP_URL production']);
    expect(plan.skipped).toEqual([
      { key: 'APP_DB', context: 'production', op: 'delete', reason: 'held-by-provider', detail: 'integration-managed' },
      { key: 'APP_URL', context: 'preview:feature-x', op: 'update', reason: 'held-by-provider', detail: 'branch-specific' },
    ]);
  });

  it('keep a canonical key from being created where the provider holds it', () => {
    const remote: RemoteState = { values: [], held: [{ key: 'APP_DB', context: 'production', holder: 'integration-managed' }] };
    const plan = diff(new Map([['APP_DB', 'mine']]), remote, policy());

    expect(plan.changes.map((change) => `${change.op} ${change.context}`)).toEqual(['create preview']);
    expect(plan.skipped.map((skip) => `${skip.op} ${skip.context} ${skip.detail ?? ''}`)).toEqual(['update production integration-managed']);
  });
});

/** A provider whose values are hidden unless revealed, counting reads, reveals and writes. */
class HiddenProvider {
  values = new Map<string, { value: string; updatedAt: string }>();
  reveals = 0;
  writes: string[] = [];
  revealFails = false;

  adapter(): ProviderAdapter {
    return {
      id: 'hidden',
      displayName: 'Hidden',
      targetNoun: 'project',
      tokenName: 'HIDDEN_TOKEN',
      authHint: '',
      capabilities: { replacesWholeSet: false, hidesSecretValues: true, allowsEmptyValues: true, hasContexts: true },
      settings: defineProviderSettings({
        shape: { HIDDEN_TARGET_ID: csvSetting(z.string(), []), HIDDEN_API_URL: urlSetting('https://hidden.test') },
        targetSetting: 'HIDDEN_TARGET_ID',
        apiUrlSetting: 'HIDDEN_API_URL',
        resolve: (parsed) => ({ targetIds: parsed.HIDDEN_TARGET_ID, apiUrl: parsed.HIDDEN_API_URL, options: {} }),
      }),
      contextsFor: () => ['production'],
      isSecret: () => false,
      connect: () => this.connection(),
      preflight: (desired) => (desired.has('APP_TZ') ? [{ code: 'reserved-name', key: 'APP_TZ', context: 'production', message: 'APP_TZ is reserved.' }] : []),
    };
  }

  state(reveal: boolean): RemoteState {
    const values: RemoteValue[] = [...this.values].map(([key, stored]) => ({ key, context: 'production', value: reveal ? stored.value : undefined, secret: false, updatedAt: stored.updatedAt }));
    return { values };
  }

  connection(): ProviderConnection {
    return {
      read: () => Promise.resolve(this.state(false)),
      reveal: () => {
        this.reveals += 1;
        return this.revealFails ? Promise.reject(new Error('boom')) : Promise.resolve(this.state(true));
      },
      apply: (_target, plan, values): Promise<ApplyOutcome> =>
        applyWritesThenDeletes(plan, {
          write: (changes) => {
            for (const change of changes) {
              this.writes.push(change.key);
              this.values.set(change.key, { value: values.get(change.key) ?? '', updatedAt: '2026-12-01T00:00:00.000Z' });
            }
            return Promise.resolve({ done: changes.map((change) => ({ op: change.op === 'create' ? 'create' : 'update', key: change.key, context: change.context })), errors: [] });
          },
          delete: () => Promise.resolve({ done: [], errors: [] }),
        }),
      redeploy: () => Promise.resolve({ status: 'triggered' }),
    };
  }
}

async function run(provider: HiddenProvider, desired: Record<string, string>, ledger: LedgerSnapshot, mode: 'dry-run' | 'enforce' = 'enforce') {
  const adapter = provider.adapter();
  return syncTarget({
    adapter,
    connection: adapter.connect({} as never),
    targetId: 'prj_a',
    mode,
    options: {},
    settings: testSettings(),
    desired: new Map(Object.entries(desired)),
    isManaged: (key) => key.startsWith('APP_'),
    ledger,
    fingerprint,
    budget: createBudget(20_000),
    logger: createLogger({ write: () => undefined }),
    now: () => Date.parse('2026-12-01T00:00:00.000Z'),
  });
}

describe('revealing hidden values', () => {
  it('writes nothing when the revealed value equals the canonical one, and records it so the next run needs no reveal', async () => {
    const provider = new HiddenProvider();
    provider.values.set('APP_KEY', { value: 'same', updatedAt: '2026-11-01T00:00:00.000Z' });
    const first = await run(provider, { APP_KEY: 'same' }, []);

    expect(first.report.applied).toBe(false);
    expect(first.report.summary).toEqual({ create: 0, update: 0, delete: 0, noop: 1 });
    expect(provider.writes).toEqual([]);
    expect(first.ledger?.map((entry) => [entry.key, entry.remoteUpdatedAt])).toEqual([['APP_KEY', '2026-11-01T00:00:00.000Z']]);

    const second = await run(provider, { APP_KEY: 'same' }, first.ledger ?? []);
    expect(second.report.summary.noop).toBe(1);
    expect(provider.reveals).toBe(1);
  });

  it('writes a revealed value that differs, as value-differs', async () => {
    const provider = new HiddenProvider();
    provider.values.set('APP_KEY', { value: 'old', updatedAt: '2026-11-01T00:00:00.000Z' });
    const result = await run(provider, { APP_KEY: 'new' }, []);

    expect(result.report.changes).toEqual([{ op: 'update', key: 'APP_KEY', context: 'production', reason: 'value-differs' }]);
    expect(provider.writes).toEqual(['APP_KEY']);
  });

  it('records nothing in dry-run, and writes the value when the reveal fails', async () => {
    const provider = new HiddenProvider();
    provider.values.set('APP_KEY', { value: 'same', updatedAt: '2026-11-01T00:00:00.000Z' });
    const dry = await run(provider, { APP_KEY: 'same' }, [], 'dry-run');
    expect(dry.ledger).toBeUndefined();
    expect(dry.report.summary.noop).toBe(1);

    provider.revealFails = true;
    const failed = await run(provider, { APP_KEY: 'same' }, []);
    expect(failed.report.changes).toEqual([{ op: 'update', key: 'APP_KEY', context: 'production', reason: 'unverifiable' }]);
    expect(provider.writes).toEqual(['APP_KEY']);
  });
});

describe('a reveal', () => {
  it('never releases a value the provider held back, even when its answer leaves the held list out', async () => {
    const provider = new HiddenProvider();
    provider.values.set('APP_KEY', { value: 'same', updatedAt: '2026-11-01T00:00:00.000Z' });
    const adapter = provider.adapter();
    const connection = adapter.connect({} as never);
    const read = connection.read.bind(connection);
    connection.read = async (target) => ({ ...(await read(target)), held: [{ key: 'APP_DB', context: 'production', holder: 'integration-managed' }] });
    const result = await syncTarget({
      adapter,
      connection,
      targetId: 'prj_a',
      mode: 'enforce',
      options: {},
      settings: testSettings(),
      desired: new Map([['APP_KEY', 'same'], ['APP_DB', 'mine']]),
      isManaged: (key) => key.startsWith('APP_'),
      ledger: [],
      fingerprint,
      budget: createBudget(20_000),
      logger: createLogger({ write: () => undefined }),
      now: () => Date.parse('2026-12-01T00:00:00.000Z'),
    });

    expect(provider.reveals).toBe(1);
    expect(provider.writes).toEqual([]);
    expect(result.report.skipped).toEqual([{ key: 'APP_DB', context: 'production', op: 'update', reason: 'held-by-provider', detail: 'integration-managed' }]);
  });
});

describe('preflight warnings', () => {
  it('appear in the report, dry-run included', async () => {
    const result = await run(new HiddenProvider(), { APP_TZ: 'UTC' }, [], 'dry-run');
    expect(result.report.warnings).toEqual([{ code: 'reserved-name', key: 'APP_TZ', context: 'production', message: 'APP_TZ is reserved.' }]);
  });

  it('are absent when there is nothing to say', async () => {
    const result = await run(new HiddenProvider(), { APP_A: 'a' }, [], 'dry-run');
    expect(result.report).not.toHaveProperty('warnings');
  });
});

describe('an owed redeploy', () => {
  async function syncWith(connection: ProviderConnection, env: Record<string, string>, mode: 'dry-run' | 'enforce' = 'enforce') {
    const adapter = new HiddenProvider().adapter();
    return syncTarget({
      adapter,
      connection,
      targetId: 'prj_a',
      mode,
      options: {},
      settings: testSettings(env),
      desired: new Map(),
      isManaged: (key) => key.startsWith('APP_'),
      ledger: [],
      fingerprint,
      budget: createBudget(20_000),
      logger: createLogger({ write: () => undefined }),
      now: () => Date.parse('2026-12-01T00:00:00.000Z'),
    });
  }

  function owingConnection(owes: boolean) {
    const calls: string[] = [];
    const connection: ProviderConnection = {
      ...new HiddenProvider().connection(),
      owesRedeploy: () => owes,
      redeploy: (target) => {
        calls.push(target);
        return Promise.resolve({ status: 'triggered' });
      },
    };
    return { connection, calls };
  }

  it('is requested for a target whose own sync changed nothing when its connection says it is owed one', async () => {
    const { connection, calls } = owingConnection(true);
    const result = await syncWith(connection, { ENVSYNC_REDEPLOY: 'true' });
    expect(result.report.applied).toBe(false);
    expect(result.report.redeploy).toBe('triggered');
    expect(calls).toEqual(['prj_a']);
  });

  it('is not requested when nothing is owed, in dry-run, or with ENVSYNC_REDEPLOY off', async () => {
    const none = owingConnection(false);
    expect((await syncWith(none.connection, { ENVSYNC_REDEPLOY: 'true' })).report.redeploy).toBe('not-needed');
    const dry = owingConnection(true);
    expect((await syncWith(dry.connection, { ENVSYNC_REDEPLOY: 'true' }, 'dry-run')).report.redeploy).toBe('not-needed');
    const off = owingConnection(true);
    expect((await syncWith(off.connection, {})).report.redeploy).toBe('disabled');
    expect([...none.calls, ...dry.calls, ...off.calls]).toEqual([]);
  });
});
