import { SyncError } from '../errors.ts';
import { deletesOf, writesOf, type Plan, type PlannedChange } from './plan.ts';
import type { ApplyOutcome } from './adapter.ts';

/** How an adapter writes and deletes; each step reports per-key failures instead of throwing. */
export interface ApplySteps {
  readonly write: (changes: readonly PlannedChange[]) => Promise<ApplyOutcome>;
  readonly delete: (changes: readonly PlannedChange[]) => Promise<ApplyOutcome>;
}

/**
 * Runs a plan's writes, then its deletes, and skips every delete once any write has failed.
 *
 * Why: a failed write leaves the target between two states. Deleting then could remove the only
 * working copy of a variable that was about to be replaced (a rename done as create + delete), so
 * the deletes wait for a run whose writes all succeed. Every adapter's per-key path goes through
 * here, so the rule lives in one place.
 */
export async function applyWritesThenDeletes(plan: Plan, steps: ApplySteps): Promise<ApplyOutcome> {
  const writes = writesOf(plan);
  const deletes = deletesOf(plan);
  const written = writes.length > 0 ? await steps.write(writes) : { done: [], errors: [] };
  if (deletes.length === 0) return written;
  if (written.errors.length > 0) {
    const skipped = deletes.map(
      (change) =>
        new SyncError(
          'write-skipped',
          `Not deleted: an earlier write in this sync failed, so deletions wait for a run whose writes all succeed.`,
          { key: change.key },
        ),
    );
    return { done: written.done, errors: [...written.errors, ...skipped] };
  }
  const deleted = await steps.delete(deletes);
  return { done: [...written.done, ...deleted.done], errors: [...written.errors, ...deleted.errors] };
}
