import { describe, expect, it } from 'vitest';
import { createFingerprinter } from './ledger.ts';
import type { RemoteState } from './plan.ts';
import { planRollback, type RollbackSlot } from './rollback-plan.ts';

/** The rollback planner as pure data: which slot is restored, removed, left alone, and why. */

const fingerprint = createFingerprinter('rollback-plan-test-secret-0123');
const written = 'https://api.example.com/v2';
const prior = 'https://api.example.com/v1';

const updated: RollbackSlot = { key: 'APP_API_URL', context: 'production', op: 'update', secret: false, prior: { state: 'value', value: prior }, after: fingerprint('APP_API_URL', written) };
const created: RollbackSlot = { key: 'APP_NEW', context: 'production', op: 'create', secret: false, prior: { state: 'absent' }, after: fingerprint('APP_NEW', 'x') };
const secretBefore: RollbackSlot = { key: 'APP_TOKEN', context: 'production', op: 'update', secret: true, prior: { state: 'unreadable' }, after: fingerprint('APP_TOKEN', 't') };

const remoteWith = (value: string | undefined): RemoteState => ({
  values: [
    { key: 'APP_API_URL', context: 'production', value, secret: value === undefined, updatedAt: '2026-12-01T00:00:00.000Z' },
    { key: 'APP_NEW', context: 'production', value: 'x', secret: false },
    { key: 'APP_TOKEN', context: 'production', value: undefined, secret: true },
  ],
});

describe('planRollback', () => {
  it('restores a value that still holds what the run wrote, removes what it created, and says a secret cannot be put back', () => {
    const result = planRollback([updated, created, secretBefore], remoteWith(written), fingerprint, { force: false });

    expect(result.outcomes.map((outcome) => [outcome.key, outcome.action])).toEqual([
      ['APP_API_URL', 'restore'],
      ['APP_NEW', 'remove'],
      ['APP_TOKEN', 'unrestorable'],
    ]);
    expect(result.values.get('APP_API_URL')).toBe(prior);
    expect(result.plan.changes.map((change) => [change.op, change.key])).toEqual([
      ['update', 'APP_API_URL'],
      ['delete', 'APP_NEW'],
    ]);
  });

  it('leaves a readable value changed since the run alone unless forced', () => {
    const plain = planRollback([updated], remoteWith('edited by hand'), fingerprint, { force: false });
    const forced = planRollback([updated], remoteWith('edited by hand'), fingerprint, { force: true });

    expect(plain.outcomes.map((outcome) => outcome.action)).toEqual(['changed-since']);
    expect(plain.plan.changes).toEqual([]);
    expect(forced.outcomes.map((outcome) => outcome.action)).toEqual(['restore']);
  });

  it('restores a hidden value (a Vercel encrypted record) when the ledger confirms it still holds what the run wrote', () => {
    const confirmed = planRollback([updated], remoteWith(undefined), fingerprint, {
      force: false,
      hiddenFingerprint: (key) => (key === 'APP_API_URL' ? fingerprint('APP_API_URL', written) : undefined),
    });
    const unconfirmed = planRollback([updated], remoteWith(undefined), fingerprint, { force: false, hiddenFingerprint: () => undefined });
    const noLedger = planRollback([updated], remoteWith(undefined), fingerprint, { force: false });

    expect(confirmed.outcomes.map((outcome) => outcome.action)).toEqual(['restore']);
    expect(confirmed.values.get('APP_API_URL')).toBe(prior);
    expect(unconfirmed.outcomes.map((outcome) => outcome.action)).toEqual(['changed-since']);
    expect(noLedger.outcomes.map((outcome) => outcome.action)).toEqual(['changed-since']);
  });
});
