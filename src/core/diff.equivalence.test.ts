import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clockSkewToleranceMs, diff, type DiffPolicy } from './diff.ts';
import { createFingerprinter, indexLedger, type LedgerEntry } from './ledger.ts';
import {
  noContext,
  slotKey,
  type ChangeReason,
  type HeldValue,
  type Plan,
  type PlannedChange,
  type RemoteState,
  type RemoteValue,
  type SkippedChange,
} from './plan.ts';

/**
 * The diff was rewritten for speed (issue 10: 10,000 keys in under 20 ms). This file keeps the
 * straightforward version it replaced, unchanged, as an oracle: for any input the fast diff must
 * return exactly the same plan, same changes, reasons, skips and order.
 */
function referenceDiff(desired: ReadonlyMap<string, string>, remote: RemoteState, policy: DiffPolicy): Plan {
  const held = new Map<string, HeldValue>();
  for (const value of remote.held ?? []) {
    if (policy.isManaged(value.key)) held.set(slotKey(value.key, value.context), value);
  }
  const remoteBySlot = new Map<string, RemoteValue>();
  for (const value of remote.values) {
    const slot = slotKey(value.key, value.context);
    if (policy.isManaged(value.key) && !held.has(slot)) remoteBySlot.set(slot, value);
  }
  const changes: PlannedChange[] = [];
  const skipped: SkippedChange[] = [...held.values()].map(({ key, context, holder }) => ({
    key,
    context,
    op: desired.has(key) ? 'update' : 'delete',
    reason: 'held-by-provider',
    detail: holder,
  }));
  for (const key of [...desired.keys()].sort()) {
    const value = desired.get(key) ?? '';
    const secret = policy.isSecret(key);
    for (const context of policy.contextsFor(key)) {
      if (held.has(slotKey(key, context))) continue;
      const current = remoteBySlot.get(slotKey(key, context));
      if (value === '' && !policy.allowsEmptyValues) {
        if (current?.value !== '') skipped.push({ key, context, op: current ? 'update' : 'create', reason: 'empty-value' });
        continue;
      }
      if (current === undefined) {
        changes.push({ op: 'create', key, context, secret });
        continue;
      }
      const reason = referenceUpdateReason(key, value, secret, current, policy);
      changes.push(reason === undefined ? { op: 'noop', key, context, secret } : { op: 'update', key, context, secret, reason });
    }
  }
  const stale = [...remoteBySlot.values()]
    .filter((value) => !desired.has(value.key) && policy.contextsFor(value.key).includes(value.context))
    .sort(byKeyThenContext);
  for (const current of stale) {
    const { key, context, secret } = current;
    const entry = policy.ledger.get(slotKey(key, context));
    if (!policy.allowDeletions) skipped.push({ key, context, op: 'delete', reason: 'deletions-disabled' });
    else if (policy.deleteScope === 'managed') changes.push({ op: 'delete', key, context, secret });
    else if (entry === undefined) skipped.push({ key, context, op: 'delete', reason: 'not-owned' });
    else if (!referenceStillAsWritten(current, entry, policy)) skipped.push({ key, context, op: 'delete', reason: 'modified-since-written' });
    else changes.push({ op: 'delete', key, context, secret });
  }
  return { changes: changes.sort(byKeyThenContext), skipped: skipped.sort(byKeyThenContext) };
}

function referenceUpdateReason(key: string, value: string, secret: boolean, current: RemoteValue, policy: DiffPolicy): ChangeReason | undefined {
  if (secret && !current.secret) return 'secret-flag';
  const entry = policy.ledger.get(slotKey(key, current.context));
  if (current.value !== undefined) {
    if (current.value === value) return undefined;
    const wroteSomethingElse = entry !== undefined && entry.fingerprint !== policy.fingerprint(key, current.value);
    return wroteSomethingElse ? 'drift' : 'value-differs';
  }
  if (entry === undefined) return 'unverifiable';
  if (entry.fingerprint !== policy.fingerprint(key, value)) return 'value-differs';
  return referenceChangedSinceWrite(current, entry) ? 'drift' : undefined;
}

function referenceStillAsWritten(current: RemoteValue, entry: LedgerEntry, policy: DiffPolicy): boolean {
  if (current.value !== undefined) return policy.fingerprint(current.key, current.value) === entry.fingerprint;
  return !referenceChangedSinceWrite(current, entry);
}

