import { createHash } from 'node:crypto';
import { isInSync, isWaiting, type SyncReport } from '../core/report.ts';
import type { TicketKind } from './types.ts';

/**
 * What a report says about tickets, as pure functions: which ticket it raises per kind, and when it
 * clears the ones already open. `./tickets.ts` applies the answer to storage.
 */

/** The ticket a report raises, before it is merged with what storage already holds. */
export interface TicketDraft {
  readonly id: string;
  readonly kind: TicketKind;
  readonly keys: readonly string[];
  readonly codes: readonly string[];
  readonly summary: string;
}

/** Most key names spelled out in a summary; the full list is in `keys`. */
const keysInSummary = 10;
const maxSummaryLength = 500;

/**
 * A ticket id that depends only on target, kind and the sorted key set (plus the error codes for a
 * failure), so the same situation seen again lands on the same ticket and a different set of keys on
 * another one. A hash of key names, never of values.
 */
export function ticketId(provider: string, target: string, kind: TicketKind, keys: readonly string[], codes: readonly string[]): string {
  const identity = kind === 'failure' ? [...keys, '\u0001', ...codes] : keys;
  const hash = createHash('sha256').update([provider, target, kind, ...identity].join('\u0000')).digest('hex');
  return `${kind}-${hash.slice(0, 24)}`;
}

/** The kind a ticket id was made for (ids start with it). */
export function kindOfTicketId(id: string): TicketKind | undefined {
  if (id.startsWith('drift-')) return 'drift';
  if (id.startsWith('failure-')) return 'failure';
  return undefined;
}

/**
 * The drift ticket of a report: raised when changes were left pending (dry-run mode, a refused plan,
 * failed writes), and for differences that wait on purpose (slots a rollback holds, changes a
 * reviewed plan left for the next run): such a target is not in sync, and the ticket says why and
 * what to do. Keys are those keys, codes the pending ops and the waiting reasons (`held`,
 * `not-in-plan`).
 */
export function driftDraft(report: SyncReport): TicketDraft | undefined {
  const waiting = report.skipped.filter(isWaiting);
  if (report.pending.length === 0 && waiting.length === 0) return undefined;
  const keys = sortedUnique([...report.pending.map((change) => change.key), ...waiting.map((skip) => skip.key)]);
  const codes = sortedUnique([...report.pending.map((change) => change.op), ...waiting.map((skip) => skip.reason)]);
  const parts: string[] = [];
  const count = report.pending.length;
  if (count > 0) parts.push(`${count} change${count === 1 ? '' : 's'} left pending (${pendingReason(report)})`);
  const held = waiting.filter((skip) => skip.reason === 'held');
  if (held.length > 0) {
    const by = sortedUnique(held.flatMap((skip) => (skip.heldBy === undefined ? [] : [skip.heldBy])));
    parts.push(
      `${held.length} slot${held.length === 1 ? '' : 's'} held by rollback ${by.join(', ')} until the canonical value changes or the hold is released (POST envsync-rollback {"release": "${report.target}"})`,
    );
  }
  const later = waiting.length - held.length;
  if (later > 0) parts.push(`${later} change${later === 1 ? '' : 's'} not in the reviewed plan, left for the next run`);
  return {
    id: ticketId(report.provider, report.target, 'drift', keys, codes),
    kind: 'drift',
    keys,
    codes,
    summary: clip(`${parts.join('; ')}: ${listKeys(keys)}`),
  };
}

/**
 * The failure ticket of a report: raised when errors occurred (token discovery, provider or write
 * failures). Keys are the keys errors named, codes the error codes. Error messages are EnvSync's own
 * and name keys, never values.
 */
export function failureDraft(report: SyncReport): TicketDraft | undefined {
  const [first] = report.errors;
  if (first === undefined) return undefined;
  const keys = sortedUnique(report.errors.flatMap((error) => (error.key === undefined ? [] : [error.key])));
  const codes = sortedUnique(report.errors.map((error) => error.code));
  const count = report.errors.length;
  return {
    id: ticketId(report.provider, report.target, 'failure', keys, codes),
    kind: 'failure',
    keys,
    codes,
    summary: clip(`${count} error${count === 1 ? '' : 's'} (${codes.join(', ')}); first: ${first.message}`),
  };
}

/** The draft of each kind a report raises. */
export function draftsOf(report: SyncReport): Readonly<Record<TicketKind, TicketDraft | undefined>> {
  return { drift: driftDraft(report), failure: failureDraft(report) };
}

/**
 * Whether a report clears the open tickets of a kind it raises none of. A failure is over once a run
 * has no error. Drift is over only when the target is in sync: a run whose read failed has no pending
 * changes either, and that says nothing about drift.
 */
export function clears(kind: TicketKind, report: SyncReport): boolean {
  return kind === 'failure' ? report.errors.length === 0 : isInSync(report);
}

function pendingReason(report: SyncReport): string {
  if (report.mode === 'dry-run') return 'dry-run mode';
  if (report.refusal !== undefined) return `refused: ${report.refusal}`;
  return 'not applied after errors';
}

function listKeys(keys: readonly string[]): string {
  const shown = keys.slice(0, keysInSummary).join(', ');
  return keys.length > keysInSummary ? `${shown} and ${keys.length - keysInSummary} more` : shown;
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function clip(text: string): string {
  return text.length > maxSummaryLength ? `${text.slice(0, maxSummaryLength - 1)}…` : text;
}
