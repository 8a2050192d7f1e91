import * as z from 'zod';
import { errorCodes } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { providerIdSchema } from '../core/provider-id.ts';
import { keys } from './keys.ts';
import { parseStored, type BlobStore } from './store.ts';
import type { HealthRecord, HealthStore, TargetHealth } from './types.ts';

const tokenSchema = z.union([
  z.object({ found: z.literal(true), source: z.string() }),
  z.object({ found: z.literal(false), problem: z.string() }),
]);

const targetHealthSchema: z.ZodType<TargetHealth> = z.object({
  provider: providerIdSchema,
  id: z.string(),
  runId: z.string(),
  checkedAt: z.string(),
  applied: z.boolean(),
  inSync: z.boolean(),
  errorCodes: z.array(z.enum(errorCodes)),
  token: tokenSchema,
});

const healthRecordSchema: z.ZodType<HealthRecord> = z.object({
  version: z.literal(1),
  lastRun: z
    .object({
      runId: z.string(),
      mode: z.enum(['dry-run', 'enforce']),
      startedAt: z.string(),
      finishedAt: z.string(),
      targets: z.number(),
      applied: z.number(),
      inSync: z.number(),
      withErrors: z.number(),
    })
    .nullable(),
  targets: z.array(targetHealthSchema),
});

/**
 * What health shows, kept by the runs in one blob (`health/status`), so the public health answer
 * costs exactly one Blobs read and never a provider, vault or dashboard request: the last run's
 * summary and, per target, the outcome and token discovery of the last run that reached it.
 *
 * Requests: `read` is one read; `recordRun` one read and one write (it merges, so a run over one
 * provider keeps the other provider's targets). Two runs finishing at the same instant may lose one
 * merge; the next run of that target repairs it, and no sync decision depends on this record.
 */
export function createHealthStore(store: BlobStore, options: { readonly logger: Logger }): HealthStore {
  const read = async (): Promise<HealthRecord | undefined> => {
    const blob = await store.read(keys.health);
    return blob && parseStored(healthRecordSchema, blob, keys.health, options.logger);
  };
  return {
    read,
    async recordRun(run) {
      const previous = await read();
      const fresh = new Set(run.targets.map((target) => `${target.provider}:${target.id}`));
      const kept = (previous?.targets ?? []).filter((target) => !fresh.has(`${target.provider}:${target.id}`));
      const record: HealthRecord = { version: 1, lastRun: run.summary, targets: [...kept, ...run.targets] };
      await store.write(keys.health, healthRecordSchema.parse(record));
    },
  };
}
