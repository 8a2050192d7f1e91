import { SyncError } from '../../errors.ts';
import { batchItemError } from './errors.ts';
import type { ApiEnvRecord, FailedItem } from './schemas.ts';
import type { CreateStep } from './write-plan.ts';

/** What became of one item of a batch create. */
export interface CreateResult {
  readonly step: CreateStep;
  /** ISO 8601 `updatedAt` of the created record, when it was created and returned one. */
  readonly updatedAt?: string;
  readonly error?: SyncError;
}

/**
 * Matches a batch create's answer to the items sent (reference §5.1): a created record by key and
 * overlapping targets; a failure by its `key`/`envVarKey` (and `target` when given), and a failure
 * that names no key to the first item sent that is neither created nor explained yet, in order. An
 * item the answer says nothing about is an unknown outcome: the engine re-reads before retrying.
 */
export function attributeCreates(steps: readonly CreateStep[], created: readonly ApiEnvRecord[], failed: readonly FailedItem[], projectId: string): CreateResult[] {
  const results = new Map<CreateStep, CreateResult>();
  const unclaimed = [...created];
  for (const step of steps) {
    const index = unclaimed.findIndex((record) => record.key === step.key && overlaps(record, step));
    if (index === -1) continue;
    const [record] = unclaimed.splice(index, 1);
    const updatedAt = typeof record?.updatedAt === 'number' ? new Date(record.updatedAt).toISOString() : undefined;
    results.set(step, { step, ...(updatedAt === undefined ? {} : { updatedAt }) });
  }
  const open = () => steps.filter((step) => !results.has(step));
  const anonymous: FailedItem[] = [];
  for (const item of failed) {
    const key = item.error.key ?? item.error.envVarKey ?? undefined;
    if (key === undefined || key === null) {
      anonymous.push(item);
      continue;
    }
    const targets = toList(item.error.target);
    const step = open().find((candidate) => candidate.key === key && (targets.length === 0 || targets.some((target) => candidate.item.target?.includes(target) === true)));
    const fallback = step ?? open().find((candidate) => candidate.key === key);
    if (fallback === undefined) anonymous.push(item);
    else results.set(fallback, { step: fallback, error: batchItemError(item, fallback.key, projectId) });
  }
  for (const item of anonymous) {
    const step = open()[0];
    if (step === undefined) break;
    results.set(step, { step, error: batchItemError(item, step.key, projectId) });
  }
  return steps.map(
    (step) =>
      results.get(step) ?? {
        step,
        error: new SyncError('outcome-unknown', `Vercel's answer to the batch create for project ${projectId} neither created nor refused ${step.key}; EnvSync re-reads before trying again.`, {
          key: step.key,
          retryable: true,
        }),
      },
  );
}

function overlaps(record: ApiEnvRecord, step: CreateStep): boolean {
  const targets = step.item.target ?? [];
  const custom = step.item.customEnvironmentIds ?? [];
  if (targets.length === 0 && custom.length === 0) return true;
  return record.target.some((target) => targets.includes(target)) || (record.customEnvironmentIds ?? []).some((id) => custom.includes(id));
}

function toList(target: string | readonly string[] | null | undefined): readonly string[] {
  if (target === null || target === undefined) return [];
  return typeof target === 'string' ? [target] : target;
}
