import * as z from 'zod';
import { providerIdSchema } from '../../core/provider-id.ts';
import { syncReportSchema } from '../../core/report.ts';
import { historyEntrySchema } from '../../storage/history.ts';

/**
 * The response shapes of reviewed plans, rollback and the change history, as zod schemas: the
 * single source for the dashboard and the generated OpenAPI document. Key names, ops, contexts,
 * run ids and fingerprint prefixes only, never a value.
 */

/** A planned slot that changed since the dry-run, and why. */
export const movedSlotSchema = z.object({
  key: z.string(),
  /** `*` for providers without deploy contexts. */
  context: z.string(),
  why: z.enum(['target-changed', 'canonical-changed', 'plan-changed']),
});

/** The 409 answer of an apply by planId when the plan is stale: nothing was written. */
export const stalePlanResponseSchema = z.object({
  error: z.object({ code: z.literal('stale-plan'), message: z.string() }),
  moved: z.array(z.object({ provider: providerIdSchema, target: z.string(), slots: z.array(movedSlotSchema) })),
});

/**
 * What dry-run, apply and apply-all add to the usual sync answer: the stored plan's id (dry-run),
 * or the id of the reviewed plan that was applied. Every report carries it too (`planId`).
 */
export const planIdFieldSchema = z.object({ planId: z.string().optional() });

/** What a rollback does with one slot. */
export const rollbackSlotSchema = z.object({
  key: z.string(),
  context: z.string(),
  action: z.enum(['restore', 'recreate', 'remove', 'unchanged', 'changed-since', 'unrestorable']),
  why: z.string().optional(),
});

/** The answer of `POST envsync-rollback { runId }`: per target, each slot's action and the rollback run's report. */
export const rollbackResponseSchema = z.object({
  /** The rollback run's own runId (holds name it). */
  runId: z.string(),
  /** The run rolled back. */
  undoes: z.string(),
  mode: z.enum(['dry-run', 'enforce']),
  targets: z.array(
    z.object({
      provider: providerIdSchema,
      target: z.string(),
      /** Whether the restored slots are now held against later syncs. */
      held: z.boolean(),
      slots: z.array(rollbackSlotSchema),
      report: syncReportSchema,
    }),
  ),
});

/** The answer of `POST envsync-rollback { release }`. */
export const releaseResponseSchema = z.object({
  released: z.object({ provider: providerIdSchema, target: z.string(), rollbackRunId: z.string(), undoes: z.string(), keys: z.array(z.string()) }),
});

/** The answer of `GET envsync-history`. */
export const historyResponseSchema = z.object({
  key: z.string(),
  entries: z.array(historyEntrySchema),
  /** Pass as `?cursor=` for the next page; absent on the last one. */
  next: z.string().optional(),
});
