import type { Fingerprinter } from './ledger.ts';
import { slotKey, type Plan, type PlannedChange, type RemoteState, type RemoteValue } from './plan.ts';

/**
 * The rollback of one run on one target, as a pure function: from the prior state the run's
 * snapshot kept and what the target holds now, the plan that puts every slot the run changed back,
 * and what happens to each slot.
 */

/** What a run's snapshot says about one slot (the prior value already decrypted). */
export interface RollbackSlot {
  readonly key: string;
  readonly context: string;
  /** What the run did (was about to do) to the slot. */
  readonly op: 'create' | 'update' | 'delete';
  readonly secret: boolean;
  readonly prior: { readonly state: 'absent' } | { readonly state: 'value'; readonly value: string } | { readonly state: 'unreadable' };
  /** Fingerprint of what the run wrote; `null` when it deleted the slot. */
  readonly after: string | null;
}

/** What the rollback does with one slot. */
export type RollbackAction =
  /** Put the prior value back (an update of a value the run changed). */
  | 'restore'
  /** Create the slot again with its prior value (the run deleted it). */
  | 'recreate'
  /** Delete the slot (the run created it). */
  | 'remove'
  /** The slot already holds its prior state (the run's write did not land, or it was rolled back). */
  | 'unchanged'
  /** The slot changed again since the run; left alone unless `force`. */
  | 'changed-since'
  /** The prior value was never readable (a Netlify secret, a Vercel sensitive value). */
  | 'unrestorable';

/** One slot's outcome. */
export interface RollbackOutcome {
  readonly key: string;
  readonly context: string;
  readonly action: RollbackAction;
  /** For `unrestorable` and `changed-since`: why, in words. */
  readonly why?: string;
}

/** The rollback of one target. */
export interface RollbackPlan {
  /** The changes to make, sorted by key then context. */
  readonly plan: Plan;
  /** The prior values to write, by key. */
  readonly values: ReadonlyMap<string, string>;
  readonly outcomes: readonly RollbackOutcome[];
}

/**
 * Plans a rollback. A slot is changed back only when it still holds what the run wrote (its
 * fingerprint matches), so a value someone changed since is not overwritten; `force` overrides
 * that. A hidden current value is compared through the ledger (`hiddenFingerprint`); without it,
 * or when the provider changed it since EnvSync's write, it counts as changed since.
 */
export function planRollback(
  slots: readonly RollbackSlot[],
  remote: RemoteState,
  fingerprint: Fingerprinter,
  options: { readonly force: boolean; readonly hiddenFingerprint?: (key: string, context: string) => string | undefined },
): RollbackPlan {
  const bySlot = new Map(remote.values.map((value) => [slotKey(value.key, value.context), value]));
  const values = new Map<string, string>();
  const changes: PlannedChange[] = [];
  const outcomes: RollbackOutcome[] = [];
  const add = (slot: RollbackSlot, action: RollbackAction, why?: string) => outcomes.push({ key: slot.key, context: slot.context, action, ...(why === undefined ? {} : { why }) });

  for (const slot of [...slots].sort(byKeyThenContext)) {
    const current = bySlot.get(slotKey(slot.key, slot.context));
    if (slot.prior.state === 'unreadable') {
      add(slot, 'unrestorable', 'the provider never let EnvSync read the prior value (a secret), so it cannot be put back');
      continue;
    }
    const prior = slot.prior.state === 'value' ? slot.prior.value : undefined;
    if (prior === undefined ? current === undefined : current?.value !== undefined && current.value === prior) {
      add(slot, 'unchanged');
      continue;
    }
    if (!options.force && !holdsWhatRunWrote(slot, current, fingerprint, options.hiddenFingerprint)) {
      add(slot, 'changed-since', current?.value === undefined && current !== undefined ? 'the current value is hidden and EnvSync cannot confirm it is still what the run wrote (the provider changed it since, or the ledger has no record of it)' : 'the value changed again after the run');
      continue;
    }
    if (prior === undefined) {
      changes.push({ op: 'delete', key: slot.key, context: slot.context, secret: current?.secret ?? slot.secret });
      add(slot, 'remove');
      continue;
    }
    const known = values.get(slot.key);
    if (known !== undefined && known !== prior) {
      add(slot, 'unrestorable', 'its contexts held different values before the run; restore this context by hand');
      continue;
    }
    values.set(slot.key, prior);
    changes.push({ op: current === undefined ? 'create' : 'update', key: slot.key, context: slot.context, secret: slot.secret, ...(current === undefined ? {} : { reason: 'value-differs' as const }) });
    add(slot, current === undefined ? 'recreate' : 'restore');
  }
  return { plan: { changes: changes.sort(byKeyThenContext), skipped: [] }, values, outcomes };
}

/**
 * Whether the slot still holds what the run wrote: a readable value by its fingerprint, a hidden one
 * (Vercel `encrypted`, a Netlify secret) by the ledger's fingerprint of EnvSync's last write, valid
 * only while the provider's `updated_at` has not moved since.
 */
function holdsWhatRunWrote(
  slot: RollbackSlot,
  current: RemoteValue | undefined,
  fingerprint: Fingerprinter,
  hiddenFingerprint: ((key: string, context: string) => string | undefined) | undefined,
): boolean {
  if (slot.after === null) return current === undefined;
  if (current === undefined) return false;
  if (current.value === undefined) return hiddenFingerprint?.(slot.key, slot.context) === slot.after;
  return fingerprint(slot.key, current.value) === slot.after;
}

function byKeyThenContext(a: { key: string; context: string }, b: { key: string; context: string }): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return a.context < b.context ? -1 : a.context > b.context ? 1 : 0;
}
