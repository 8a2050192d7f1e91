import { syncReportSchema, type SyncReport } from '../core/report.ts';
import { SyncError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { historyLeaf, keys, parseHistoryLeaf, parseTargetKey, timeOf } from './keys.ts';
import { mapConcurrent, parseStored, type BlobStore } from './store.ts';
import type { ReportQuery, ReportStore } from './types.ts';

/** Reports kept per target; older ones are deleted when a new one is saved. */
export const defaultReportsPerTarget = 50;
/** Default and largest `limit` of a listing. */
export const defaultReportLimit = 20;
export const maxReportLimit = 200;

/** Reads in flight at once when a listing fetches its reports. */
const readConcurrency = 16;

export interface ReportStoreOptions {
  readonly logger: Logger;
  /** Clock used only when a report's `startedAt` does not parse. */
  readonly now: () => number;
  /** @default {@link defaultReportsPerTarget} */
  readonly perTarget?: number;
}

/**
 * Sync report history on a {@link BlobStore}: one blob per report at
 * `reports/<provider>/<target>/<newest-first>-<runId>`.
 *
 * Requests: `save` is one write, one list of the target's reports and, once the history is full, one
 * delete. `list` is one list (of the target, the provider, or every report when unfiltered) plus one
 * read per report returned. A report that no longer validates is skipped and logged by key.
 */
export function createReportStore(store: BlobStore, options: ReportStoreOptions): ReportStore {
  const perTarget = options.perTarget ?? defaultReportsPerTarget;

  return {
    async save(report) {
      const parsed = syncReportSchema.safeParse(report);
      if (!parsed.success) {
        const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
        throw new SyncError('internal', `A sync report failed validation before being stored (fields: ${fields}); this is a bug in the engine.`);
      }
      const valid = parsed.data;
      const target = { provider: valid.provider, id: valid.target };
      const prefix = keys.reportsOf(target);
      await store.write(`${prefix}${historyLeaf(timeOf(valid.startedAt, options.now()), valid.runId)}`, valid);
      const history = (await store.list(prefix)).map((entry) => entry.key).sort();
      await Promise.all(history.slice(perTarget).map((key) => store.delete(key)));
    },

    async list(query: ReportQuery = {}) {
      const limit = clampLimit(query.limit);
      const prefix = query.provider === undefined ? keys.reports : keys.reportsOfProvider(query.provider);
      const newest = (await store.list(prefix))
        .flatMap((entry) => {
          const parts = parseTargetKey(entry.key, keys.reports);
          const leaf = parts && parseHistoryLeaf(parts.leaf);
          if (!parts || !leaf) return [];
          if (query.target !== undefined && parts.target !== query.target) return [];
          return [{ key: entry.key, order: `${leaf.order}/${entry.key}` }];
        })
        .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0))
        .slice(0, limit);
      const reports = await mapConcurrent(newest, readConcurrency, async ({ key }) => {
        const blob = await store.read(key);
        return blob && parseStored(syncReportSchema, blob, key, options.logger);
      });
      return reports.filter((report): report is SyncReport => report !== undefined);
    },
  };
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return defaultReportLimit;
  return Math.min(Math.max(Math.trunc(limit), 1), maxReportLimit);
}
