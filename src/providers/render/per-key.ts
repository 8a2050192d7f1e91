import type { z } from 'zod';
import { applyWritesThenDeletes } from '../../core/apply-order.ts';
import { valueToWrite } from '../../core/write-values.ts';
import type { Plan, PlannedChange } from '../../core/plan.ts';
import { isSyncError, SyncError } from '../../errors.ts';
import { parseResponse, readJson } from '../../http/client.ts';
import type { AppliedChange, ApplyOutcome } from '../../core/adapter.ts';
import { appliedChange, envVarPath, renderName, stopsFurtherWrites, type RenderContext } from './context.ts';
import { envVarSchema } from './schemas.ts';
import { waitForWriteSlot } from './write-budget.ts';

/**
 * Where per-key requests go: a service's own variables, or an environment group's. The two differ
 * only in their paths and in what a PUT answers with (the variable, or the whole group).
 */
export interface PerKeyTarget {
  /** The target id, for error context. */
  readonly targetId: string;
  /** How messages name it: "service srv-1", "env group evg-1". */
  readonly label: string;
  /** The request path of one variable (segments encoded). */
  varPath(key: string): string;
  /**
   * Checks the answer of a `PUT` of `key`; throws a retryable SyncError (keyed) when it does not
   * show the key written, so the engine re-reads before writing again.
   */
  checkWritten(response: Response, endpoint: string, key: string): Promise<void>;
}

/** A service's variables: `PUT /services/{id}/env-vars/{key}` answers with the variable. */
export function servicePerKeyTarget(serviceId: string): PerKeyTarget {
  return {
    targetId: serviceId,
    label: `service ${serviceId}`,
    varPath: (key) => envVarPath(serviceId, key),
    checkWritten: async (response, endpoint, key) => {
      const written = await parseWritten(envVarSchema, response, endpoint, key);
      if (written.key !== key) throw answeredForAnotherKey(endpoint, key, written.key);
    },
  };
}

/**
 * Applies a plan with one request per change: `PUT .../env-vars/{key}` with `{value}` for creates
 * and updates, `DELETE` for deletes (a 404 means already gone), all writes before any delete
 * through the core's {@link applyWritesThenDeletes}. Services use it for small change sets;
 * environment groups always (Render has no replace-all for groups).
 *
 * Requests are sequential and each waits for a slot of the API key's write budget (one budget for
 * every service and group of the run). The first failure that would repeat for every request
 * (authentication, unknown target, rate limit, time budget) stops the rest, which are reported as
 * not sent. A 5xx or timeout is reported as `outcome-unknown` and not retried here: the engine
 * re-reads before writing again.
 */
export function applyPerKey(
  context: RenderContext,
  target: PerKeyTarget,
  plan: Plan,
  values: ReadonlyMap<string, string>,
): Promise<ApplyOutcome> {
  return applyWritesThenDeletes(plan, {
    write: (changes) => runInTurn(target, changes, (change) => putVariable(context, target, change, values)),
    delete: (changes) => runInTurn(target, changes, (change) => deleteVariable(context, target, change)),
  });
}

/**
 * Parses the answer of a write; a 200 of an unexpected shape leaves the write's outcome unknown:
 * retryable after a re-read.
 */
export async function parseWritten<T>(schema: z.ZodType<T>, response: Response, endpoint: string, key: string): Promise<T> {
  try {
    return parseResponse(schema, await readJson(response, renderName, endpoint), renderName, endpoint);
  } catch (error) {
    if (!isSyncError(error)) throw error;
    throw new SyncError(error.code, error.message, { key, retryable: true, cause: error });
  }
}

/** A PUT whose answer is about another key than the one sent: its outcome is unknown. */
export function answeredForAnotherKey(endpoint: string, key: string, other: string): SyncError {
  return new SyncError(
    'provider-response-invalid',
    `${renderName} ${endpoint} answered for another key (${other}); whether ${key} was written is unknown, so the next round re-reads.`,
    { key, retryable: true },
  );
}

async function runInTurn(
  target: PerKeyTarget,
  changes: readonly PlannedChange[],
  step: (change: PlannedChange) => Promise<AppliedChange>,
): Promise<ApplyOutcome> {
  const done: AppliedChange[] = [];
  const errors: SyncError[] = [];
  let stoppedBy: SyncError | undefined;
  for (const change of changes) {
    if (stoppedBy !== undefined) {
      errors.push(notSent(change.key, target.label, stoppedBy));
      continue;
    }
    try {
      done.push(await step(change));
    } catch (error) {
      const failure = withKey(error, change.key);
      errors.push(failure);
      if (stopsFurtherWrites(failure)) stoppedBy = failure;
    }
  }
  return { done, errors };
}

async function putVariable(
  context: RenderContext,
  target: PerKeyTarget,
  change: PlannedChange,
  values: ReadonlyMap<string, string>,
): Promise<AppliedChange> {
  // Render rejects empty values; the core never plans one (see core/write-values.ts).
  const value = valueToWrite(change, values, false);
  await waitForWriteSlot(context.writeBudget, context.session.budget, context.sleep);
  const path = target.varPath(change.key);
  const response = await context.api.send({ method: 'PUT', path, json: { value }, key: change.key, target: target.targetId });
  await target.checkWritten(response, `PUT /${path}`, change.key);
  return appliedChange(change);
}

async function deleteVariable(context: RenderContext, target: PerKeyTarget, change: PlannedChange): Promise<AppliedChange> {
  await waitForWriteSlot(context.writeBudget, context.session.budget, context.sleep);
  // 'absent' (already gone) is what a delete wants: see renderErrors.
  await context.api.remove({ method: 'DELETE', path: target.varPath(change.key), key: change.key, target: target.targetId });
  return appliedChange(change);
}

/** Ensures an error is a {@link SyncError} about `key`. */
function withKey(error: unknown, key: string): SyncError {
  if (isSyncError(error)) {
    if (error.key !== undefined) return error;
    return new SyncError(error.code, error.message, {
      key,
      retryable: error.retryable,
      cause: error.cause ?? error,
      ...(error.status === undefined ? {} : { status: error.status }),
    });
  }
  return new SyncError('internal', `Writing ${key} failed unexpectedly; nothing else was attempted for it.`, { key, cause: error });
}

function notSent(key: string, targetLabel: string, cause: SyncError): SyncError {
  return new SyncError(
    cause.code,
    `Not sent: an earlier request to ${renderName} ${targetLabel} failed (${cause.code}), so the rest of this sync's requests were held back.`,
    { key, retryable: cause.retryable },
  );
}
