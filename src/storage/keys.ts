import type { TargetRef } from '../core/ledger.ts';
import { SyncError } from '../errors.ts';
import { looksLikeProviderId } from '../core/provider-id.ts';

/**
 * The Blobs key layout, in one place (docs/storage.md describes it for readers). Every key lives in
 * one site store and starts with the kind of record, so a `list({ prefix })` reaches exactly one kind
 * and, below it, one provider and one target:
 *
 * | key | holds |
 * | --- | --- |
 * | `reports/<provider>/<target>/<newest-first>-<runId>` | one SyncReport |
 * | `tickets/open/<provider>/<target>/<ticketId>` | an open ticket |
 * | `tickets/resolved/<provider>/<target>/<newest-first>-<ticketId>` | a resolved ticket |
 * | `ledger/<provider>/<target>` | the target's ledger |
 * | `locks/<provider>/<target>` | the target's lease |
 * | `runs/<newest-first>-<runId>` | a background run's progress |
 * | `schedule/last-run` | when the scheduled sync last ran |
 * | `health/status` | the last run's summary and each target's last outcome and token source, for health |
 * | `events/<newest-first>/<type>/<provider>/<target>/<eventId>` | one event and its deliveries |
 * | `alerts/slack/<provider>/<target>` | the ticket ids announced in Slack for the target |
 * | `providers/<provider>/<name>` | a provider's memory between runs (Vercel: a project's custom environment ids) |
 *
 * `<newest-first>` is {@link newestFirst}: sorting keys as strings then lists the newest record
 * first, so "the latest N" costs one `list` and N reads, never a read of every record.
 */

/** The one store EnvSync uses, unless the caller names another. */
export const defaultStoreName = 'envsync';

/** Largest time {@link newestFirst} can invert: 2286-11-20, thirteen digits of milliseconds. */
const maxTimeMs = 9_999_999_999_999;
const timeWidth = String(maxTimeMs).length;

/**
 * A fixed-width decimal that sorts the later of two instants first as a string. Used as the start
 * of history keys so an ascending key sort is a newest-first time sort.
 */
export function newestFirst(timeMs: number): string {
  const clamped = Math.min(Math.max(Math.trunc(timeMs), 0), maxTimeMs);
  return String(maxTimeMs - clamped).padStart(timeWidth, '0');
}

/** Milliseconds of an ISO 8601 instant, or of `fallbackMs` when it does not parse. */
export function timeOf(iso: string, fallbackMs: number): number {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : fallbackMs;
}

/**
 * One path segment of a key, from an id we do not control (a service id, a site id, a run id).
 * Percent-encoded so that `/` cannot add a level and `.`/`..` cannot climb one (the local
 * BlobsServer maps keys to file paths).
 */
export function segment(value: string): string {
  if (value.length === 0) {
    throw new SyncError('internal', 'An empty id cannot be part of a Netlify Blobs key; this is a bug in the caller.');
  }
  return encodeURIComponent(value).replaceAll('.', '%2E');
}

/** Reverses {@link segment}. */
export function unsegment(value: string): string {
  return decodeURIComponent(value);
}

/** `<provider>/<target>`: the part every per-target key shares. */
export function targetPath(target: TargetRef): string {
  return `${target.provider}/${segment(target.id)}`;
}

/** A `<newest-first>-<id>` leaf split back into its parts, or `undefined` for a foreign key. */
export interface HistoryLeaf {
  readonly order: string;
  readonly id: string;
}

/** Builds the last segment of a history key. */
export function historyLeaf(timeMs: number, id: string): string {
  return `${newestFirst(timeMs)}-${segment(id)}`;
}

/** Parses the last segment of a history key. */
export function parseHistoryLeaf(leaf: string): HistoryLeaf | undefined {
  const match = /^(\d{13})-(.+)$/.exec(leaf);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { order: match[1], id: unsegment(match[2]) };
}

/** A key below `<kind>/` split into provider, target and leaf, or `undefined` when it has another shape. */
export interface TargetKeyParts {
  readonly provider: string;
  readonly target: string;
  readonly leaf: string;
}

/** Parses `<prefix><provider>/<target>/<leaf>`. */
export function parseTargetKey(key: string, prefix: string): TargetKeyParts | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const parts = key.slice(prefix.length).split('/');
  const [provider, target, leaf] = parts;
  if (parts.length !== 3 || provider === undefined || target === undefined || leaf === undefined) return undefined;
  if (!looksLikeProviderId(provider)) return undefined;
  return { provider, target: unsegment(target), leaf };
}

/** Key prefixes and keys of every record kind. */
export const keys = {
  reports: 'reports/',
  reportsOf: (target: TargetRef) => `reports/${targetPath(target)}/`,
  reportsOfProvider: (provider: string) => `reports/${provider}/`,
  openTickets: 'tickets/open/',
  resolvedTickets: 'tickets/resolved/',
  ledger: (target: TargetRef) => `ledger/${targetPath(target)}`,
  lock: (target: TargetRef) => `locks/${targetPath(target)}`,
  runs: 'runs/',
  lastScheduledRun: 'schedule/last-run',
  health: 'health/status',
  events: 'events/',
  slackAlerts: (target: TargetRef) => `alerts/slack/${targetPath(target)}`,
  providerMemory: (provider: string, name: string) => `providers/${provider}/${segment(name)}`,
} as const;
