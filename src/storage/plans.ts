import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { PlannedSlot, SlotState } from '../core/reviewed-plan.ts';
import { SyncError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { providerIdSchema } from '../core/provider-id.ts';
import { mapConcurrent, parseStored, type BlobStore } from './store.ts';

/**
 * Reviewed plans on a {@link BlobStore}: one blob per dry-run at `plans/<planId>`, holding every
 * target's planned slots with fingerprints, never a value.
 *
 * The planId holds the plan's expiry (`plan-<expiry ms>-<random>`), so expired plans are found from
 * the key listing alone and pruned without reading them, whatever ENVSYNC_PLAN_TTL was when each
 * was made. Requests: `save` is one write,
 * one list and a delete per expired plan; `get` is one read.
 */

const fingerprint = z.string().regex(/^[0-9a-f]{64}$/, 'expected a 64-digit hex fingerprint');

const slotStateSchema: z.ZodType<SlotState> = z.discriminatedUnion('state', [
  z.object({ state: z.literal('absent') }),
  z.object({ state: z.literal('value'), fingerprint, secret: z.boolean() }),
  z.object({ state: z.literal('hidden'), secret: z.boolean(), updatedAt: z.string().max(64).exactOptional() }),
]);

const plannedSlotSchema: z.ZodType<PlannedSlot> = z.object({
  op: z.enum(['create', 'update', 'delete']),
  key: z.string(),
  context: z.string(),
  secret: z.boolean(),
  remote: slotStateSchema,
  desired: fingerprint.nullable(),
});

/** The planned slots of one target. */
export const targetPlanSchema = z.object({
  provider: providerIdSchema,
  target: z.string(),
  slots: z.array(plannedSlotSchema),
});

/** A stored reviewed plan. */
export const storedPlanSchema = z.object({
  version: z.literal(1),
  planId: z.string(),
  /** The dry-run that made it. */
  runId: z.string(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  targets: z.array(targetPlanSchema),
});

/** A reviewed plan as stored. */
export type StoredPlan = z.infer<typeof storedPlanSchema>;
/** The planned slots of one target. */
export type TargetPlan = z.infer<typeof targetPlanSchema>;

/** Reviewed plans, saved by dry-runs and read back by applies that name a planId. */
export interface PlanStore {
  /** A fresh planId for a plan expiring at `expiresAtMs`. */
  newPlanId(expiresAtMs: number): string;
  /** Saves a plan and prunes expired ones. */
  save(plan: StoredPlan): Promise<void>;
  /** The plan, or `undefined` when it is unknown or expired. */
  get(planId: string): Promise<StoredPlan | undefined>;
}

/** What a planId looks like: `plan-<13-digit expiry ms>-<8 hex>`. */
export const planIdPattern = /^plan-(\d{13})-([0-9a-f]{8})$/;

const prefix = 'plans/';

/** Creates the plan store. */
export function createPlanStore(store: BlobStore, options: { readonly logger: Logger; readonly now: () => number }): PlanStore {
  return {
    newPlanId(expiresAtMs) {
      return `plan-${String(Math.trunc(expiresAtMs)).padStart(13, '0')}-${randomUUID().replaceAll('-', '').slice(0, 8)}`;
    },

    async save(plan) {
      const checked = storedPlanSchema.safeParse(plan);
      if (!checked.success || !planIdPattern.test(plan.planId)) {
        // A "fingerprint" that is not one might be a value: refuse to store it.
        const fields = checked.success ? 'planId' : checked.error.issues.map((issue) => issue.path.join('.')).join(', ');
        throw new SyncError('internal', `Refusing to store a malformed plan (fields: ${fields}); this is a bug in the caller.`);
      }
      await store.write(`${prefix}${plan.planId}`, checked.data);
      const now = options.now();
      const expired = (await store.list(prefix))
        .map((entry) => entry.key)
        .filter((key) => {
          const expiry = planIdPattern.exec(key.slice(prefix.length))?.[1];
          return expiry !== undefined && Number(expiry) <= now;
        });
      await mapConcurrent(expired, 4, (key) => store.delete(key));
    },

    async get(planId) {
      if (!planIdPattern.test(planId)) return undefined;
      const key = `${prefix}${planId}`;
      const blob = await store.read(key);
      const plan = blob && parseStored(storedPlanSchema, blob, key, options.logger);
      if (plan === undefined) return undefined;
      return Date.parse(plan.expiresAt) <= options.now() ? undefined : plan;
    },
  };
}

/** The targets of a plan for one provider. */
export function planTargetsOf(plan: StoredPlan, provider: string): string[] {
  return plan.targets.filter((target) => target.provider === provider).map((target) => target.target);
}
