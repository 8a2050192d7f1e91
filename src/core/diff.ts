import type { Fingerprinter, LedgerEntry } from './ledger.ts';
import {
  slotKey,
  type ChangeReason,
  type HeldValue,
  type Plan,
  type PlannedChange,
  type RemoteState,
  type RemoteValue,
  type SkippedChange,
} from './plan.ts';

/** Everything the diff needs to decide, as plain data and pure functions. */
export interface DiffPolicy {
  /** Whether EnvSync manages a key at all (include/exclude prefixes, never its own credentials). */
  readonly isManaged: (key: string) => boolean;
  /** The contexts EnvSync manages for a key; other contexts' values are never touched. */
  readonly contextsFor: (key: string) => readonly string[];
  /** Whether a key must be stored as a secret. */
  readonly isSecret: (key: string) => boolean;
  readonly allowDeletions: boolean;
  /**
   * `owned`: delete only what the ledger shows EnvSync wrote, and only while it still holds what
   * EnvSync wrote. `managed`: any managed key.
   */
  readonly deleteScope: 'owned' | 'managed';
  readonly allowsEmptyValues: boolean;
  /** The target's ledger, indexed by {@link slotKey}. */
  readonly ledger: ReadonlyMap<string, LedgerEntry>;
  readonly fingerprint: Fingerprinter;
}

/**
 * How far the provider's `updated_at` may run ahead of EnvSync's own clock at the time of a write
 * before the change counts as someone else's. Used only when the provider returned no `updated_at`
 * for the write itself.
 */
export const clockSkewToleranceMs = 60_000;

/**
 * Plans the operations that make a target equal to the canonical set, per key and context.
 *
 * Pure: the same inputs give the same plan, sorted by key then context. It decides every policy
 * question (what is managed, what may be deleted, what counts as drift) so adapters only translate
 * the plan into requests. The plan holds no values.
 *
 * @param desired - the canonical set, already filtered to managed keys.
 * @param remote - everything the target holds; unmanaged keys and contexts are ignored.
 */
export function diff(desired: ReadonlyMap<string, string>, remote: RemoteState, policy: DiffPolicy): Plan {
  const held = heldSlots(remote, policy);
  const isHeld = (key: string, context: string): boolean => held.size > 0 && held.has(slotKey(key, context));
  const remoteByKey = indexRemote(remote, policy, isHeld);
  const changes: PlannedChange[] = [];
  // Held values of managed keys are reported whatever their context: the user should see why a key
  // they manage is not what the canonical set says there.
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
    const present = remoteByKey.get(key);
    for (const context of policy.contextsFor(key)) {
      if (isHeld(key, context)) continue;
      const current = present?.find((candidate) => candidate.context === context);
      if (value === '' && !policy.allowsEmptyValues) {
        if (current?.value !== '') skipped.push({ key, context, op: current ? 'update' : 'create', reason: 'empty-value' });
        continue;
      }
      if (current === undefined) {
        changes.push({ op: 'create', key, context, secret });
        continue;
      }
      const reason = updateReason(key, value, secret, current, policy);
      changes.push(reason === undefined ? { op: 'noop', key, context, secret } : { op: 'update', key, context, secret, reason });
    }
  }

  const stale: RemoteValue[] = [];
  for (const [key, values] of remoteByKey) {
    if (desired.has(key)) continue;
    const managed = policy.contextsFor(key);
    for (const value of values) if (managed.includes(value.context)) stale.push(value);
  }
  stale.sort(byKeyThenContext);
  for (const current of stale) {
    const { key, context, secret } = current;
    if (!policy.allowDeletions) skipped.push({ key, context, op: 'delete', reason: 'deletions-disabled' });
    else if (policy.deleteScope === 'managed') changes.push({ op: 'delete', key, context, secret });
    else {
      const entry = policy.ledger.get(slotKey(key, context));
      if (entry === undefined) skipped.push({ key, context, op: 'delete', reason: 'not-owned' });
      else if (!stillAsWritten(current, entry, policy)) skipped.push({ key, context, op: 'delete', reason: 'modified-since-written' });
      else changes.push({ op: 'delete', key, context, secret });
    }
  }

  return { changes: changes.sort(byKeyThenContext), skipped: skipped.sort(byKeyThenContext) };
}

/**
 * The managed, not held values of a target by key, one per context (the last read wins).
 *
 * Indexed by key rather than by {@link slotKey}: a large target's diff is mostly lookups, and a
 * key's few contexts are found faster by a scan than a fresh slot string is built and hashed.
 */
function indexRemote(
  remote: RemoteState,
  policy: DiffPolicy,
  isHeld: (key: string, context: string) => boolean,
): ReadonlyMap<string, readonly RemoteValue[]> {
  const byKey = new Map<string, RemoteValue[]>();
  for (const value of remote.values) {
    if (!policy.isManaged(value.key) || isHeld(value.key, value.context)) continue;
    const contexts = byKey.get(value.key);
    if (contexts === undefined) {
      byKey.set(value.key, [value]);
      continue;
    }
    const index = contexts.findIndex((other) => other.context === value.context);
    if (index === -1) contexts.push(value);
    else contexts[index] = value;
  }
  return byKey;
}

/** The held values of managed keys, by slot (most targets have none: no map is filled then). */
function heldSlots(remote: RemoteState, policy: DiffPolicy): ReadonlyMap<string, HeldValue> {
  const held = new Map<string, HeldValue>();
  for (const value of remote.held ?? []) {
    if (policy.isManaged(value.key)) held.set(slotKey(value.key, value.context), value);
  }
  return held;
}

/**
 * Why (key, context) needs an update, or `undefined` when it already holds the canonical value.
 * Equal readable values (most of a large target) return before the ledger lookup or any HMAC.
 */
function updateReason(
  key: string,
  value: string,
  secret: boolean,
  current: RemoteValue,
  policy: DiffPolicy,
): ChangeReason | undefined {
  if (secret && !current.secret) return 'secret-flag';
  if (current.value === value) return undefined;
  const entry = policy.ledger.get(slotKey(key, current.context));
  if (current.value !== undefined) {
    const wroteSomethingElse = entry !== undefined && entry.fingerprint !== policy.fingerprint(key, current.value);
    return wroteSomethingElse ? 'drift' : 'value-differs';
  }
  // The value is hidden: only the ledger can tell whether it is still what EnvSync wrote.
  if (entry === undefined) return 'unverifiable';
  if (entry.fingerprint !== policy.fingerprint(key, value)) return 'value-differs';
  return changedSinceWrite(current, entry) ? 'drift' : undefined;
}

/**
 * Whether a value still is the one EnvSync wrote, so that an owned delete removes EnvSync's own
 * work and not a person's edit: a readable value by its fingerprint, a hidden one by the provider's
 * `updated_at` (the drift rule for secrets).
 */
function stillAsWritten(current: RemoteValue, entry: LedgerEntry, policy: DiffPolicy): boolean {
  if (current.value !== undefined) return policy.fingerprint(current.key, current.value) === entry.fingerprint;
  return !changedSinceWrite(current, entry);
}

/** Whether the provider changed the variable after EnvSync's last write to it. */
export function changedSinceWrite(current: RemoteValue, entry: LedgerEntry): boolean {
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
  return a.key === b.key ? compare(a.context, b.context) : compare(a.key, b.key);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
