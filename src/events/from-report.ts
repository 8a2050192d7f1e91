import { randomUUID } from 'node:crypto';
import { isWaiting, type SyncReport } from '../core/report.ts';
import type { RunTrigger } from '../core/trigger.ts';
import { maxEventKeys, type EnvSyncEvent, type EventType, type Outcome } from './types.ts';

/** What a run says about itself, the same for all its events. */
export interface RunMeta {
  readonly trigger: RunTrigger;
  readonly reason?: string;
}

/** Whether a report only says the target was busy (same rule as the run history's). */
function isBusy(report: SyncReport): boolean {
  return report.rounds === 0 && report.errors.length > 0 && report.errors.every((error) => error.code === 'conflict');
}

/** How a target's sync ended, from its report. */
export function outcomeOf(report: SyncReport): Outcome {
  if (isBusy(report)) return 'busy';
  if (report.refusal !== undefined) return 'refused';
  const troubled = report.pending.length > 0 || report.errors.length > 0;
  // Held by a rollback: not equal to the canonical set, on purpose (health and tickets say so too).
  if (!troubled && report.skipped.some((skip) => skip.reason === 'held')) return 'held';
  if (report.applied) return troubled ? 'partial' : 'applied';
  if (report.mode === 'dry-run' && report.pending.length > 0) return 'planned';
  if (report.errors.length > 0) return 'failed';
  return report.pending.length > 0 ? 'partial' : 'in-sync';
}

/**
 * The events of one target's report: always ENVSYNC_COMPLETE; ENVSYNC_DRIFT_DETECTED as well when
 * changes were left pending (dry-run, refused or not applied); ENVSYNC_FAILED as well when errors
 * occurred (token discovery, reads, writes). A busy target has only its COMPLETE (outcome `busy`):
 * nothing was looked at, so nothing drifted or failed.
 */
export function eventsOfReport(report: SyncReport, meta: RunMeta, at: string, newId: () => string = randomUUID): EnvSyncEvent[] {
  const outcome = outcomeOf(report);
  const pendingKeys = report.pending.map((change) => change.key);
  const waitingKeys = report.skipped.filter(isWaiting).map((skip) => skip.key);
  const changedKeys = report.changes.filter((change) => change.op !== 'noop').map((change) => change.key);
  const errorKeys = report.errors.flatMap((error) => (error.key === undefined ? [] : [error.key]));
  const make = (type: EventType, keys: readonly string[]): EnvSyncEvent => {
    const sorted = [...new Set(keys)].sort();
    return {
      id: newId(),
      type,
      runId: report.runId,
      provider: report.provider,
      target: report.target,
      trigger: meta.trigger,
      ...(meta.reason === undefined ? {} : { reason: meta.reason }),
      mode: report.mode,
      outcome,
      counts: {
        ...report.summary,
        pending: report.pending.length,
        skipped: report.skipped.length,
        errors: report.errors.length,
      },
      keys: sorted.slice(0, maxEventKeys),
      keyCount: sorted.length,
      errorCodes: [...new Set(report.errors.map((error) => error.code))].sort(),
      ...(report.tokenSource === undefined ? {} : { tokenSource: report.tokenSource }),
      at,
    };
  };
  const events: EnvSyncEvent[] = [];
  if (outcome !== 'busy' && report.pending.length > 0) events.push(make('ENVSYNC_DRIFT_DETECTED', pendingKeys));
  events.push(make('ENVSYNC_COMPLETE', [...changedKeys, ...pendingKeys, ...waitingKeys]));
  if (outcome !== 'busy' && report.errors.length > 0) events.push(make('ENVSYNC_FAILED', errorKeys));
  return events;
}
