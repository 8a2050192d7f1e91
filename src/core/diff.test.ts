import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diff, type DiffPolicy } from './diff.ts';
import { createFingerprinter, indexLedger, type LedgerEntry } from './ledger.ts';
import { noContext, type RemoteValue } from './plan.ts';

const fingerprint = createFingerprinter('diff-test-secret-0123456789');

function policy(overrides: Partial<DiffPolicy> = {}): DiffPolicy {
  return {
    isManaged: (key) => key.startsWith('APP_'),
    contextsFor: () => [noContext],
    isSecret: () => false,
    allowDeletions: false,
    deleteScope: 'owned',
    allowsEmptyValues: true,
    ledger: new Map(),
    fingerprint,
    ...overrides,
  };
}

function remote(values: Record<string, string>, context = noContext): { values: RemoteValue[] } {
  return { values: Object.entries(values).map(([key, value]) => ({ key, value, context, secret: false })) };
}

function written(key: string, value: string, context = noContext, at = '2026-11-01T00:00:00.000Z', remoteAt?: string): LedgerEntry {
  return { key, context, fingerprint: fingerprint(key, value), writtenAt: at, ...(remoteAt === undefined ? {} : { remoteUpdatedAt: remoteAt }) };
}

describe('diff', () => {
  it('plans create, update and noop per key, sorted by key', () => {
    const plan = diff(new Map([['APP_B', '2'], ['APP_A', '1'], ['APP_C', 'same']]), remote({ APP_B: 'old', APP_C: 'same' }), policy());
    expect(plan.changes.map((c) => [c.op, c.key])).toEqual([
      ['create', 'APP_A'],
      ['update', 'APP_B'],
      ['noop', 'APP_C'],
    ]);
  });

  it('ignores unmanaged keys on the target entirely', () => {
    const plan = diff(new Map(), remote({ OTHER: 'x', DATABASE_URL: 'y' }), policy({ allowDeletions: true, deleteScope: 'managed' }));
    expect(plan).toEqual({ changes: [], skipped: [] });
  });

  it('keeps stale managed keys when deletions are disabled, and says so', () => {
    const plan = diff(new Map(), remote({ APP_OLD: 'x' }), policy());
    expect(plan.changes).toEqual([]);
    expect(plan.skipped).toEqual([{ key: 'APP_OLD', context: noContext, op: 'delete', reason: 'deletions-disabled' }]);
  });

  it('deletes a stale key only when the ledger shows EnvSync wrote it', () => {
    const ledger = indexLedger([written('APP_OURS', 'x')]);
    const plan = diff(new Map(), remote({ APP_OURS: 'x', APP_THEIRS: 'y' }), policy({ allowDeletions: true, ledger }));
    expect(plan.changes.map((c) => [c.op, c.key])).toEqual([['delete', 'APP_OURS']]);
    expect(plan.skipped).toEqual([{ key: 'APP_THEIRS', context: noContext, op: 'delete', reason: 'not-owned' }]);
  });

  it('skips an owned delete as modified-since-written when the value is no longer the one EnvSync wrote', () => {
    const ledger = indexLedger([written('APP_OURS', 'x'), written('APP_CHANGED', 'written-by-envsync')]);
    const plan = diff(new Map(), remote({ APP_OURS: 'x', APP_CHANGED: 'typed-in-by-a-person' }), policy({ allowDeletions: true, ledger }));
    expect(plan.changes.map((c) => [c.op, c.key])).toEqual([['delete', 'APP_OURS']]);
    expect(plan.skipped).toEqual([{ key: 'APP_CHANGED', context: noContext, op: 'delete', reason: 'modified-since-written' }]);
  });

  it('skips an owned delete of a hidden value changed since EnvSync wrote it (updated_at rule), and deletes one that was not', () => {
    const entry = written('APP_S', 's1', 'production', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
    const hidden = (updatedAt: string) => ({ values: [{ key: 'APP_S', context: 'production', value: undefined, secret: true, updatedAt }] });
    const secretPolicy = policy({ allowDeletions: true, contextsFor: () => ['production'], isSecret: () => true, ledger: indexLedger([entry]) });

    expect(diff(new Map(), hidden('2026-11-01T00:00:00.000Z'), secretPolicy).changes.map((c) => c.op)).toEqual(['delete']);
    const changed = diff(new Map(), hidden('2026-11-02T00:00:00.000Z'), secretPolicy);
    expect(changed.changes).toEqual([]);
    expect(changed.skipped.map((skip) => skip.reason)).toEqual(['modified-since-written']);
  });

  it('deletes any stale managed key when the delete scope is widened to managed', () => {
    const plan = diff(new Map(), remote({ APP_THEIRS: 'y' }), policy({ allowDeletions: true, deleteScope: 'managed' }));
    expect(plan.changes.map((c) => [c.op, c.key])).toEqual([['delete', 'APP_THEIRS']]);
  });

  it('skips an empty value when the provider rejects empty values, and never deletes the existing one', () => {
    const plan = diff(new Map([['APP_EMPTY', '']]), remote({ APP_EMPTY: 'existing' }), policy({ allowsEmptyValues: false, allowDeletions: true, deleteScope: 'managed' }));
    expect(plan.changes).toEqual([]);
    expect(plan.skipped).toEqual([{ key: 'APP_EMPTY', context: noContext, op: 'update', reason: 'empty-value' }]);
  });

  it('marks an update as drift when the target no longer holds what EnvSync wrote', () => {
    const ledger = indexLedger([written('APP_A', 'ours')]);
    const plan = diff(new Map([['APP_A', 'ours']]), remote({ APP_A: 'edited by hand' }), policy({ ledger }));
    expect(plan.changes).toEqual([{ op: 'update', key: 'APP_A', context: noContext, secret: false, reason: 'drift' }]);
  });

  it('only touches managed contexts, leaving other contexts of the same key alone', () => {
    const values: RemoteValue[] = [
      { key: 'APP_A', context: 'production', value: 'old', secret: false },
      { key: 'APP_A', context: 'dev', value: 'local', secret: false },
    ];
    const plan = diff(new Map([['APP_A', 'new']]), { values }, policy({ contextsFor: () => ['production', 'deploy-preview'] }));
    expect(plan.changes.map((c) => [c.op, c.context])).toEqual([
      ['create', 'deploy-preview'],
      ['update', 'production'],
    ]);
  });

  describe('hidden (secret) values', () => {
    const hidden = (updatedAt: string): { values: RemoteValue[] } => ({
      values: [{ key: 'APP_S', context: 'production', value: undefined, secret: true, updatedAt }],
    });
    const secretPolicy = (entries: LedgerEntry[]) =>
      policy({ contextsFor: () => ['production'], isSecret: () => true, ledger: indexLedger(entries) });

    it('is a noop when the fingerprint matches and nobody changed it since', () => {
      const entry = written('APP_S', 's1', 'production', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
      const plan = diff(new Map([['APP_S', 's1']]), hidden('2026-11-01T00:00:00.000Z'), secretPolicy([entry]));
      expect(plan.changes.map((c) => c.op)).toEqual(['noop']);
    });

    it('is drift when the provider changed it after EnvSync wrote it', () => {
      const entry = written('APP_S', 's1', 'production', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
      const plan = diff(new Map([['APP_S', 's1']]), hidden('2026-11-02T00:00:00.000Z'), secretPolicy([entry]));
      expect(plan.changes.map((c) => [c.op, c.reason])).toEqual([['update', 'drift']]);
    });

    it('is an update when the canonical value changed', () => {
      const entry = written('APP_S', 's1', 'production');
      const plan = diff(new Map([['APP_S', 's2']]), hidden('2026-11-01T00:00:00.000Z'), secretPolicy([entry]));
      expect(plan.changes.map((c) => [c.op, c.reason])).toEqual([['update', 'value-differs']]);
    });

    it('is an update when EnvSync has no record of writing it', () => {
      const plan = diff(new Map([['APP_S', 's1']]), hidden('2026-11-01T00:00:00.000Z'), secretPolicy([]));
      expect(plan.changes.map((c) => [c.op, c.reason])).toEqual([['update', 'unverifiable']]);
    });

    it('tolerates clock skew when only EnvSync\'s own write time is known', () => {
      const entry = written('APP_S', 's1', 'production', '2026-11-01T00:00:00.000Z');
      const plan = diff(new Map([['APP_S', 's1']]), hidden('2026-11-01T00:00:30.000Z'), secretPolicy([entry]));
      expect(plan.changes.map((c) => c.op)).toEqual(['noop']);
    });
  });

  describe('properties', () => {
    const key = fc.constantFrom('APP_A', 'APP_B', 'APP_C', 'APP_D', 'OTHER_X', 'OTHER_Y');
    const value = fc.constantFrom('', 'v1', 'v2', 'v3');
    const state = fc.dictionary(key, value, { maxKeys: 6 });

    it('applying the plan makes every managed key equal the canonical set and leaves unmanaged keys untouched', () => {
      fc.assert(
        fc.property(state, state, fc.boolean(), (desiredAll, actual, allowDeletions) => {
          const desired = new Map(Object.entries(desiredAll).filter(([k]) => k.startsWith('APP_')));
          const plan = diff(desired, remote(actual), policy({ allowDeletions, deleteScope: 'managed' }));
          const result = { ...actual };
          for (const change of plan.changes) {
            if (change.op === 'create' || change.op === 'update') result[change.key] = desired.get(change.key) ?? '';
            if (change.op === 'delete') delete result[change.key];
          }
          for (const [k, v] of desired) expect(result[k]).toBe(v);
          for (const k of Object.keys(actual)) if (!k.startsWith('APP_')) expect(result[k]).toBe(actual[k]);
          const stale = Object.keys(actual).filter((k) => k.startsWith('APP_') && !desired.has(k));
          for (const k of stale) expect(k in result).toBe(!allowDeletions);
        }),
      );
    });

    it('plans nothing but noops for a target already in sync (the second run is idempotent)', () => {
      fc.assert(
        fc.property(state, (desiredAll) => {
          const desired = new Map(Object.entries(desiredAll).filter(([k]) => k.startsWith('APP_')));
          const plan = diff(desired, remote(Object.fromEntries(desired)), policy({ allowDeletions: true }));
          expect(plan.changes.every((change) => change.op === 'noop')).toBe(true);
        }),
      );
    });

    it('never deletes a key the ledger does not show as written, in the default owned scope', () => {
      fc.assert(
        fc.property(state, state, (desiredAll, actual) => {
          const desired = new Map(Object.entries(desiredAll).filter(([k]) => k.startsWith('APP_')));
          const plan = diff(desired, remote(actual), policy({ allowDeletions: true }));
          expect(plan.changes.filter((change) => change.op === 'delete')).toEqual([]);
        }),
      );
    });
  });
});
