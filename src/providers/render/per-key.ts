import { applyWritesThenDeletes } from '../../core/apply-order.ts';
import type { Plan, PlannedChange } from '../../core/plan.ts';
import { isSyncError, SyncError } from '../../errors.ts';
import { parseResponse, readJson } from '../../http/client.ts';
import type { AppliedChange, ApplyOutcome } from '../../core/adapter.ts';
import { appliedChange, envVarPath, renderName, stopsFurtherWrites, type RenderContext } from './context.ts';
import { envVarSchema } from './schemas.ts';
import { waitForWriteSlot } from './write-budget.ts';

/**
 * Applies a plan with one request per change: `PUT /services/{id}/env-vars/{key}` with `{value}`
 * for creates and updates, `DELETE` for deletes (a 404 means already gone), all writes before any
 * delete through the core's {@link applyWritesThenDeletes}.
 *
 * Requests are sequential and each waits for a slot of the API key's write budget. The first
 * failure that would repeat for every request (authentication, unknown service, rate limit, time
 * budget) stops the rest, which are reported as not sent. A 5xx or timeout is reported as
 * `outcome-unknown` and not retried here: the engine re-reads before writing again.
 */
export function applyPerKey(
  context: RenderContext,
  serviceId: string,
  plan: Plan,
  values: ReadonlyMap<string, string>,
): Promise<ApplyOutcome> {
  return applyWritesThenDeletes(plan, {
    write: (changes) => runInTurn(serviceId, changes, (change) => putVariable(context, serviceId, change, values)),
    delete: (changes) => runInTurn(serviceId, changes, (change) => deleteVariable(context, serviceId, change)),
  });
}

/** The error for a create or update whose canonical value Render would reject. */
export function emptyValueError(key: string, serviceId: string): SyncError {
  return new SyncError(
    'value-rejected',
    `The canonical value of ${key} is empty and ${renderName} rejects empty values: it was not sent, and service ${serviceId} keeps its current variable. Give it a value, or exclude the key.`,
    { key },
  );
}

async function runInTurn(
  serviceId: string,
  changes: readonly PlannedChange[],
  step: (change: PlannedChange) => Promise<AppliedChange>,
): Promise<ApplyOutcome> {
  const done: AppliedChange[] = [];
  const errors: SyncError[] = [];
  let stoppedBy: SyncError | undefined;
  for (const change of changes) {
    if (stoppedBy !== undefined) {
      errors.push(notSent(change.key, serviceId, stoppedBy));
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
  serviceId: string,
  change: PlannedChange,
  values: ReadonlyMap<string, string>,
): Promise<AppliedChange> {
  const value = values.get(change.key);
  if (value === undefined) {
    throw new SyncError('internal', `No canonical value was passed for ${change.key}; nothing was sent.`, { key: change.key });
  }
  if (value === '') throw emptyValueError(change.key, serviceId);
  await waitForWriteSlot(context.writeBudget, context.session.budget, context.sleep);
  const path = envVarPath(serviceId, change.key);
  const endpoint = `PUT /${path}`;
  const response = await context.api.send({ method: 'PUT', path, json: { value }, key: change.key, target: serviceId });
  const written = await writtenVariable(response, endpoint, change.key);
  if (written.key !== change.key) {
    throw new SyncError(
      'provider-response-invalid',
      `${renderName} ${endpoint} answered for another key (${written.key}); whether ${change.key} was written is unknown, so the next round re-reads.`,
      { key: change.key, retryable: true },
    );
  }
  return appliedChange(change);
}

async function deleteVariable(context: RenderContext, serviceId: string, change: PlannedChange): Promise<AppliedChange> {
  await waitForWriteSlot(context.writeBudget, context.session.budget, context.sleep);
  // 'absent' (already gone) is what a delete wants: see renderErrors.
  await context.api.remove({ method: 'DELETE', path: envVarPath(serviceId, change.key), key: change.key, target: serviceId });
  return appliedChange(change);
}

/** A 200 of an unexpected shape leaves the write's outcome unknown: retryable after a re-read. */
async function writtenVariable(response: Response, endpoint: string, key: string) {
  try {
    return parseResponse(envVarSchema, await readJson(response, renderName, endpoint), renderName, endpoint);
  } catch (error) {
    if (!isSyncError(error)) throw error;
    throw new SyncError(error.code, error.message, { key, retryable: true, cause: error });
  }
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

function notSent(key: string, serviceId: string, cause: SyncError): SyncError {
  return new SyncError(
    cause.code,
    `Not sent: an earlier request to ${renderName} service ${serviceId} failed (${cause.code}), so the rest of this sync's requests were held back.`,
    { key, retryable: cause.retryable },
  );
}
