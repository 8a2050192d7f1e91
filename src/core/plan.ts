/**
 * The vocabulary shared by the diff, the engine and the adapters: what a target holds, what we want
 * it to hold, and the plan between the two.
 *
 * A plan names keys and contexts, never values. Values travel separately (a `ReadonlyMap` from key to
 * value) and only into an adapter's write, so a plan can be logged, returned and stored safely.
 */

/** The single context of providers that have no deploy contexts (Render). */
export const noContext = '*';

/** One (key, context) value as a provider reports it. */
export interface RemoteValue {
  readonly key: string;
  /** The deploy context (`production`, `branch:staging`, ...) or {@link noContext}. */
  readonly context: string;
  /** The value, or `undefined` when the provider hides it (Netlify secrets are write-only). */
  readonly value: string | undefined;
  /** Whether the provider stores it as a secret. */
  readonly secret: boolean;
  /** When the provider last changed the variable (ISO 8601), when it says. */
  readonly updatedAt?: string;
}

/**
 * A (key, context) the provider says EnvSync must never change, whatever the prefixes say: a value
 * an integration owns, a per-branch override. The diff never plans it and reports it as skipped.
 */
export interface HeldValue {
  readonly key: string;
  readonly context: string;
  /** Why, in the provider's words (`integration-managed`, `branch-specific`): shown in the report. */
  readonly holder: string;
}

/** Everything a target holds, managed or not. The diff decides what is managed. */
export interface RemoteState {
  readonly values: readonly RemoteValue[];
  /** Values the provider holds back from any plan; absent when it has none. */
  readonly held?: readonly HeldValue[];
}

/**
 * Something a provider's preflight found before anything is written (a reserved name, a size limit,
 * a context a key cannot use). Key names and contexts only, never a value.
 */
export interface PlanWarning {
  readonly code: string;
  readonly key?: string;
  readonly context?: string;
  readonly message: string;
}

export const planOps = ['create', 'update', 'delete', 'noop'] as const;
export type PlanOp = (typeof planOps)[number];

/** Why an update is planned, for reports and drift tickets. */
export type ChangeReason =
  /** The target's value differs from the canonical one. */
  | 'value-differs'
  /** Someone changed a value EnvSync wrote (its fingerprint or `updated_at` no longer matches). */
  | 'drift'
  /** The value is hidden and EnvSync has no record of writing it, so it cannot be compared. */
  | 'unverifiable'
  /** The secret flag must change. */
  | 'secret-flag';

/** One operation of a plan, on one key in one context. */
export interface PlannedChange {
  readonly op: PlanOp;
  readonly key: string;
  readonly context: string;
  /** Whether the value is to be written as a secret (Netlify `is_secret`). */
  readonly secret: boolean;
  readonly reason?: ChangeReason;
}

/** Why a difference is deliberately left alone. */
export type SkipReason =
  /** ENVSYNC_ALLOW_DELETIONS is false. */
  | 'deletions-disabled'
  /** The key is managed, but the ledger has no record of EnvSync writing it (ENVSYNC_DELETE_SCOPE=owned). */
  | 'not-owned'
  /**
   * EnvSync wrote the key, but its value has changed since (the fingerprint no longer matches, or
   * for a hidden value the provider's `updated_at` moved): it is someone else's now, so an owned
   * delete leaves it (ENVSYNC_DELETE_SCOPE=owned).
   */
  | 'modified-since-written'
  /** The canonical value is empty and the provider rejects empty values. */
  | 'empty-value'
  /** The provider holds the value back from any plan (see {@link HeldValue}); `detail` says why. */
  | 'held-by-provider'
  /** An apply of a reviewed plan (`planId`): the difference appeared after the plan was made, so it waits for the next run. */
  | 'not-in-plan'
  /** A rollback holds the slot at its restored value until the canonical value changes or the hold is released. */
  | 'held';

/** A difference the plan does not act on. */
export interface SkippedChange {
  readonly key: string;
  readonly context: string;
  /** What the difference would have been. */
  readonly op: 'create' | 'update' | 'delete';
  readonly reason: SkipReason;
  /** For `held-by-provider`: the provider's reason. */
  readonly detail?: string;
  /** For `held`: the runId of the rollback that holds the slot. */
  readonly heldBy?: string;
}

/** The result of the diff: operations to run and differences left alone, both sorted by key. */
export interface Plan {
  readonly changes: readonly PlannedChange[];
  readonly skipped: readonly SkippedChange[];
}

/** Count of each operation in a list of changes. */
export type OpCounts = Record<PlanOp, number>;

/** Counts the operations of a plan or report. */
export function countOps(changes: readonly { readonly op: PlanOp }[]): OpCounts {
  const counts: OpCounts = { create: 0, update: 0, delete: 0, noop: 0 };
  for (const change of changes) counts[change.op] += 1;
  return counts;
}

/** The changes that write something (create or update), in plan order. */
export function writesOf(plan: Plan): PlannedChange[] {
  return plan.changes.filter((change) => change.op === 'create' || change.op === 'update');
}

/** The changes that delete something, in plan order. */
export function deletesOf(plan: Plan): PlannedChange[] {
  return plan.changes.filter((change) => change.op === 'delete');
}

/** Map key for a (key, context) pair. */
export function slotKey(key: string, context: string): string {
  return `${key}\u0000${context}`;
}
