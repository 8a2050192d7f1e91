import type { HeldValue, RemoteState, RemoteValue } from '../../core/plan.ts';
import type { ApiEnvRecord } from './schemas.ts';
import { isStandardTarget } from './settings.ts';

/**
 * A project's env records as the adapter keeps them between `read` and `apply`: what the diff sees
 * (one `RemoteValue` per (key, environment)) plus what writes need and the diff must not (record
 * ids, which environments share a record, each record's type).
 *
 * EnvSync names an environment by one string: `production`, `preview`, `development`, or a custom
 * environment's slug. A custom environment id the run could not name becomes `custom:<id>`, which no
 * setting can spell, so EnvSync never manages it.
 */

/** Why a record is never planned, whatever the prefixes say (reported as skipped). */
export type HoldReason =
  /** `configurationId` set, or a `contentHint` naming a store: an integration owns it. */
  | 'integration-managed'
  /** A preview value for one git branch: it overrides the all-branches value for that branch. */
  | 'branch-specific'
  /** `system` (Vercel's own) or legacy `secret` references. */
  | 'system';

/** One record EnvSync may change. */
export interface ProjectRecord {
  readonly id: string;
  readonly key: string;
  readonly type: string;
  /** Environments as EnvSync names them, standard and custom. */
  readonly environments: readonly string[];
  /** The record's own standard targets and custom ids, to send unchanged (or trimmed) in an edit. */
  readonly target: readonly string[];
  readonly customEnvironmentIds: readonly string[];
  /** The value, only for readable (`plain`) records. */
  readonly value: string | undefined;
  /** ISO 8601, from Vercel's epoch milliseconds. */
  readonly updatedAt: string | undefined;
}

/** A record EnvSync leaves alone, and why. */
export interface HeldRecord {
  readonly key: string;
  /** The environments it covers; a branch record's is `preview:<branch>`. */
  readonly environments: readonly string[];
  readonly reason: HoldReason;
}

/** Everything read from one project. */
export interface ProjectSnapshot {
  readonly projectId: string;
  readonly records: readonly ProjectRecord[];
  readonly held: readonly HeldRecord[];
  /** Custom environment slug → id, when the run resolved them (only if a custom environment is managed). */
  readonly customIds: ReadonlyMap<string, string>;
}

/** Types whose listed `value` is the value itself (reference §3). */
const readableTypes = new Set(['plain']);

/**
 * Builds the snapshot from validated records: duplicates dropped by id (Terraform saw the API list
 * some twice), integration, branch and system records held.
 *
 * @param customIds - custom environment slug → id; ids not found here become `custom:<id>`.
 */
export function toSnapshot(projectId: string, apiRecords: readonly ApiEnvRecord[], customIds: ReadonlyMap<string, string>): ProjectSnapshot {
  const slugs = new Map([...customIds].map(([slug, id]) => [id, slug]));
  const seen = new Set<string>();
  const records: ProjectRecord[] = [];
  const held: HeldRecord[] = [];
  for (const record of apiRecords) {
    if (seen.has(record.id)) continue;
    seen.add(record.id);
    const target = record.target.filter(isStandardTarget);
    const customEnvironmentIds = record.customEnvironmentIds ?? [];
    const environments = [...target, ...customEnvironmentIds.map((id) => slugs.get(id) ?? `custom:${id}`)];
    const reason = holdReason(record);
    if (reason !== undefined) {
      const branch = record.gitBranch ?? '';
      held.push({ key: record.key, environments: reason === 'branch-specific' ? [`preview:${branch}`] : environments, reason });
      continue;
    }
    records.push({
      id: record.id,
      key: record.key,
      type: record.type,
      environments,
      target,
      customEnvironmentIds,
      value: readableTypes.has(record.type) ? (record.value ?? '') : undefined,
      updatedAt: typeof record.updatedAt === 'number' ? new Date(record.updatedAt).toISOString() : undefined,
    });
  }
  held.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { projectId, records, held, customIds };
}

function holdReason(record: ApiEnvRecord): HoldReason | undefined {
  if ((record.configurationId ?? '') !== '' || (record.contentHint !== undefined && record.contentHint !== null)) return 'integration-managed';
  if ((record.gitBranch ?? '') !== '') return 'branch-specific';
  if (record.type === 'system' || record.type === 'secret') return 'system';
  return undefined;
}

/**
 * What the diff sees: one value per (key, environment) of the records EnvSync may change, and the
 * held ones (integration, branch, system records) it must never plan. Hidden values (`encrypted`,
 * `sensitive`) are `undefined`: the diff compares them through the ledger and `updatedAt`.
 */
export function toRemoteState(snapshot: ProjectSnapshot): RemoteState {
  const values: RemoteValue[] = [];
  const taken = new Set<string>();
  for (const record of snapshot.records) {
    for (const environment of record.environments) {
      const slot = `${record.key}\u0000${environment}`;
      if (taken.has(slot)) continue;
      taken.add(slot);
      values.push({
        key: record.key,
        context: environment,
        value: record.value,
        secret: record.type === 'sensitive',
        ...(record.updatedAt === undefined ? {} : { updatedAt: record.updatedAt }),
      });
    }
  }
  const held = heldSlots(snapshot);
  return held.length === 0 ? { values } : { values, held };
}

/** The record holding (key, environment), if any. */
export function recordAt(snapshot: ProjectSnapshot, key: string, environment: string): ProjectRecord | undefined {
  return snapshot.records.find((record) => record.key === key && record.environments.includes(environment));
}

/** Every (key, environment) EnvSync must not plan, with the reason. */
export function heldSlots(snapshot: ProjectSnapshot): HeldValue[] {
  return snapshot.held.flatMap((record) => record.environments.map((context) => ({ key: record.key, context, holder: record.reason })));
}
