import { OutcomeCollector } from '../../core/outcome.ts';
import { SyncError } from '../../errors.ts';
import type { Logger } from '../../logging/logger.ts';
import type { Plan, PlannedChange } from '../../core/plan.ts';
import type { ApplyOutcome } from '../../core/adapter.ts';
import { applyWritesThenDeletes } from '../../core/apply-order.ts';
import { segment, type NetlifyClient, type NetlifyRequest } from './client.ts';
import { initialKeyConcurrency } from './gate.ts';
import { forEachLimited } from './parallel.ts';
import { envVarListSchema, envVarResponseSchema } from './schemas.ts';
import type { SiteSnapshot } from './snapshot.ts';
import { planDeletes, planWrites, type CreateStep, type DeleteStep, type UpdateStep, type WritePlanOptions } from './write-plan.ts';

/**
 * Keys written or deleted at once: up to {@link initialKeyConcurrency} (16), fewer when Netlify's
 * `X-RateLimit-Remaining` says the token's window has less room (the gate then also holds each
 * request until it fits, or until the reset). Each key's own requests stay sequential.
 */
function keyConcurrency(site: SiteApply): { readonly max: number; readonly now: () => number } {
  return { max: initialKeyConcurrency, now: () => site.client.keyConcurrency() };
}

/** Everything one site's apply needs. */
export interface SiteApply {
  readonly client: NetlifyClient;
  readonly logger: Logger;
  readonly snapshot: SiteSnapshot;
  readonly values: ReadonlyMap<string, string>;
  readonly options: WritePlanOptions;
}

/**
 * Carries out a plan on one site: writes (one bulk create, then per-key updates), then deletes,
 * through {@link applyWritesThenDeletes}. Never throws for a key's failure; every change ends up in
 * `done` or is covered by an error with its key.
 */
export async function applyToSite(site: SiteApply, plan: Plan): Promise<ApplyOutcome> {
  const outcome = await applyWritesThenDeletes(plan, {
    write: (changes) => writeChanges(site, changes),
    delete: (changes) => deleteChanges(site, changes),
  });
  return {
    done: [...outcome.done].sort((a, b) => compare(a.key, b.key) || compare(a.context, b.context)),
    errors: [...outcome.errors].sort((a, b) => compare(a.key ?? '', b.key ?? '')),
  };
}

async function writeChanges(site: SiteApply, changes: readonly PlannedChange[]): Promise<ApplyOutcome> {
  const outcome = new OutcomeCollector();
  const plan = planWrites(changes, site.snapshot, site.values, site.options);
  for (const refused of plan.refused) outcome.failed(refused.error);
  if (plan.creates.length > 0) await createAll(site, plan.creates, outcome);
  await forEachLimited(plan.updates, keyConcurrency(site), (step) => updateKey(site, step, outcome));
  return outcome.result();
}

async function deleteChanges(site: SiteApply, changes: readonly PlannedChange[]): Promise<ApplyOutcome> {
  const outcome = new OutcomeCollector();
  await forEachLimited(planDeletes(changes, site.snapshot), keyConcurrency(site), (step) => deleteKey(site, step, outcome));
  return outcome.result();
}

/**
 * Sends every create in one bulk `POST`. When Netlify rejects the batch (a 4xx such as an invalid
 * value or a key created meanwhile), the batch is split in halves to isolate the keys at fault, so
 * one bad key does not hold back every other create. The split is capped at about two requests per
 * halving of the batch: a rejection that hits every key (a plan restriction, say) costs a handful
 * of requests, not one per key. A 5xx or a timeout is never split or repeated: the outcome is
 * unknown, and the engine re-reads the site before trying again.
 */
async function createAll(site: SiteApply, steps: readonly CreateStep[], outcome: OutcomeCollector): Promise<void> {
  let spare = 2 * Math.ceil(Math.log2(steps.length));
  const send = async (batch: readonly CreateStep[]): Promise<void> => {
    const request: NetlifyRequest = { method: 'POST', path: envPath(site), searchParams: siteParam(site), json: batch.map((step) => step.body) };
    try {
      const response = await site.client.send(request);
      const created = await site.client.bodyOfWrite(response, request, envVarListSchema);
      const updatedAt = new Map((created ?? []).map((variable) => [variable.key, variable.updated_at ?? undefined]));
      for (const step of batch) outcome.succeeded(step.changes, updatedAt.get(step.key));
    } catch (error) {
      if (batch.length > 1 && error instanceof SyncError && error.code === 'provider-rejected' && spare >= 2) {
        spare -= 2;
        const middle = Math.ceil(batch.length / 2);
        await send(batch.slice(0, middle));
        await send(batch.slice(middle));
        return;
      }
      for (const step of batch) outcome.failed(createFailure(error, step.key, site.snapshot.siteId));
    }
  };
  await send(steps);
}

