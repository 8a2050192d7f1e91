import type { Fingerprinter } from './ledger.ts';
import { slotKey, type Plan, type PlanOp, type RemoteState, type RemoteValue, type SkippedChange } from './plan.ts';

/**
 * Reviewed plans, as pure functions: what a dry-run remembers about each slot it plans to change,
 * whether a fresh read still matches that memory, and the fresh plan cut down to exactly the
 * reviewed slots.
 *
 * A reviewed plan must be safe to store and show, so it holds fingerprints (keyed HMACs, see
 * `./ledger.ts`) of the target's value and of the canonical value, never a value. A value the
 * provider hides (a Netlify secret) is remembered by its `updated_at` instead, which is all the
 * provider tells about it.
 */

/** What a slot of the target held when the plan was made. */
export type SlotState =
  | { readonly state: 'absent' }
  | { readonly state: 'value'; readonly fingerprint: string; readonly secret: boolean }
  | { readonly state: 'hidden'; readonly secret: boolean; readonly updatedAt?: string };

/** One (key, context) a reviewed plan changes, with what it found and what it will write. */
export interface PlannedSlot {
  readonly op: Exclude<PlanOp, 'noop'>;
  readonly key: string;
  readonly context: string;
  readonly secret: boolean;
  /** The target's state of the slot at planning time. */
  readonly remote: SlotState;
  /** Fingerprint of the canonical value to write; `null` for a delete. */
  readonly desired: string | null;
}

/** Why a planned slot no longer matches the plan. */
export type MoveReason =
  /** The target's value (or its presence) changed since the dry-run. */
  | 'target-changed'
  /** The canonical value changed, appeared or disappeared since the dry-run. */
  | 'canonical-changed'
  /** The same inputs now plan another operation (the ledger or the settings changed). */
  | 'plan-changed';

/** A planned slot that moved. */
export interface MovedSlot {
  readonly key: string;
  readonly context: string;
  readonly why: MoveReason;
}

/** The state of one slot as the provider reports it, fingerprinted. */
export function slotStateOf(key: string, value: RemoteValue | undefined, fingerprint: Fingerprinter): SlotState {
  if (value === undefined) return { state: 'absent' };
  if (value.value === undefined) {
    return { state: 'hidden', secret: value.secret, ...(value.updatedAt === undefined ? {} : { updatedAt: value.updatedAt }) };
  }
  return { state: 'value', fingerprint: fingerprint(key, value.value), secret: value.secret };
}

/**
 * The slots a plan changes (noops left out: a reviewed plan writes only what it lists), each with
 * the fingerprint of what the target held and of what will be written.
 */
export function planSlots(plan: Plan, remote: RemoteState, desired: ReadonlyMap<string, string>, fingerprint: Fingerprinter): PlannedSlot[] {
  const bySlot = indexRemote(remote);
  return plan.changes
    .filter((change): change is typeof change & { op: PlannedSlot['op'] } => change.op !== 'noop')
    .map((change) => ({
      op: change.op,
      key: change.key,
      context: change.context,
      secret: change.secret,
      remote: slotStateOf(change.key, bySlot.get(slotKey(change.key, change.context)), fingerprint),
      desired: desiredFingerprint(change.key, desired, fingerprint),
    }));
}

/**
 * The planned slots that no longer match a fresh read and the current canonical set, in plan order.
 * Only planned slots are compared: a key added to the canonical set since, or any unmanaged key,
 * never makes a plan stale.
 */
export function movedSlots(
  stored: readonly PlannedSlot[],
  fresh: Plan,
  remote: RemoteState,
  desired: ReadonlyMap<string, string>,
  fingerprint: Fingerprinter,
): MovedSlot[] {
  const bySlot = indexRemote(remote);
  const freshOps = new Map(fresh.changes.map((change) => [slotKey(change.key, change.context), change.op]));
  const moved: MovedSlot[] = [];
  for (const slot of stored) {
    const id = slotKey(slot.key, slot.context);
    const now = slotStateOf(slot.key, bySlot.get(id), fingerprint);
    if (!sameState(now, slot.remote)) moved.push({ key: slot.key, context: slot.context, why: 'target-changed' });
    else if (desiredFingerprint(slot.key, desired, fingerprint) !== slot.desired) moved.push({ key: slot.key, context: slot.context, why: 'canonical-changed' });
    else if (freshOps.get(id) !== slot.op) moved.push({ key: slot.key, context: slot.context, why: 'plan-changed' });
  }
  return moved;
}

/**
 * A fresh plan cut down to the reviewed slots: their changes are kept, noops are kept (they write
 * nothing), and any other change is moved to `skipped` as `not-in-plan`, so it waits for the next
 * run instead of being applied unreviewed.
 */
export function restrictToPlan(fresh: Plan, stored: readonly PlannedSlot[]): Plan {
  const planned = new Set(stored.map((slot) => slotKey(slot.key, slot.context)));
  const changes = fresh.changes.filter((change) => change.op === 'noop' || planned.has(slotKey(change.key, change.context)));
  const waiting: SkippedChange[] = fresh.changes
    .filter((change) => change.op !== 'noop' && !planned.has(slotKey(change.key, change.context)))
    .map((change) => ({ key: change.key, context: change.context, op: change.op as SkippedChange['op'], reason: 'not-in-plan' }));
  return { changes, skipped: [...fresh.skipped, ...waiting].sort(byKeyThenContext) };
}

function desiredFingerprint(key: string, desired: ReadonlyMap<string, string>, fingerprint: Fingerprinter): string | null {
  const value = desired.get(key);
  return value === undefined ? null : fingerprint(key, value);
}

function sameState(a: SlotState, b: SlotState): boolean {
  if (a.state !== b.state) return false;
  if (a.state === 'absent') return true;
  if (a.state === 'value' && b.state === 'value') return a.fingerprint === b.fingerprint && a.secret === b.secret;
  if (a.state === 'hidden' && b.state === 'hidden') return a.secret === b.secret && a.updatedAt === b.updatedAt;
  return false;
}

function indexRemote(remote: RemoteState): Map<string, RemoteValue> {
  return new Map(remote.values.map((value) => [slotKey(value.key, value.context), value]));
}

function byKeyThenContext(a: { key: string; context: string }, b: { key: string; context: string }): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return a.context < b.context ? -1 : a.context > b.context ? 1 : 0;
}
