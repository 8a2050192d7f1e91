import * as z from 'zod';
import type { TargetRef } from '../core/ledger.ts';
import { SyncError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { providerIdSchema } from '../core/provider-id.ts';
import { historyLeaf, newestFirst, parseHistoryLeaf, parseTargetKey, targetPath } from './keys.ts';
import { mapConcurrent, parseStored, type BlobStore } from './store.ts';

/**
 * The change history: every change EnvSync made, for "who changed APP_DB_URL, when, and why?".
 *
 * One blob per run and target at `history/<provider>/<target>/<newest-first>-<runId>`, holding all
 * of that run's changes to the target: one write per target per run however many keys changed, and
 * old blobs of the target pruned (one list, a delete each) in the same call. Entries carry key
 * names, ops, contexts, the trigger and reason, and at most a 12-digit prefix of the HMAC
 * fingerprint of the written value, never a value.
 */

export const historyEntrySchema = z.object({
  at: z.iso.datetime(),
  runId: z.string(),
  provider: providerIdSchema,
  target: z.string(),
  key: z.string(),
  /** Omitted for providers without deploy contexts. */
  context: z.string().optional(),
  op: z.enum(['create', 'update', 'delete']),
  trigger: z.enum(['schedule', 'api', 'deploy', 'trigger', 'rollback']),
  reason: z.string().max(200).optional(),
  /** For deploy triggers: the deploy and the commit it built. */
  deployId: z.string().max(100).optional(),
  commit: z.string().max(100).optional(),
  /** For rollbacks: the run undone. */
  undoes: z.string().optional(),
  /** First 12 hex digits of the keyed fingerprint of the written value: equal prefixes, equal values. */
  fingerprint: z.string().regex(/^[0-9a-f]{12}$/).optional(),
});

/** One change in the history. */
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

const recordSchema = z.object({ version: z.literal(1), entries: z.array(historyEntrySchema) });

/** A history query. */
export interface HistoryQuery {
  readonly key: string;
  readonly target?: string;
  /** Only changes at or after this instant (epoch ms). */
  readonly sinceMs?: number;
  readonly limit: number;
  /** From a previous page's `next`. */
  readonly cursor?: string;
}

/** One page of the history, newest first. */
export interface HistoryPage {
  readonly entries: HistoryEntry[];
  /** Pass as `cursor` for the next page; absent on the last one. */
  readonly next?: string;
}

export interface HistoryStore {
  /** Appends one run's changes to one target, then prunes that target's entries older than `daysKept`. */
  append(target: TargetRef, runId: string, atMs: number, entries: readonly HistoryEntry[], daysKept: number): Promise<void>;
  query(query: HistoryQuery): Promise<HistoryPage>;
}

const prefix = 'history/';
const dayMs = 86_400_000;
/** Most blobs one query reads, so a rare key costs a bounded number of reads per page. */
export const maxBlobsPerPage = 200;

export function createHistoryStore(store: BlobStore, options: { readonly logger: Logger; readonly now: () => number }): HistoryStore {
  return {
    async append(target, runId, atMs, entries, daysKept) {
      if (entries.length === 0) return;
      const record = recordSchema.safeParse({ version: 1, entries });
      if (!record.success) throw new SyncError('internal', `Refusing to store malformed history entries (fields: ${record.error.issues.map((issue) => issue.path.join('.')).join(', ')}); this is a bug in the caller.`);
      const targetPrefix = `${prefix}${targetPath(target)}/`;
      await store.write(`${targetPrefix}${historyLeaf(atMs, runId)}`, record.data);
      const cutoff = newestFirst(options.now() - daysKept * dayMs);
      const expired = (await store.list(targetPrefix)).map((entry) => entry.key).filter((key) => {
        const leaf = parseHistoryLeaf(key.slice(targetPrefix.length));
        return leaf !== undefined && leaf.order > cutoff;
      });
      await mapConcurrent(expired, 4, (key) => store.delete(key));
    },

    async query(query) {
      const since = query.sinceMs === undefined ? undefined : newestFirst(query.sinceMs);
      // Newest first: the leaf's order, then the key for a stable order of one run's targets.
      const blobs = (await store.list(prefix))
        .map((entry) => ({ key: entry.key, parts: parseTargetKey(entry.key, prefix) }))
        .map((item) => ({ ...item, leaf: item.parts === undefined ? undefined : parseHistoryLeaf(item.parts.leaf) }))
        .filter((item) => item.parts !== undefined && item.leaf !== undefined && (query.target === undefined || item.parts.target === query.target))
        .filter((item) => since === undefined || (item.leaf?.order ?? '') <= since)
        .map((item) => ({ key: item.key, sort: `${item.leaf?.order ?? ''}\u0000${item.key}` }))
        .sort((a, b) => (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0));
      const start = query.cursor === undefined ? 0 : blobs.findIndex((blob) => blob.sort > decodeCursor(query.cursor ?? ''));
      if (start < 0) return { entries: [] };
      const entries: HistoryEntry[] = [];
      let index = start;
      while (index < blobs.length && entries.length < query.limit && index - start < maxBlobsPerPage) {
        const batch = blobs.slice(index, Math.min(index + 8, start + maxBlobsPerPage));
        const records = await mapConcurrent(batch, 8, async (blob) => {
          const stored = await store.read(blob.key);
          return stored && parseStored(recordSchema, stored, blob.key, options.logger);
        });
        for (const [offset, record] of records.entries()) {
          const matching = (record?.entries ?? []).filter((entry) => entry.key === query.key);
          // A run's changes to one key of one target go on one page together.
          if (entries.length > 0 && entries.length + matching.length > query.limit) return page(entries, blobs[index + offset - 1]?.sort);
          entries.push(...matching);
          if (entries.length >= query.limit) return page(entries, index + offset + 1 < blobs.length ? blobs[index + offset]?.sort : undefined);
        }
        index += batch.length;
      }
      return page(entries, index < blobs.length ? blobs[index - 1]?.sort : undefined);
    },
  };
}

function page(entries: HistoryEntry[], after: string | undefined): HistoryPage {
  return after === undefined ? { entries } : { entries, next: Buffer.from(after, 'utf8').toString('base64url') };
}

function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.includes('\u0000history/')) {
    throw new SyncError('bad-request', 'The history cursor is not one this endpoint returned; pass the `next` value of the previous page as is.');
  }
  return decoded;
}
