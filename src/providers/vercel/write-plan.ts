import { SyncError } from '../../errors.ts';
import type { PlannedChange } from '../../core/plan.ts';
import { reservedNameMessage, isReservedName } from './limits.ts';
import type { CreateItem, EditBody } from './schemas.ts';
import { isStandardTarget, standardTargets, typeFor, type VercelOptions } from './settings.ts';
import { recordAt, type ProjectRecord, type ProjectSnapshot } from './snapshot.ts';

/**
 * Turns a plan's per-(key, environment) changes into the fewest Vercel requests, without sending
 * any: pure, so the request-count choices are testable as data.
 *
 * One record can cover several environments. So:
 * - every environment a key lacks goes into ONE batch create (one item per key);
 * - a record whose environments all end up with the new value gets ONE edit;
 * - a record that also covers environments that must keep their value (not managed, or managed and
 *   staying) is split: its targets are trimmed (one edit, no value), and the changed environments
 *   join the batch create as a new record;
 * - a record that must become `sensitive` is removed and created again (Vercel: "remove and re-add
 *   it with the Sensitive option"), trimmed instead when it covers other environments;
 * - deletes trim a record's targets, or remove whole records in one batch delete.
 */

/** A trim or removal that must land before a create can take over the environments it frees. */
export interface ReleaseStep {
  readonly record: ProjectRecord;
  /** `undefined`: remove the record. Otherwise the edit that trims its targets. */
  readonly trim: EditBody | undefined;
}

/** One item of the batch create. */
export interface CreateStep {
  readonly key: string;
  readonly changes: readonly PlannedChange[];
  readonly item: CreateItem;
  /** The record that must be released first, when this create is the other half of a split. */
  readonly after?: string;
}

/** One edit of a record's value. */
export interface EditStep {
  readonly record: ProjectRecord;
  readonly changes: readonly PlannedChange[];
  readonly body: EditBody;
}

/** A key that cannot be written as planned, with the error that says why. */
export interface RefusedStep {
  readonly key: string;
  readonly error: SyncError;
}

/** The requests of a plan's writes, in the order they must be sent. */
export interface WritePlan {
  readonly releases: readonly ReleaseStep[];
  readonly creates: readonly CreateStep[];
  readonly edits: readonly EditStep[];
  readonly refused: readonly RefusedStep[];
}

/** The requests of a plan's deletes. */
export interface DeletePlan {
  /** Records to remove whole (one batch delete), with the changes each completes. */
  readonly removals: readonly { readonly record: ProjectRecord; readonly changes: readonly PlannedChange[] }[];
  /** Records keeping other environments: their targets trimmed. */
  readonly trims: readonly EditStep[];
  /** Slots already gone (no record holds them): done without a request. */
  readonly absent: readonly PlannedChange[];
}

/**
 * Plans the requests for a plan's creates and updates.
 *
 * @param changes - every change of the plan, noops included: a noop environment of a record that is
 *   edited anyway ends up with the new value too, so it need not be split off.
 */
export function planWrites(
  changes: readonly PlannedChange[],
  snapshot: ProjectSnapshot,
  values: ReadonlyMap<string, string>,
  options: VercelOptions,
): WritePlan {
  const releases: ReleaseStep[] = [];
  const creates: CreateStep[] = [];
  const edits: EditStep[] = [];
  const refused: RefusedStep[] = [];
  for (const [key, keyChanges] of groupByKey(changes)) {
    const writes = keyChanges.filter((change) => change.op === 'create' || change.op === 'update');
    if (writes.length === 0) continue;
    const value = values.get(key);
    if (value === undefined) {
      refused.push({ key, error: new SyncError('internal', `No canonical value was handed over for ${key}; nothing was written for it.`, { key }) });
      continue;
    }
    if (isReservedName(key)) {
      refused.push({ key, error: new SyncError('value-rejected', reservedNameMessage(key), { key }) });
      continue;
    }
    const type = typeFor(key, options);
    const staying = new Set(keyChanges.filter((change) => change.op === 'noop').map((change) => change.context));
    const fresh: PlannedChange[] = [];
    for (const [record, recordChanges] of groupByRecord(writes, snapshot, key)) {
      if (record === undefined) {
        fresh.push(...recordChanges);
        continue;
      }
      const moving = new Set(recordChanges.map((change) => change.context));
      const kept = record.environments.filter((environment) => !moving.has(environment) && !staying.has(environment));
      const becomesSensitive = type === 'sensitive' && record.type !== 'sensitive';
      if (kept.length === 0 && !becomesSensitive) {
        edits.push({ record, changes: recordChanges, body: { value, type: record.type === 'sensitive' ? 'sensitive' : type, ...targetsOf(record.environments, snapshot, record) } });
        continue;
      }
      // Split (or re-create): free the environments first, then create them as a new record.
      const taken = record.environments.filter((environment) => !kept.includes(environment));
      const item = createItem(key, value, type, taken, snapshot, record);
      if (item instanceof SyncError) {
        refused.push({ key, error: item });
        continue;
      }
      releases.push({ record, trim: kept.length === 0 ? undefined : { ...targetsOf(kept, snapshot, record) } });
      creates.push({ key, changes: recordChanges, item, after: record.id });
    }
    if (fresh.length > 0) {
      const item = createItem(
        key,
        value,
        type,
        fresh.map((change) => change.context),
        snapshot,
        undefined,
      );
      if (item instanceof SyncError) refused.push({ key, error: item });
      else creates.push({ key, changes: fresh, item });
    }
  }
  return { releases, creates, edits, refused };
}

