import type { Fingerprinter, TargetRef } from './ledger.ts';
import type { Plan, RemoteState } from './plan.ts';

/**
 * Optional hooks a run hands the engine, so the bookkeeping around a sync (reviewed plans, rollback
 * snapshots and holds) stays out of the engine's read → diff → apply loop. The engine calls them
 * with plain data; they never see a provider connection.
 */

/** One round of one target, as the hooks see it. */
export interface PlanContext {
  readonly target: TargetRef;
  /** The plan the diff made this round (or what `shapePlan` made of it, for `beforeApply`). */
  readonly plan: Plan;
  /** The target as read this round. */
  readonly remote: RemoteState;
  /** The canonical values: hooks may fingerprint them, never store them. */
  readonly desired: ReadonlyMap<string, string>;
  readonly fingerprint: Fingerprinter;
  /** 1 for the first read of the target, 2+ for re-reads after retryable failures. */
  readonly round: number;
  /**
   * What a hidden value (a Vercel `encrypted` record, a Netlify secret) is known to be: the
   * ledger's fingerprint of EnvSync's last write to the slot, when the provider's `updated_at` has
   * not moved since. `undefined` for readable values and for hidden ones changed by someone else.
   */
  readonly hiddenFingerprint?: (key: string, context: string) => string | undefined;
}

/** The hooks; every one is optional. */
export interface RunHooks {
  /**
   * Reshapes a round's plan before it is applied or reported: a reviewed plan keeps only its
   * slots, a rollback hold moves held slots to `skipped`. Throwing a `SyncError` in round 1 fails
   * the target before anything is written (a stale reviewed plan); in later rounds writes have
   * landed, so a hook must not throw there (their ledger record would be lost).
   */
  readonly shapePlan?: (context: PlanContext) => Plan;
  /**
   * Runs after the plan is final and just before anything is written (enforce only, only when the
   * plan has something to do). Rollback snapshots are stored here. Throwing fails the target with
   * nothing written: EnvSync never changes a slot whose prior state it could not keep.
   */
  readonly beforeApply?: (context: PlanContext) => Promise<void>;
}