function referenceChangedSinceWrite(current: RemoteValue, entry: LedgerEntry): boolean {
  if (current.updatedAt === undefined) return false;
  const remoteTime = Date.parse(current.updatedAt);
  if (!Number.isFinite(remoteTime)) return false;
  if (entry.remoteUpdatedAt !== undefined) {
    const written = Date.parse(entry.remoteUpdatedAt);
    return Number.isFinite(written) && remoteTime > written;
  }
  return remoteTime > Date.parse(entry.writtenAt) + clockSkewToleranceMs;
}

function byKeyThenContext(a: { key: string; context: string }, b: { key: string; context: string }): number {
  const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return a.key === b.key ? compare(a.context, b.context) : compare(a.key, b.key);
}

const fingerprint = createFingerprinter('diff-equivalence-secret-0123456789');

const key = fc.constantFrom('APP_A', 'APP_B', 'APP_C', 'APP_SECRET_D', 'APP_E', 'OTHER_X', 'OTHER_Y');
const context = fc.constantFrom(noContext, 'production', 'deploy-preview', 'dev', 'branch:staging');
const value = fc.constantFrom('', 'v1', 'v2', 'v3');
const time = fc.constantFrom('2026-11-01T00:00:00.000Z', '2026-11-01T00:00:30.000Z', '2026-11-01T00:05:00.000Z', '2026-11-02T00:00:00.000Z', 'not a date');

const remoteValue: fc.Arbitrary<RemoteValue> = fc.record(
  { key, context, value: fc.option(value, { nil: undefined }), secret: fc.boolean(), updatedAt: time },
  { requiredKeys: ['key', 'context', 'value', 'secret'] },
);
const heldValue: fc.Arbitrary<HeldValue> = fc.record({ key, context, holder: fc.constantFrom('integration-managed', 'branch-specific') });
const ledgerEntry: fc.Arbitrary<LedgerEntry> = fc
  .record({ key, context, written: value, writtenAt: time, remoteUpdatedAt: fc.option(time, { nil: undefined }) })
  .map(({ key, context, written, writtenAt, remoteUpdatedAt }) => ({
    key,
    context,
    fingerprint: fingerprint(key, written),
    writtenAt,
    ...(remoteUpdatedAt === undefined ? {} : { remoteUpdatedAt }),
  }));

const scenario = fc.record({
  desired: fc.dictionary(key, value, { maxKeys: 7 }),
  values: fc.array(remoteValue, { maxLength: 14 }),
  held: fc.option(fc.array(heldValue, { maxLength: 3 }), { nil: undefined }),
  ledger: fc.array(ledgerEntry, { maxLength: 10 }),
  // Per key: the contexts EnvSync manages there (duplicates included: the diff must not care).
  contexts: fc.dictionary(key, fc.array(context, { maxLength: 3 })),
  secretKeys: fc.uniqueArray(key, { maxLength: 3 }),
  allowDeletions: fc.boolean(),
  deleteScope: fc.constantFrom('owned' as const, 'managed' as const),
  allowsEmptyValues: fc.boolean(),
});

describe('diff (the fast version)', () => {
  it('returns exactly the plan of the straightforward diff it replaced, for any target, ledger and policy', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const desired = new Map(Object.entries(input.desired).filter(([name]) => name.startsWith('APP_')));
        const remote: RemoteState = input.held === undefined ? { values: input.values } : { values: input.values, held: input.held };
        const policy: DiffPolicy = {
          isManaged: (name) => name.startsWith('APP_'),
          contextsFor: (name) => input.contexts[name] ?? [noContext],
          isSecret: (name) => (input.secretKeys as readonly string[]).includes(name),
          allowDeletions: input.allowDeletions,
          deleteScope: input.deleteScope,
          allowsEmptyValues: input.allowsEmptyValues,
          ledger: indexLedger(input.ledger),
          fingerprint,
        };
        expect(diff(desired, remote, policy)).toStrictEqual(referenceDiff(desired, remote, policy));
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps the last value a target reports for a slot it reports twice, as before', () => {
    const values: RemoteValue[] = [
      { key: 'APP_A', context: noContext, value: 'first', secret: false },
      { key: 'APP_A', context: noContext, value: 'canonical', secret: false },
    ];
    const policy: DiffPolicy = {
      isManaged: () => true,
      contextsFor: () => [noContext],
      isSecret: () => false,
      allowDeletions: true,
      deleteScope: 'owned',
      allowsEmptyValues: true,
      ledger: new Map(),
      fingerprint,
    };
    expect(diff(new Map([['APP_A', 'canonical']]), { values }, policy).changes).toEqual([{ op: 'noop', key: 'APP_A', context: noContext, secret: false }]);
  });
});