/** Plans the requests for a plan's deletes. */
export function planDeletes(changes: readonly PlannedChange[], snapshot: ProjectSnapshot): DeletePlan {
  const removals: { record: ProjectRecord; changes: readonly PlannedChange[] }[] = [];
  const trims: EditStep[] = [];
  const absent: PlannedChange[] = [];
  for (const [key, keyChanges] of groupByKey(changes.filter((change) => change.op === 'delete'))) {
    for (const [record, recordChanges] of groupByRecord(keyChanges, snapshot, key)) {
      if (record === undefined) {
        absent.push(...recordChanges);
        continue;
      }
      const gone = new Set(recordChanges.map((change) => change.context));
      const kept = record.environments.filter((environment) => !gone.has(environment));
      if (kept.length === 0) removals.push({ record, changes: recordChanges });
      else trims.push({ record, changes: recordChanges, body: targetsOf(kept, snapshot, record) });
    }
  }
  return { removals, trims, absent };
}

/** `target` and `customEnvironmentIds` for a set of environments (custom slugs resolved to ids). */
function targetsOf(environments: readonly string[], snapshot: ProjectSnapshot, record: ProjectRecord | undefined): EditBody {
  const target = standardTargets.filter((name) => environments.includes(name));
  const customEnvironmentIds = environments.filter((environment) => !isStandardTarget(environment)).map((environment) => customIdOf(environment, snapshot, record));
  return { target, ...(customEnvironmentIds.length > 0 || (record?.customEnvironmentIds.length ?? 0) > 0 ? { customEnvironmentIds: customEnvironmentIds.filter((id): id is string => id !== undefined) } : {}) };
}

function createItem(key: string, value: string, type: string, environments: readonly string[], snapshot: ProjectSnapshot, record: ProjectRecord | undefined): CreateItem | SyncError {
  const target = standardTargets.filter((name) => environments.includes(name));
  const custom = environments.filter((environment) => !isStandardTarget(environment));
  const ids = custom.map((environment) => customIdOf(environment, snapshot, record));
  const missing = custom.filter((_, index) => ids[index] === undefined);
  if (missing.length > 0) {
    return new SyncError(
      'config-invalid',
      `Vercel project ${snapshot.projectId} has no custom environment ${missing.join(', ')}; ${key} was not written there. Check ENVSYNC_VERCEL_TARGETS (custom environments by slug, as in Project Settings > Environments).`,
      { key },
    );
  }
  const customEnvironmentIds = ids.filter((id): id is string => id !== undefined);
  return {
    key,
    value,
    type,
    ...(target.length > 0 ? { target } : {}),
    ...(customEnvironmentIds.length > 0 ? { customEnvironmentIds } : {}),
  };
}

/** A custom environment's id: from the run's resolution, or from a `custom:<id>` name. */
function customIdOf(environment: string, snapshot: ProjectSnapshot, record: ProjectRecord | undefined): string | undefined {
  if (environment.startsWith('custom:')) return environment.slice('custom:'.length);
  const id = snapshot.customIds.get(environment);
  if (id !== undefined) return id;
  return record?.customEnvironmentIds.find((candidate) => candidate === environment);
}

function groupByKey(changes: readonly PlannedChange[]): Map<string, PlannedChange[]> {
  const groups = new Map<string, PlannedChange[]>();
  for (const change of changes) groups.set(change.key, [...(groups.get(change.key) ?? []), change]);
  return groups;
}

/** Changes of one key by the record holding each environment (`undefined`: no record yet). */
function groupByRecord(changes: readonly PlannedChange[], snapshot: ProjectSnapshot, key: string): Map<ProjectRecord | undefined, PlannedChange[]> {
  const groups = new Map<ProjectRecord | undefined, PlannedChange[]>();
  for (const change of changes) {
    const record = recordAt(snapshot, key, change.context);
    groups.set(record, [...(groups.get(record) ?? []), change]);
  }
  return groups;
}
