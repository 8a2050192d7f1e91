import * as z from 'zod';
import { errorCodes } from '../errors.ts';
import { providerIdSchema } from './provider-id.ts';
import { planOps } from './plan.ts';

/**
 * The result of syncing (or planning) one target: what the HTTP endpoints return, what Blobs keeps
 * as history, and what tickets are made from. Key names, counts and codes only, never a value.
 *
 * The zod schema is the source of truth so that reports read back from Blobs are validated, not
 * trusted.
 */

const changeSchema = z.object({
  op: z.enum(planOps),
  key: z.string(),
  /** Omitted for providers without deploy contexts. */
  context: z.string().optional(),
  reason: z.enum(['value-differs', 'drift', 'unverifiable', 'secret-flag']).optional(),
});

const skippedSchema = z.object({
  op: z.enum(['create', 'update', 'delete']),
  key: z.string(),
  context: z.string().optional(),
  reason: z.enum(['deletions-disabled', 'not-owned', 'modified-since-written', 'empty-value', 'held-by-provider', 'not-in-plan', 'held']),
  /** For `held-by-provider`: the provider's reason (`integration-managed`, `branch-specific`, ...). */
  detail: z.string().optional(),
  /** For `held`: the runId of the rollback holding the slot. */
  heldBy: z.string().optional(),
});

const warningSchema = z.object({
  code: z.string(),
  key: z.string().optional(),
  context: z.string().optional(),
  message: z.string(),
});

const errorSchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
  key: z.string().optional(),
});

export const syncReportSchema = z.object({
  runId: z.string(),
  provider: providerIdSchema,
  target: z.string(),
  mode: z.enum(['dry-run', 'enforce']),
  /** Whether changes were sent to the provider (false in dry-run, when refused, or when nothing changed). */
  applied: z.boolean(),
  /** Why nothing was applied although the mode is enforce (refused plan), when that happened. */
  refusal: z.string().optional(),
  /**
   * Per op: what was done (enforce) or would be done (dry-run). `noop` counts (key, context) pairs
   * already in sync.
   */
  summary: z.object({ create: z.number(), update: z.number(), delete: z.number(), noop: z.number() }),
  /** Done (enforce) or planned (dry-run) operations, noops included. */
  changes: z.array(changeSchema),
  /** Differences deliberately left alone (deletions disabled, not owned, modified since written, empty values). */
  skipped: z.array(skippedSchema),
  /** Planned changes still not applied at the end (failed, refused or dry-run): what a drift ticket lists. */
  pending: z.array(changeSchema),
  errors: z.array(errorSchema),
  /** What the provider's preflight found before writing (reserved names, size limits); absent when nothing. */
  warnings: z.array(warningSchema).optional(),
  /** The stored plan of a dry-run (apply it with `{ "planId": ... }`), or the reviewed plan an apply carried out. */
  planId: z.string().optional(),
  /** For a rollback run: the run it undoes, and the slots it left alone (changed since, or never readable). */
  rollback: z
    .object({
      undoes: z.string(),
      changedSince: z.array(z.object({ key: z.string(), context: z.string(), why: z.string().optional() })),
      unrestorable: z.array(z.object({ key: z.string(), context: z.string(), why: z.string().optional() })),
    })
    .optional(),
  /** Where the token came from, e.g. `env:RENDER_API_TOKEN`; absent when discovery failed. */
  tokenSource: z.string().optional(),
  /** Redeploy or rebuild requested after the changes (ENVSYNC_REDEPLOY). */
  redeploy: z.enum(['triggered', 'failed', 'not-needed', 'disabled']),
  /** Read, plan, apply rounds used; more than one when a retryable failure made the engine re-read. */
  rounds: z.number(),
  startedAt: z.string(),
  durationMs: z.number(),
});

/** The result of syncing or planning one target. */
export type SyncReport = z.infer<typeof syncReportSchema>;
/** One change line of a report. */
export type ReportChange = z.infer<typeof changeSchema>;

/** Whether a report found the target equal to the canonical set, with nothing pending and no error. */
export function isInSync(report: SyncReport): boolean {
  return report.pending.length === 0 && report.errors.length === 0 && !report.skipped.some(isWaiting);
}

/**
 * Whether a skipped difference still stands between the target and the canonical set on purpose:
 * held by a rollback, or left for the next run by a reviewed plan. Such a target is not in sync.
 */
export function isWaiting(skip: { readonly reason: string }): boolean {
  return skip.reason === 'held' || skip.reason === 'not-in-plan';
}
