import { OutcomeCollector } from '../../core/outcome.ts';
import type { ApplyOutcome } from '../../core/adapter.ts';
import { applyWritesThenDeletes } from '../../core/apply-order.ts';
import type { Plan, PlannedChange } from '../../core/plan.ts';
import { SyncError } from '../../errors.ts';
import type { Logger } from '../../logging/logger.ts';
import { attributeCreates } from './batch-answer.ts';
import { segment, type VercelClient, type VercelRequest } from './client.ts';
import { syncErrorOf, unknownCreate, vanished, VercelRequestError } from './errors.ts';
import { createAnswerSchema, envRecordSchema, type FailedItem } from './schemas.ts';
import type { VercelOptions } from './settings.ts';
import type { ProjectRecord, ProjectSnapshot } from './snapshot.ts';
import { planDeletes, planWrites, type CreateStep, type EditStep } from './write-plan.ts';

/** Everything one project's apply needs. */
export interface ProjectApply {
  readonly client: VercelClient;
  readonly logger: Logger;
  readonly snapshot: ProjectSnapshot;
  readonly values: ReadonlyMap<string, string>;
  readonly options: VercelOptions;
}

/**
 * Carries out a plan on one project: releases (trims and removals a split or a re-create needs),
 * ONE batch create, record edits; then deletes, through {@link applyWritesThenDeletes}. Never
 * throws for a key's failure: every change ends up in `done` or is covered by an error with its key.
 */
export async function applyToProject(project: ProjectApply, plan: Plan): Promise<ApplyOutcome> {
  return applyWritesThenDeletes(plan, {
    write: () => writeChanges(project, plan.changes),
    delete: (changes) => deleteChanges(project, changes),
  });
}

async function writeChanges(project: ProjectApply, changes: readonly PlannedChange[]): Promise<ApplyOutcome> {
  const outcome = new OutcomeCollector();
  const plan = planWrites(changes, project.snapshot, project.values, project.options);
  for (const refused of plan.refused) outcome.failed(refused.error);
  const blocked = new Set<string>();
  for (const release of plan.releases) {
    if (release.trim !== undefined && !(await edit(project, release.record, release.trim, outcome, []))) blocked.add(release.record.id);
  }
  const removals = plan.releases.filter((step) => step.trim === undefined).map((step) => step.record);
  for (const id of await removeRecords(project, removals, outcome)) blocked.add(id);
  const creates = plan.creates.filter((step) => {
    if (step.after === undefined || !blocked.has(step.after)) return true;
    outcome.failed(new SyncError('write-skipped', `${step.key} was not written: its old record could not be changed first (see the error above); the next run tries again.`, { key: step.key, retryable: true }));
    return false;
  });
  if (creates.length > 0) await createAll(project, creates, outcome);
  for (const step of plan.edits) {
    if (outcome.halted) {
      outcome.failed(new SyncError('write-skipped', `${step.record.key} was not written: an earlier request of this sync was refused in a way every request would be.`, { key: step.record.key, retryable: true }));
      continue;
    }
    await edit(project, step.record, step.body, outcome, step.changes);
  }
  return outcome.result();
}

async function deleteChanges(project: ProjectApply, changes: readonly PlannedChange[]): Promise<ApplyOutcome> {
  const outcome = new OutcomeCollector();
  const plan = planDeletes(changes, project.snapshot);
  outcome.succeeded(plan.absent);
  for (const trim of plan.trims) await edit(project, trim.record, trim.body, outcome, trim.changes, true);
  const failed = await removeRecords(
    project,
    plan.removals.map((removal) => removal.record),
    outcome,
  );
  for (const removal of plan.removals) if (!failed.has(removal.record.id)) outcome.succeeded(removal.changes);
  return outcome.result();
}

/**
 * Sends every create in ONE `POST /v10/projects/{id}/env` with an array. Vercel answers per item
 * (`{created, failed}`, or `{error, failed}` when nothing was created), so each failure is put on its
 * key; a 5xx or a timeout leaves every item's outcome unknown and the engine re-reads.
 */
