import * as z from 'zod';
import { runTriggers } from '../core/trigger.ts';
import { errorCodes } from '../errors.ts';
import { providerIdSchema } from '../core/provider-id.ts';

/**
 * The events EnvSync sends out (webhooks, Slack) and keeps (the events log), as zod schemas: the
 * source of truth for the payload receivers get and for records read back from Blobs. An event
 * carries key names, counts and codes, never a variable's value or a token.
 */

/** Every event type, as receivers and `?type=` name them. */
export const eventTypes = ['ENVSYNC_DRIFT_DETECTED', 'ENVSYNC_COMPLETE', 'ENVSYNC_FAILED'] as const;
export type EventType = (typeof eventTypes)[number];

/**
 * How a target's sync ended:
 * `in-sync` nothing to do; `applied` changes written, now in sync; `partial` some written, some
 * left pending or failed; `planned` dry-run with differences; `refused` a plan blocked by the
 * deletion guard; `failed` nothing could be done (discovery, read or every write failed);
 * `busy` another run held the target's lock, nothing was read or written;
 * `held` nothing failed or is pending, but a rollback holds some slots at their restored value.
 */
export const outcomes = ['in-sync', 'applied', 'partial', 'planned', 'refused', 'failed', 'busy', 'held'] as const;
export type Outcome = (typeof outcomes)[number];

/** Most key names one event lists; `keyCount` has the full number. */
export const maxEventKeys = 100;

export const eventSchema = z.object({
  /** Unique per event: receivers deduplicate on it (also sent as X-EnvSync-Event-Id). */
  id: z.string(),
  type: z.enum(eventTypes),
  runId: z.string(),
  provider: providerIdSchema,
  target: z.string(),
  trigger: z.enum(runTriggers),
  /** The caller's reason for the run (envsync-trigger), when one was given. */
  reason: z.string().max(200).optional(),
  mode: z.enum(['dry-run', 'enforce']),
  outcome: z.enum(outcomes),
  counts: z.object({
    create: z.number(),
    update: z.number(),
    delete: z.number(),
    noop: z.number(),
    pending: z.number(),
    skipped: z.number(),
    errors: z.number(),
  }),
  /**
   * Key names the event is about: pending keys (drift), keys changed or pending (complete), keys
   * named by errors (failed). Sorted, at most {@link maxEventKeys}.
   */
  keys: z.array(z.string()).max(maxEventKeys),
  keyCount: z.number(),
  errorCodes: z.array(z.enum(errorCodes)),
  /** Where the provider token came from, e.g. `vault:RENDER_API_TOKEN`. */
  tokenSource: z.string().optional(),
  /** When the event was made (ISO 8601). */
  at: z.string(),
});

/** One event, as sent and as kept. */
export type EnvSyncEvent = z.infer<typeof eventSchema>;

/** Where an event was sent, without anything secret in a URL (Slack's path is the credential). */
export const deliverySchema = z.object({
  /** `webhook` (with its position in ENVSYNC_WEBHOOK_URLS, from 1) or `slack`. */
  destination: z.enum(['webhook', 'slack']),
  index: z.number().optional(),
  /** The receiver's host name only. */
  host: z.string(),
  ok: z.boolean(),
  /** The last HTTP status received, when there was a response. */
  status: z.number().optional(),
  attempts: z.number(),
  /** Why it did not succeed: `timeout`, `network`, `redirect` (never followed), `http`, `time-bound` (not tried: the run's delivery time was used up). */
  error: z.enum(['timeout', 'network', 'redirect', 'http', 'time-bound']).optional(),
});

/** The outcome of sending one event to one destination. */
export type Delivery = z.infer<typeof deliverySchema>;

/** An events log record: the event and how its delivery went. */
export const eventRecordSchema = eventSchema.extend({ deliveries: z.array(deliverySchema) });
export type EventRecord = z.infer<typeof eventRecordSchema>;
