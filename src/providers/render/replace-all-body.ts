import type { PlannedChange } from '../../core/plan.ts';
import { SyncError } from '../../errors.ts';
import type { AppliedChange } from '../../core/adapter.ts';
import { appliedChange, renderName } from './context.ts';
import { valueToWrite } from '../../core/write-values.ts';
import type { EnvVar } from './schemas.ts';

/**
 * The pure half of Render's replace-all write: which body to send, and what the read after it
 * proves. Kept apart from the requests so the rules that protect unmanaged variables can be read
 * (and tested) on their own.
 */

/** A replace-all body and how it relates to the plan. */
export interface ReplaceAllBody {
  /** The whole set to send: every variable as read, with the plan applied; new keys last. */
  readonly variables: readonly EnvVar[];
  /** The planned changes the body carries out. */
  readonly carried: readonly PlannedChange[];
  /** Kept variables whose value read back empty: Render would reject the whole body. */
  readonly emptyKept: readonly string[];
}

/**
 * Builds the body from the state read right before the write: the planned creates and updates set
 * to their canonical values, the planned deletes removed, and EVERYTHING else exactly as read,
 * including managed keys the plan left alone.
 *
 * Every planned write has a value Render accepts (the core skips empty values, see
 * core/write-values.ts), so the body carries the whole plan or, on a planning bug, is not built at
 * all: there is no partial body, and so no rule here about deletes after a failed write (that rule
 * is the core's, in core/apply-order.ts, for the key-by-key path).
 *
 * @throws SyncError `internal` for a planned write without a sendable value; nothing is sent.
 */
export function buildReplaceAllBody(current: readonly EnvVar[], changes: readonly PlannedChange[], values: ReadonlyMap<string, string>): ReplaceAllBody {
  const next = new Map(current.map((variable) => [variable.key, variable.value]));
  const carried: PlannedChange[] = [];
  for (const change of changes) {
    if (change.op === 'create' || change.op === 'update') next.set(change.key, valueToWrite(change, values, false));
    else if (change.op === 'delete') next.delete(change.key);
    else continue;
    carried.push(change);
  }
  const variables = [...next].map(([key, value]) => ({ key, value }));
  const emptyKept = variables.filter((variable) => variable.value === '').map((variable) => variable.key);
  return { variables, carried, emptyKept };
}

/** Whether the state read already holds every carried change, so no write is needed. */
export function alreadyApplied(body: ReplaceAllBody, current: readonly EnvVar[]): boolean {
  const state = new Map(current.map((variable) => [variable.key, variable.value]));
  const sent = new Map(body.variables.map((variable) => [variable.key, variable.value]));
  return body.carried.every((change) =>
    change.op === 'delete' ? !state.has(change.key) : state.get(change.key) === sent.get(change.key),
  );
}

/** What a replace-all achieved according to the read after it. */
export interface ReplaceAllVerdict {
  readonly done: readonly AppliedChange[];
  readonly errors: readonly SyncError[];
  /** Kept variables that did not survive (also reported in `errors`). */
  readonly lost: readonly string[];
  /** Kept variables that survived with another value than the read right before the write (also in `errors`). */
  readonly raced: readonly string[];
}

/**
 * Compares the read after a replace-all with what was sent.
 *
 * A carried change is done when the read shows it. A variable that was sent back unchanged and is
 * missing afterwards is reported as `unmanaged-lost` on its key: EnvSync never writes variables it
 * does not manage, so restoring it is left to a person. One that is there with another value than
 * the read right before the write (which is what was sent) is a race, reported as `conflict` on its
 * key: someone wrote it around EnvSync's write, and whichever write came last holds.
 *
 * What this cannot see: a change made between that read and the write, which the write then
 * reverted, reads back as exactly what was sent. Render keeps no per-variable version to tell.
 *
 * @param outcomeKnown - false when the write's response was lost (5xx, timeout): changes the read
 *   does not show are then `outcome-unknown` rather than `conflict`.
 */
export function verifyReplaceAll(
  body: ReplaceAllBody,
  after: readonly EnvVar[],
  serviceId: string,
  outcomeKnown: boolean,
): ReplaceAllVerdict {
  const state = new Map(after.map((variable) => [variable.key, variable.value]));
  const sent = new Map(body.variables.map((variable) => [variable.key, variable.value]));
  const done: AppliedChange[] = [];
  const errors: SyncError[] = [];
  for (const change of body.carried) {
    const landed = change.op === 'delete' ? !state.has(change.key) : state.get(change.key) === sent.get(change.key);
    if (landed) done.push(appliedChange(change));
    else errors.push(notShown(change, serviceId, outcomeKnown));
  }
  const written = new Set(body.carried.map((change) => change.key));
  const lost = body.variables.filter((variable) => !written.has(variable.key) && !state.has(variable.key)).map((v) => v.key);
  for (const key of lost) {
    errors.push(
      new SyncError(
        'unmanaged-lost',
        `${key} was sent back unchanged in the replace-all write to ${renderName} service ${serviceId}, but it is missing afterwards (deleted at the same moment, or dropped by ${renderName}). EnvSync does not write variables it was not asked to change: restore it in the Render Dashboard if it is still needed.`,
        { key },
      ),
    );
  }
  const raced = body.variables
    .filter((variable) => !written.has(variable.key) && state.has(variable.key) && state.get(variable.key) !== variable.value)
    .map((variable) => variable.key);
  for (const key of raced) {
    errors.push(
      new SyncError(
        'conflict',
        `${key} was sent back unchanged in the replace-all write to ${renderName} service ${serviceId}, but afterwards it holds another value than the read right before the write (a race: someone changed it at the same moment). EnvSync did not change it back; check ${key} in the Render Dashboard, and the next run compares it again if EnvSync manages it.`,
        { key },
      ),
    );
  }
  return { done, errors, lost, raced };
}

function notShown(change: PlannedChange, serviceId: string, outcomeKnown: boolean): SyncError {
  const what = change.op === 'delete' ? 'is still present' : 'does not hold the canonical value';
  return outcomeKnown
    ? new SyncError(
        'conflict',
        `After the replace-all write to ${renderName} service ${serviceId}, ${change.key} ${what} (changed by someone else at the same moment?); the next round reads and plans again.`,
        { key: change.key, retryable: true },
      )
    : new SyncError(
        'outcome-unknown',
        `The replace-all write to ${renderName} service ${serviceId} got no answer and ${change.key} ${what}; the next round reads and plans again.`,
        { key: change.key, retryable: true },
      );
}
