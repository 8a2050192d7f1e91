import * as z from 'zod';
import { maxReasonLength, runTriggers } from '../core/trigger.ts';
import { SyncError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { historyLeaf, keys, parseHistoryLeaf, timeOf } from './keys.ts';
import { parseStored, type BlobStore } from './store.ts';
import type { RunProgress, RunStateStore } from './types.ts';

/** Background run records kept; older ones are deleted when a run finishes. */
export const defaultRunsKept = 100;

/** A background run's progress, as the runs endpoint returns it for ?runId=. */
export const runProgressSchema: z.ZodType<RunProgress> = z.object({
  runId: z.string(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  mode: z.enum(['dry-run', 'enforce']),
  pending: z.array(z.string()),
  done: z.array(z.string()),
  startedAt: z.string(),
  updatedAt: z.string(),
  error: z.string().exactOptional(),
  leaseId: z.string().exactOptional(),
  leaseExpiresAt: z.string().exactOptional(),
  trigger: z.enum(runTriggers).exactOptional(),
  reason: z.string().max(maxReasonLength).exactOptional(),
  keys: z.array(z.string()).exactOptional(),
});

const lastScheduledRunSchema = z.object({ lastRunAt: z.iso.datetime() });

/**
 * Background run progress and the scheduler's memory on a {@link BlobStore}.
 *
 * Progress lives at `runs/<newest-first>-<runId>` (ordered by `startedAt`, which must stay the same
 * across the saves of one run), so finished runs can be pruned oldest first from the keys alone.
 * Requests: `saveProgress` is one write, plus one list and the deletes beyond {@link defaultRunsKept}
 * when the run is done or failed; `getProgress` is one list and one read; `claim` one list, one read
 * and, when the run is claimable, one conditional write. The last scheduled run is one
 * blob at `schedule/last-run`: one read, one write.
 */
export function createRunStateStore(store: BlobStore, options: { readonly logger: Logger; readonly now: () => number; readonly kept?: number }): RunStateStore {
  const kept = options.kept ?? defaultRunsKept;
  const runKeys = async () => (await store.list(keys.runs)).map((entry) => entry.key).filter((key) => leafOf(key) !== undefined).sort();

  return {
    async saveProgress(progress) {
      await store.write(`${keys.runs}${historyLeaf(timeOf(progress.startedAt, options.now()), progress.runId)}`, progress);
      if (progress.status !== 'done' && progress.status !== 'failed') return;
      await Promise.all((await runKeys()).slice(kept).map((key) => store.delete(key)));
    },

    async getProgress(runId) {
      const key = (await runKeys()).find((candidate) => leafOf(candidate)?.id === runId);
      const blob = key === undefined ? undefined : await store.read(key);
      return blob && key !== undefined ? parseStored(runProgressSchema, blob, key, options.logger) : undefined;
    },

    async claim(runId, leaseId, ttlMs) {
      const entry = (await store.list(keys.runs)).find((candidate) => leafOf(candidate.key)?.id === runId);
      const blob = entry === undefined ? undefined : await store.read(entry.key);
      const current = blob && entry !== undefined ? parseStored(runProgressSchema, blob, entry.key, options.logger) : undefined;
      if (entry === undefined || current === undefined) return { outcome: 'not-found' };
      if (current.status === 'done' || current.status === 'failed') return { outcome: 'finished', progress: current };
      const now = options.now();
      const held = current.status === 'running' && (current.leaseExpiresAt === undefined || Date.parse(current.leaseExpiresAt) > now);
      if (held) return { outcome: 'busy', progress: current };
      const claimed: RunProgress = {
        ...current,
        status: 'running',
        leaseId,
        leaseExpiresAt: new Date(now + ttlMs).toISOString(),
        updatedAt: new Date(now).toISOString(),
      };
      const written = await store.write(entry.key, claimed, { onlyIfMatch: entry.etag });
      return written.modified ? { outcome: 'claimed', progress: claimed } : { outcome: 'busy', progress: current };
    },

    async lastScheduledRun() {
      const blob = await store.read(keys.lastScheduledRun);
      return blob && parseStored(lastScheduledRunSchema, blob, keys.lastScheduledRun, options.logger)?.lastRunAt;
    },

    async markScheduledRun(at) {
      const record = lastScheduledRunSchema.safeParse({ lastRunAt: at });
      if (!record.success) {
        throw new SyncError('internal', 'The last scheduled run time must be an ISO 8601 UTC instant (Date#toISOString); this is a bug in the caller.');
      }
      await store.write(keys.lastScheduledRun, record.data);
    },
  };
}

function leafOf(key: string) {
  const leaf = key.slice(keys.runs.length);
  return key.startsWith(keys.runs) && !leaf.includes('/') ? parseHistoryLeaf(leaf) : undefined;
}
