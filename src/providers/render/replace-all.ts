import { noContext, type Plan, type RemoteState } from '../../core/plan.ts';
import { SyncError } from '../../errors.ts';
import type { ApplyOutcome } from '../../core/adapter.ts';
import { appliedChange, envVarsPath, isTargetWide, renderName, type RenderContext } from './context.ts';
import { asRenderError } from './errors.ts';
import { readServiceVariables } from './read.ts';
import { alreadyApplied, buildReplaceAllBody, verifyReplaceAll, type ReplaceAllBody } from './replace-all-body.ts';
import type { EnvVar } from './schemas.ts';
import { waitForWriteSlot } from './write-budget.ts';

/**
 * Applies a plan with one `PUT /services/{id}/env-vars`, which replaces the service's whole set:
 * whatever the body lacks is deleted. So the body is built from a fresh read taken right before
 * the write (every variable kept exactly as read), the write is skipped when that read already
 * shows the plan, and a read after it checks that every kept variable survived with the value
 * that read showed.
 *
 * Atomic from EnvSync's side: either the body is sent or nothing is. It throws only before
 * anything was written: for a failure of the whole service (authentication, unknown service), or
 * for a planned write without a value Render accepts (`internal`, a planning bug; see
 * core/write-values.ts), so a partial body is never sent.
 */
export async function applyReplaceAll(
  context: RenderContext,
  serviceId: string,
  plan: Plan,
  values: ReadonlyMap<string, string>,
  remote: RemoteState,
): Promise<ApplyOutcome> {
  const changes = plan.changes.filter((change) => change.op !== 'noop');
  let before: readonly EnvVar[];
  try {
    // Any wait for a write slot comes first, so the re-read stays right before the write.
    await waitForWriteSlot(context.writeBudget, context.session.budget, context.sleep);
    before = (await readServiceVariables(context, serviceId, { untilEmptyPage: true })).variables;
  } catch (error) {
    return nothingWritten(asRenderError(error, `reading service ${serviceId}`));
  }

  const vanished = vanishedSincePlan(remote, before, new Set(changes.filter((c) => c.op === 'delete').map((c) => c.key)));
  if (vanished.length > 0) return { done: [], errors: [vanishedError(serviceId, vanished)] };

  const body = buildReplaceAllBody(before, changes, values);
  if (body.emptyKept.length > 0) return { done: [], errors: body.emptyKept.map((key) => emptyKeptError(key, serviceId)) };
  if (body.carried.length === 0) return { done: [], errors: [] };
  if (alreadyApplied(body, before)) return { done: body.carried.map(appliedChange), errors: [] };

  const write = await sendReplaceAll(context, serviceId, body);
  if (write.failure !== undefined && write.failure.code !== 'outcome-unknown') {
    return nothingWritten(write.failure);
  }
  return checkAfterWrite(context, serviceId, body, write.failure);
}

async function sendReplaceAll(
  context: RenderContext,
  serviceId: string,
  body: ReplaceAllBody,
): Promise<{ readonly failure?: SyncError }> {
  const path = envVarsPath(serviceId);
  try {
    context.logger.info('render.replace_all', {
      target: serviceId,
      variables: body.variables.length,
      changes: body.carried.length,
    });
    // The answer lists the new set (values included), but the read after the write is the one
    // trusted: drained unread. Not cancelled: a hook's clone of it would keep the cancel pending.
    const response = await context.api.send({ method: 'PUT', path, json: body.variables, target: serviceId });
    await response.arrayBuffer();
    return {};
  } catch (error) {
    return { failure: asRenderError(error, `the replace-all write to service ${serviceId}`) };
  }
}

/** Reads after the write: the only trustworthy account of what it did. */
async function checkAfterWrite(
  context: RenderContext,
  serviceId: string,
  body: ReplaceAllBody,
  writeFailure: SyncError | undefined,
): Promise<ApplyOutcome> {
  let after: readonly EnvVar[];
  try {
    after = (await readServiceVariables(context, serviceId, { untilEmptyPage: true })).variables;
  } catch (error) {
    const readFailure = asRenderError(error, `reading service ${serviceId}`);
    if (writeFailure !== undefined) return { done: [], errors: [writeFailure] };
    return { done: body.carried.map(appliedChange), errors: [unverifiedError(serviceId, readFailure)] };
  }
  const verdict = verifyReplaceAll(body, after, serviceId, writeFailure === undefined);
  if (verdict.lost.length > 0) context.logger.error('render.replace_all.lost', { target: serviceId, keys: verdict.lost });
  if (verdict.raced.length > 0) context.logger.warn('render.replace_all.raced', { target: serviceId, keys: verdict.raced });
  // A lost answer and a read showing none of the plan: the write did not land, one error says so.
  if (writeFailure !== undefined && verdict.done.length === 0) {
    return { done: [], errors: [writeFailure, ...verdict.errors.filter((e) => e.code === 'unmanaged-lost')] };
  }
  return { done: verdict.done, errors: verdict.errors };
}

/** Keys the plan saw that the fresh read lacks and the plan did not delete. */
function vanishedSincePlan(remote: RemoteState, before: readonly EnvVar[], planned: ReadonlySet<string>): string[] {
  const present = new Set(before.map((variable) => variable.key));
  return remote.values
    .filter((value) => value.context === noContext && !present.has(value.key) && !planned.has(value.key))
    .map((value) => value.key);
}

function nothingWritten(failure: SyncError): ApplyOutcome {
  if (isTargetWide(failure)) throw failure;
  return { done: [], errors: [failure] };
}

function vanishedError(serviceId: string, keys: readonly string[]): SyncError {
  const named = keys.slice(0, 5).join(', ') + (keys.length > 5 ? `, and ${keys.length - 5} more` : '');
  return new SyncError(
    'conflict',
    `${keys.length} variable(s) of ${renderName} service ${serviceId} (${named}) disappeared between the sync's read and the read right before the replace-all write; nothing was written. The next round plans again from the new state.`,
    { retryable: true },
  );
}

function emptyKeptError(key: string, serviceId: string): SyncError {
  return new SyncError(
    'value-rejected',
    `${key} reads back from ${renderName} service ${serviceId} with an empty value, which a replace-all write cannot carry (${renderName} rejects empty values), so nothing was written rather than dropping it. The next round writes key by key.`,
    { key, retryable: true },
  );
}

function unverifiedError(serviceId: string, readFailure: SyncError): SyncError {
  return new SyncError(
    readFailure.code === 'budget-exhausted' ? 'budget-exhausted' : 'provider-unavailable',
    `${renderName} accepted the replace-all write to service ${serviceId}, but the read after it failed (${readFailure.code}), so EnvSync could not check that every variable it kept survived. The next run reads again; check the service in the Render Dashboard if in doubt.`,
    { retryable: true, cause: readFailure },
  );
}
