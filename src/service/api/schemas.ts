import * as z from 'zod';
import { syncReportSchema } from '../../core/report.ts';
import { errorCodes } from '../../errors.ts';
import { eventRecordSchema } from '../../events/types.ts';
import { providerIds } from '../../providers/index.ts';
import { runProgressSchema } from '../../storage/runs.ts';
import { ticketSchema } from '../../storage/tickets.ts';

/**
 * The zod schemas of every JSON body EnvSync's endpoints answer with. They are the source of
 * `docs/openapi.yaml` (`npm run openapi`), of the dashboard's types, and of the test that checks
 * real responses of the end-to-end suite against that document: a field added to a response but
 * not here fails that test, so the document cannot drift from the code.
 *
 * Objects are closed (`additionalProperties: false` in the document) on purpose, for that reason.
 */

/** Every failure: `{ error: { code, message } }`; the code decides the status (see responses.ts). */
export const errorBodySchema = z.object({
  error: z.object({ code: z.enum(errorCodes), message: z.string() }),
});

const tokenFoundSchema = z.object({ found: z.literal(true), source: z.string() });
const tokenMissingSchema = z.object({ found: z.literal(false), problem: z.string() });

/** What the last run that reached a target found there (health details name it when they know it). */
export const lastSyncSchema = z.object({
  runId: z.string(),
  at: z.string(),
  applied: z.boolean(),
  inSync: z.boolean(),
  errorCodes: z.array(z.string()),
});

/** One configured target as health describes it. */
export const healthTargetSchema = z.object({
  provider: z.enum(providerIds),
  id: z.string(),
  /** Where the provider's token was found, or why it was not: a source name, never a token. */
  token: z.union([tokenFoundSchema, tokenMissingSchema]),
  lastSync: lastSyncSchema.nullable().optional(),
});

/** A target a rollback holds, as health lists it. */
export const heldTargetSchema = z.object({
  /** A registered provider id (as stored with the hold). */
  provider: z.string(),
  target: z.string(),
  /** The rollback run holding the keys (release with POST envsync-rollback {"release": target}). */
  rollbackRunId: z.string(),
  /** The run the rollback undid. */
  undoes: z.string(),
  heldAt: z.string(),
  keys: z.array(z.string()),
});

/** One held target of health. */
export type HeldTarget = z.infer<typeof heldTargetSchema>;

/** The newest run as health summarises it. */
export const lastRunSchema = z.object({
  runId: z.string(),
  mode: z.enum(['dry-run', 'enforce']),
  startedAt: z.string(),
  /** When the run ended (kept by the run in the health record). */
  finishedAt: z.string().optional(),
  targets: z.number().int(),
  applied: z.number().int(),
  inSync: z.number().int(),
  withErrors: z.number().int(),
});

const healthStatus = z.enum(['ok', 'degraded', 'misconfigured']);

/** `GET envsync-health` with a token: the details, and the caller's role. */
export const healthDetailsSchema = z.object({
  name: z.literal('envsync'),
  version: z.string(),
  status: healthStatus.optional(),
  /** What the caller's token may do: a dashboard offers writes only to `write`. */
  role: z.enum(['read', 'write']).optional(),
  enabled: z.boolean(),
  mode: z.enum(['dry-run', 'enforce']),
  schedule: z.string(),
  apiTokenConfigured: z.boolean(),
  readTokenConfigured: z.boolean().optional(),
  canonical: z.union([z.object({ keys: z.number().int(), source: z.string() }), z.object({ keys: z.number().int(), problem: z.string() })]),
  targets: z.array(healthTargetSchema),
  storage: z.union([z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), problem: z.string() })]),
  lastRun: lastRunSchema.nullable(),
  openTickets: z.number().int().nullable(),
  /** Targets a rollback holds, with the held keys (names only); `null` when storage cannot be read. */
  holds: z.array(heldTargetSchema).nullable().optional(),
});

/** `GET envsync-health` without a token: only whether EnvSync is well. */
export const healthPublicSchema = z.object({
  name: z.literal('envsync'),
  version: z.string(),
  status: healthStatus,
  /** When misconfigured: the names (never the values) of the settings at fault, and what to do. */
  settings: z.array(z.string()).optional(),
  message: z.string().optional(),
});

/** Either answer of health. */
export const healthBodySchema = z.union([healthDetailsSchema, healthPublicSchema]);

/** The 202 answer of a run large enough to be handed to the background function. */
export const queuedBodySchema = z.object({
  runId: z.string(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  mode: z.enum(['dry-run', 'enforce']),
  targets: z.number().int(),
  /** The URL to poll: envsync-runs?runId=. */
  progress: z.string(),
  note: z.string().optional(),
});

/**
 * The 200 answer of dry-run, apply, apply-all and envsync-trigger: one report per target. This is
 * THE declared shape of a sync response: the endpoints answer it, the build plugin
 * (netlify/plugins/envsync, through JSDoc), the demo and the end-to-end tests read it with
 * {@link parseSyncBody}, and the dashboard and the OpenAPI document are built from it.
 */
export const syncBodyResponseSchema = z.object({
  /** A dry-run's stored plan (apply exactly it with `{ "planId" }`), or the reviewed plan an apply applied. */
  planId: z.string().optional(),
  runId: z.string(),
  mode: z.enum(['dry-run', 'enforce']),
  summary: z.object({ targets: z.number().int(), inSync: z.number().int(), pending: z.number().int(), withErrors: z.number().int() }),
  /** Why an apply only planned (ENVSYNC_MODE=dry-run). */
  note: z.string().optional(),
  /** Reports that could not be stored, and the like: the run itself happened. */
  warnings: z.array(z.string()).optional(),
  /** The targets this invocation's time could not fit, queued as a background run of their own. */
  handedOff: queuedBodySchema.optional(),
  results: z.array(syncReportSchema),
});

/** Reads a sync response (the 200 answer), checked against {@link syncBodyResponseSchema}. */
export function parseSyncBody(json: unknown): SyncBody {
  return syncBodyResponseSchema.parse(json);
}

/** `GET envsync-runs`: reports, newest first. */
export const runsBodySchema = z.object({ runs: z.array(syncReportSchema) });

/** `GET envsync-runs?runId=`: a background run's progress. */
export const progressBodySchema = z.object({ progress: runProgressSchema });

/** `GET envsync-tickets`. */
export const ticketsBodySchema = z.object({ tickets: z.array(ticketSchema) });

/** `GET envsync-events`: the events log, newest first, with each event's delivery outcomes. */
export const eventsBodySchema = z.object({ events: z.array(eventRecordSchema) });

/**
 * `GET envsync-vault?key=`: the one listed token asked for. The only answer of EnvSync that holds a
 * secret, by design: it is what another EnvSync's discovery chain reads, behind ENVSYNC_VAULT_TOKEN.
 */
export const vaultBodySchema = z.object({ key: z.string(), value: z.string() });

/** The health details the dashboard reads. */
export type HealthBody = z.infer<typeof healthDetailsSchema>;
/** One target of health. */
export type HealthTarget = z.infer<typeof healthTargetSchema>;
/** The answer of a finished sync request. */
export type SyncBody = z.infer<typeof syncBodyResponseSchema>;
/** The answer of a queued sync request. */
export type QueuedBody = z.infer<typeof queuedBodySchema>;
/** The error body every endpoint answers a failure with. */
export type ErrorBody = z.infer<typeof errorBodySchema>;