async function createAll(project: ProjectApply, steps: readonly CreateStep[], outcome: OutcomeCollector): Promise<void> {
  const request: VercelRequest = { method: 'POST', path: envPath(project), json: steps.map((step) => step.item) };
  let created: unknown[] = [];
  let failed: readonly FailedItem[] = [];
  let error: SyncError | undefined;
  try {
    const response = await project.client.send(request);
    const body = await project.client.bodyOfWrite(response, request, createAnswerSchema);
    if (body === undefined) {
      for (const step of steps) outcome.failed(unknownCreate(step.key, project.snapshot.projectId));
      return;
    }
    created = body.created === null || body.created === undefined ? [] : Array.isArray(body.created) ? body.created : [body.created];
    failed = body.failed ?? [];
  } catch (thrown) {
    // Too many items for one request (the limit is unverified): the halves are sent, each the same way.
    if (steps.length > 1 && tooMany(thrown, 'TOO_MANY_KEYS')) {
      const half = Math.ceil(steps.length / 2);
      project.logger.info('vercel.batch_split', { project: project.snapshot.projectId, items: steps.length });
      await createAll(project, steps.slice(0, half), outcome);
      await createAll(project, steps.slice(half), outcome);
      return;
    }
    error = syncErrorOf(thrown);
    failed = thrown instanceof VercelRequestError ? thrown.failure.failed : [];
    if (error.code === 'outcome-unknown' || failed.length === 0) {
      for (const step of steps) outcome.failed(syncErrorOf(thrown, step.key));
      outcome.noteStop(error);
      return;
    }
  }
  const records = created.map((record) => envRecordSchema.safeParse(record)).flatMap((parsed) => (parsed.success ? [parsed.data] : []));
  for (const result of attributeCreates(steps, records, failed, project.snapshot.projectId)) {
    if (result.error === undefined) outcome.succeeded(result.step.changes, result.updatedAt);
    else outcome.failed(result.error);
  }
}

/** Edits one record; a 404 means it is gone (fine for a delete, a retryable conflict for a write). */
async function edit(project: ProjectApply, record: ProjectRecord, body: EditStep['body'], outcome: OutcomeCollector, changes: readonly PlannedChange[], deleting = false): Promise<boolean> {
  const request: VercelRequest = { method: 'PATCH', path: recordPath(project, record), json: body, key: record.key };
  try {
    const response = await project.client.send(request);
    const edited = await project.client.bodyOfWrite(response, request, envRecordSchema);
    outcome.succeeded(changes, deleting ? undefined : isoOf(edited?.updatedAt));
    return true;
  } catch (thrown) {
    const error = syncErrorOf(thrown, record.key);
    if (error.code === 'provider-not-found' && deleting) {
      outcome.succeeded(changes);
      return true;
    }
    outcome.failed(error.code === 'provider-not-found' ? vanished(record, project.snapshot.projectId, error) : error);
    outcome.noteStop(error);
    return false;
  }
}

/**
 * Removes records: one `DELETE /v9/.../env/{id}` for one, ONE batch `DELETE /v1/projects/{id}/env`
 * for several. A batch naming a record someone already deleted may be refused whole (unverified), so
 * a 404 there falls back to one delete per record, where a 404 means done.
 *
 * @returns ids of the records that could not be removed.
 */
async function removeRecords(project: ProjectApply, records: readonly ProjectRecord[], outcome: OutcomeCollector): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  if (records.length > 1) {
    const request: VercelRequest = { method: 'DELETE', path: `v1/projects/${segment(project.snapshot.projectId)}/env`, json: { ids: records.map((record) => record.id) } };
    try {
      await project.client.send(request);
      return new Set();
    } catch (thrown) {
      if (tooMany(thrown, 'TOO_MANY_IDS')) {
        const half = Math.ceil(records.length / 2);
        project.logger.info('vercel.batch_split', { project: project.snapshot.projectId, items: records.length });
        const first = await removeRecords(project, records.slice(0, half), outcome);
        const second = await removeRecords(project, records.slice(half), outcome);
        return new Set([...first, ...second]);
      }
      const error = syncErrorOf(thrown);
      if (error.code !== 'provider-not-found') {
        for (const record of records) outcome.failed(syncErrorOf(thrown, record.key));
        outcome.noteStop(error);
        return new Set(records.map((record) => record.id));
      }
    }
  }
  const failed = new Set<string>();
  for (const record of records) {
    try {
      await project.client.send({ method: 'DELETE', path: recordPath(project, record), key: record.key });
    } catch (thrown) {
      const error = syncErrorOf(thrown, record.key);
      if (error.code === 'provider-not-found') continue;
      outcome.failed(error);
      failed.add(record.id);
    }
  }
  return failed;
}

/** Whether Vercel refused a batch for its size (`TOO_MANY_KEYS` on create, `TOO_MANY_IDS` on delete). */
function tooMany(thrown: unknown, code: 'TOO_MANY_KEYS' | 'TOO_MANY_IDS'): boolean {
  return thrown instanceof VercelRequestError && thrown.failure.code === code && thrown.failure.error.status === 400;
}

function envPath(project: ProjectApply): string {
  return `v10/projects/${segment(project.snapshot.projectId)}/env`;
}

/** `PATCH` and `DELETE` of one record are `/v9` (reference §5.2, §5.3). */
function recordPath(project: ProjectApply, record: ProjectRecord): string {
  return `v9/projects/${segment(project.snapshot.projectId)}/env/${segment(record.id)}`;
}

function isoOf(epochMs: number | null | undefined): string | undefined {
  return typeof epochMs === 'number' ? new Date(epochMs).toISOString() : undefined;
}

