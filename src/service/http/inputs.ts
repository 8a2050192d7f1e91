import * as z from 'zod';
import { SyncError } from '../../errors.ts';
import { maxReasonLength } from '../../core/trigger.ts';
import { eventTypes } from '../../events/types.ts';
import { providerIds } from '../../providers/index.ts';
import { validate } from './body.ts';

/**
 * The zod schemas of everything a caller sends: bodies and query strings. Strict objects, so a
 * misspelt option (`traget`) is a 400 naming it rather than silently ignored.
 */

const targetId = z
  .string()
  .min(1)
  .max(200)
  // `:` for Render env groups, whose target ids read `env-group:evg-...`.
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'expected a target id: a service, site or project id, or env-group:<id> (letters, digits, ., _, : and -)');

/** A planId as a dry-run returns it; anything else of this shape that is not stored is a 404. */
export const planIdInput = z.string().min(1).max(100).regex(/^[A-Za-z0-9-]+$/, 'expected a planId as returned by a dry-run');

/** Body of dry-run, apply and apply-all: optionally one target; for the applies, optionally a reviewed plan. */
export const syncBodySchema = z.strictObject({ target: targetId.optional(), planId: planIdInput.optional() });

const syncQuerySchema = z.strictObject({ target: targetId.optional(), provider: z.string().optional() });

/** Query of envsync-runs. */
export const runsQuerySchema = z.strictObject({
  provider: z.enum(providerIds).optional(),
  target: targetId.optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  runId: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'expected a run id as returned by apply-all').optional(),
});

/** Query of envsync-tickets. */
export const ticketsQuerySchema = z.strictObject({
  status: z.enum(['open', 'resolved']).optional(),
  provider: z.enum(providerIds).optional(),
  target: targetId.optional(),
});

/** Query of envsync-events: `?type=` a comma-separated list of event types, `?target=`, `?limit=` (1-200). */
export const eventsQuerySchema = z.strictObject({
  type: z
    .string()
    .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''))
    .pipe(z.array(z.enum(eventTypes, { error: `expected event types from: ${eventTypes.join(', ')}` })))
    .optional(),
  target: targetId.optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

const triggerKey = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,199}$/, 'expected variable names');
const triggerReason = z.string().trim().max(maxReasonLength, `expected at most ${maxReasonLength} characters`).optional();

/** Trigger types envsync-trigger accepts. */
export const triggerTypes = ['SECRET_ROTATED', 'EMERGENCY_SYNC'] as const;

/**
 * Body of envsync-trigger: `{ "type": "SECRET_ROTATED", "keys": [...], "reason"? }` or
 * `{ "type": "EMERGENCY_SYNC", "reason"? }`.
 */
export const triggerBodySchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('SECRET_ROTATED'), keys: z.array(triggerKey).min(1, 'expected at least one key').max(100, 'expected at most 100 keys'), reason: triggerReason }),
    z.strictObject({ type: z.literal('EMERGENCY_SYNC'), reason: triggerReason }),
  ],
  { error: `expected "type" to be one of ${triggerTypes.join(', ')}` },
);

/** Body the background function receives from a fan-out. */
/** `?key=` of envsync-vault: one variable name. */
export const vaultQuerySchema = z.strictObject({
  key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,199}$/, 'expected a variable name, e.g. ?key=RENDER_API_TOKEN'),
});

export const backgroundBodySchema = z.strictObject({ runId: z.string().regex(/^[A-Za-z0-9-]{1,100}$/) });

/** The query string of a request as a plain object, for a strict schema. A repeated name is a 400. */
export function queryOf<T>(request: Request, schema: z.ZodType<T>): T {
  const params = new URL(request.url).searchParams;
  const query: Record<string, string> = {};
  for (const [name, value] of params) {
    if (name in query) throw new SyncError('bad-request', `Query parameter "${name.slice(0, 40)}" is given twice; give it once.`);
    query[name] = value;
  }
  return validate(schema, query, 'query string');
}

/**
 * The one target a sync request names, from the body or `?target=`, or `undefined` for all. Both
 * may be given only if they agree.
 */
export function requestedTarget(request: Request, body: z.infer<typeof syncBodySchema>): string | undefined {
  const query = queryOf(request, syncQuerySchema);
  if (body.target !== undefined && query.target !== undefined && body.target !== query.target) {
    throw new SyncError('bad-request', `The body names target ${body.target} but ?target= names ${query.target}. Name one target.`);
  }
  return body.target ?? query.target;
}