async function updateKey(site: SiteApply, step: UpdateStep, outcome: OutcomeCollector): Promise<void> {
  const path = `${envPath(site)}/${segment(step.key)}`;
  if (step.request.kind === 'replace') {
    const request: NetlifyRequest = { method: 'PUT', path, searchParams: siteParam(site), json: step.request.body, key: step.key };
    try {
      const response = await site.client.send(request);
      const replaced = await site.client.bodyOfWrite(response, request, envVarResponseSchema);
      outcome.succeeded(step.changes, replaced?.updated_at ?? undefined);
      if (step.dropsAllValue === true) site.logger.info('netlify.all_value_split_for_secret', { site: site.snapshot.siteId, key: step.key });
    } catch (error) {
      outcome.failed(asSyncError(error, step.key));
    }
    return;
  }
  // One context at a time: the variable's updated_at after the last one is what the ledger keeps
  // for all of them, since Netlify dates the variable, not each value.
  const landed: PlannedChange[] = [];
  let updatedAt: string | undefined;
  for (const { change, body } of step.request.values) {
    const request: NetlifyRequest = { method: 'PATCH', path, searchParams: siteParam(site), json: body, key: step.key };
    try {
      const response = await site.client.send(request);
      const patched = await site.client.bodyOfWrite(response, request, envVarResponseSchema);
      landed.push(change);
      updatedAt = patched?.updated_at ?? updatedAt;
    } catch (error) {
      outcome.failed(asSyncError(error, step.key));
      // A variable deleted meanwhile (netlifyErrors reads that 404 as a conflict) fails its other contexts too.
      if (stopsTheRun(error) || (error instanceof SyncError && error.code === 'conflict')) break;
    }
  }
  outcome.succeeded(landed, updatedAt);
}

/** Failures every later request of the run would meet too: one error per key is enough. */
function stopsTheRun(error: unknown): boolean {
  return error instanceof SyncError && (error.code === 'provider-auth' || error.code === 'provider-rate-limited' || error.code === 'budget-exhausted');
}

async function deleteKey(site: SiteApply, step: DeleteStep, outcome: OutcomeCollector): Promise<void> {
  outcome.succeeded(step.absent);
  const path = `${envPath(site)}/${segment(step.key)}`;
  if (step.request.kind === 'variable') {
    if (await deleteGone(site, { method: 'DELETE', path, searchParams: siteParam(site), key: step.key }, outcome)) {
      outcome.succeeded(step.request.changes);
    }
    return;
  }
  if (step.request.kind === 'none') return;
  for (const { change, ids } of step.request.values) {
    let removed = true;
    for (const id of ids) {
      const request: NetlifyRequest = { method: 'DELETE', path: `${path}/value/${segment(id)}`, searchParams: siteParam(site), key: step.key };
      removed = (await deleteGone(site, request, outcome)) && removed;
    }
    if (removed) outcome.succeeded([change]);
  }
}

/** Sends a delete; already gone (see netlifyErrors) is what was wanted. */
async function deleteGone(site: SiteApply, request: NetlifyRequest, outcome: OutcomeCollector): Promise<boolean> {
  try {
    await site.client.remove(request);
    return true;
  } catch (error) {
    outcome.failed(asSyncError(error, request.key));
    return false;
  }
}

/** A bulk-create failure as one key's error. "Already exists" means a re-read will turn it into an update. */
function createFailure(error: unknown, key: string, siteId: string): SyncError {
  const failure = asSyncError(error, key);
  const exists = failure.status === 409 || (failure.code === 'provider-rejected' && /already exists|exists already/i.test(failure.message));
  if (exists) {
    return new SyncError(
      'conflict',
      `${key} already exists on Netlify site ${siteId} (created after EnvSync read the site); the next round re-reads the site and updates it instead.`,
      { key, retryable: true, status: failure.status ?? 409, cause: failure },
    );
  }
  return failure;
}

/** Any failure as a SyncError about `key`; foreign errors never lend their text (it could quote a value). */
function asSyncError(error: unknown, key: string | undefined): SyncError {
  if (error instanceof SyncError && (error.key === key || key === undefined)) return error;
  if (error instanceof SyncError) {
    return new SyncError(error.code, error.message, {
      cause: error,
      retryable: error.retryable,
      ...(key === undefined ? {} : { key }),
      ...(error.status === undefined ? {} : { status: error.status }),
    });
  }
  return new SyncError('internal', 'Unexpected failure while writing to Netlify; see the function log for the stack (values are never logged).', {
    cause: error,
    ...(key === undefined ? {} : { key }),
  });
}

function envPath(site: SiteApply): string {
  return `accounts/${segment(site.snapshot.account)}/env`;
}

function siteParam(site: SiteApply): Record<string, string> {
  return { site_id: site.snapshot.siteId };
}


function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
