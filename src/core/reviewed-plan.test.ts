import { describe, expect, it } from 'vitest';
import { createFingerprinter } from './ledger.ts';
import type { Plan, RemoteState } from './plan.ts';
import { movedSlots, planSlots, restrictToPlan } from './reviewed-plan.ts';

const fingerprint = createFingerprinter('unit-secret-0123456789');
const desired = new Map([
  ['APP_A', 'v-one'],
  ['APP_S', 'v-secret'],
]);
const remote: RemoteState = {
  values: [
    { key: 'APP_A', context: 'all', value: 'v-old', secret: false },
    { key: 'APP_S', context: 'production', value: undefined, secret: true, updatedAt: '2026-01-01T00:00:00Z' },
    { key: 'APP_GONE', context: 'all', value: 'v-x', secret: false },
  ],
};
const plan: Plan = {
  changes: [
    { op: 'update', key: 'APP_A', context: 'all', secret: false, reason: 'value-differs' },
    { op: 'delete', key: 'APP_GONE', context: 'all', secret: false },
    { op: 'update', key: 'APP_S', context: 'production', secret: true, reason: 'unverifiable' },
  ],
  skipped: [],
};

describe('planSlots', () => {
  it('keeps fingerprints of the target and canonical values, the update time of hidden ones, and no value', () => {
    const slots = planSlots(plan, remote, desired, fingerprint);

    expect(slots).toEqual([
      { op: 'update', key: 'APP_A', context: 'all', secret: false, remote: { state: 'value', fingerprint: fingerprint('APP_A', 'v-old'), secret: false }, desired: fingerprint('APP_A', 'v-one') },
      { op: 'delete', key: 'APP_GONE', context: 'all', secret: false, remote: { state: 'value', fingerprint: fingerprint('APP_GONE', 'v-x'), secret: false }, desired: null },
      { op: 'update', key: 'APP_S', context: 'production', secret: true, remote: { state: 'hidden', secret: true, updatedAt: '2026-01-01T00:00:00Z' }, desired: fingerprint('APP_S', 'v-secret') },
    ]);
    expect(JSON.stringify(slots)).not.toMatch(/v-(one|old|secret|x)/);
  });
});

describe('movedSlots', () => {
  const slots = planSlots(plan, remote, desired, fingerprint);

  it('finds nothing when the target and the canonical set are as planned', () => {
    expect(movedSlots(slots, plan, remote, desired, fingerprint)).toEqual([]);
  });

  it('names a slot whose target value, hidden update time or presence changed', () => {
    const moved: RemoteState = {
      values: [
        { key: 'APP_A', context: 'all', value: 'edited', secret: false },
        { key: 'APP_S', context: 'production', value: undefined, secret: true, updatedAt: '2026-02-01T00:00:00Z' },
      ],
    };
    expect(movedSlots(slots, plan, moved, desired, fingerprint)).toEqual([
      { key: 'APP_A', context: 'all', why: 'target-changed' },
      { key: 'APP_GONE', context: 'all', why: 'target-changed' },
      { key: 'APP_S', context: 'production', why: 'target-changed' },
    ]);
  });

  it('names a slot whose canonical value changed or reappeared, and ignores keys outside the plan', () => {
    const changed = new Map([...desired, ['APP_A', 'two'], ['APP_GONE', 'back'], ['APP_NEW', 'new']]);
    expect(movedSlots(slots, plan, remote, changed, fingerprint)).toEqual([
      { key: 'APP_A', context: 'all', why: 'canonical-changed' },
      { key: 'APP_GONE', context: 'all', why: 'canonical-changed' },
    ]);
  });

  it('names a slot the same inputs now plan differently', () => {
    const fresh: Plan = { changes: plan.changes.filter((change) => change.op !== 'delete'), skipped: [{ key: 'APP_GONE', context: 'all', op: 'delete', reason: 'not-owned' }] };
    expect(movedSlots(slots, fresh, remote, desired, fingerprint)).toEqual([{ key: 'APP_GONE', context: 'all', why: 'plan-changed' }]);
  });
});

describe('restrictToPlan', () => {
  it('keeps the planned changes and noops and leaves new differences for the next run', () => {
    const slots = planSlots(plan, remote, desired, fingerprint).filter((slot) => slot.key !== 'APP_S');
    const fresh: Plan = {
      changes: [...plan.changes, { op: 'create', key: 'APP_B', context: 'all', secret: false }, { op: 'noop', key: 'APP_C', context: 'all', secret: false }],
      skipped: [],
    };

    expect(restrictToPlan(fresh, slots)).toEqual({
      changes: [plan.changes[0], plan.changes[1], { op: 'noop', key: 'APP_C', context: 'all', secret: false }],
      skipped: [
        { key: 'APP_B', context: 'all', op: 'create', reason: 'not-in-plan' },
        { key: 'APP_S', context: 'production', op: 'update', reason: 'not-in-plan' },
      ],
    });
  });
});
