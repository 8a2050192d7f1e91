import type { ProviderMemory } from '../core/adapter.ts';
import type { Ledger, TargetRef } from '../core/ledger.ts';
import type { RunTrigger } from '../core/trigger.ts';
import type { SyncReport } from '../core/report.ts';
import type { ErrorCode } from '../errors.ts';
import type { EventRecord, EventType } from '../events/types.ts';
import type { HistoryStore } from './history.ts';
import type { HoldStore } from './holds.ts';
import type { PlanStore } from './plans.ts';
import type { SnapshotStore } from './snapshots.ts';

/**
 * What EnvSync keeps between invocations, as interfaces. `./blobs.ts` implements them on Netlify
 * Blobs (the only file that imports `@netlify/blobs`); everything else depends on these types.
 * Nothing stored holds a variable value: reports and tickets carry key names, the ledger keyed
 * fingerprints.
 */

/** Filters for listing reports. */
export interface ReportQuery {
  readonly provider?: string;
  readonly target?: string;
  /** At most this many, newest first. @default 20 */
  readonly limit?: number;
}

/** History of sync reports, pruned to a bounded number per target. */
export interface ReportStore {
  save(report: SyncReport): Promise<void>;
  /** Newest first. */
  list(query?: ReportQuery): Promise<SyncReport[]>;
}

export const ticketKinds = ['drift', 'failure'] as const;
export type TicketKind = (typeof ticketKinds)[number];

/** A drift or failure ticket: one per (target, kind, set of keys or error codes). */
export interface Ticket {
  readonly id: string;
  readonly provider: string;
  readonly target: string;
  readonly kind: TicketKind;
  readonly status: 'open' | 'resolved';
  /** Key names involved (drift) or affected by the failure. */
  readonly keys: readonly string[];
  /** Error codes (failure) or change ops (drift), for a quick read. */
  readonly codes: readonly string[];
  /** A short human summary; key names only. */
  readonly summary: string;
  readonly occurrences: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly lastRunId: string;
  readonly resolvedAt?: string;
}

/** Tickets, kept up to date from each report. */
export interface TicketStore {
  /**
   * Opens, updates or resolves tickets for the report's target: a drift ticket when changes were
   * left pending, a failure ticket when errors occurred; the same target, kind and keys update
   * one ticket (occurrences, lastSeen); a report in sync resolves the target's open tickets.
   */
  recordReport(report: SyncReport): Promise<void>;
  list(query?: { readonly status?: 'open' | 'resolved'; readonly provider?: string; readonly target?: string }): Promise<Ticket[]>;
}

/** A held lock on one target. */
export interface Lease {
  readonly target: TargetRef;
  readonly holder: string;
  readonly expiresAt: string;
}

/**
 * Per-target locks, so the schedule, manual applies and the post-deploy hook never write one
 * target at the same time. A lease expires on its own after the longest function budget, so a
 * crashed holder does not block a target for ever.
 */
export interface LockStore {
  /** Takes the lock, or returns `undefined` when someone else holds a live lease. */
  acquire(target: TargetRef, holder: string, ttlMs: number): Promise<Lease | undefined>;
  /** Releases a lease this holder owns; a lease taken over by someone else is left alone. */
  release(lease: Lease): Promise<void>;
}

/** Progress of a run fanned out to a background function (apply-all over a fleet). */
export interface RunProgress {
  readonly runId: string;
  readonly status: 'queued' | 'running' | 'done' | 'failed';
  readonly mode: 'dry-run' | 'enforce';
  /** Targets still to do, as `provider:id`. */
  readonly pending: readonly string[];
  /** Targets done, as `provider:id`. */
  readonly done: readonly string[];
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly error?: string;
  /** The background invocation running it (a random id per invocation), once claimed. */
  readonly leaseId?: string;
  /** Until when that invocation's claim holds; renewed with each progress save. */
  readonly leaseExpiresAt?: string;
  /** What started the run (absent in records from before triggers were kept: treated as `api`). */
  readonly trigger?: RunTrigger;
  /** The caller's reason, when one was given. */
  readonly reason?: string;
  /** Only these keys (SECRET_ROTATED), when the run is about a few keys. */
  readonly keys?: readonly string[];
}

/** What {@link RunStateStore.claim} found. */
export type RunClaim =
  | { readonly outcome: 'claimed'; readonly progress: RunProgress }
  | { readonly outcome: 'not-found' }
  | { readonly outcome: 'finished'; readonly progress: RunProgress }
  | { readonly outcome: 'busy'; readonly progress: RunProgress };

/** Background run progress and the scheduler's memory. */
export interface RunStateStore {
  saveProgress(progress: RunProgress): Promise<void>;
  getProgress(runId: string): Promise<RunProgress | undefined>;
  /**
   * Claims a run for one background invocation, atomically: a queued run (or one whose holder's
   * claim expired) becomes `running` under `leaseId` with `onlyIfMatch` on the ETag just listed, so
   * of two invocations only one wins; the other, and any later replay, gets `busy` or `finished`.
   */
  claim(runId: string, leaseId: string, ttlMs: number): Promise<RunClaim>;
  /** When the scheduled sync last ran (for ENVSYNC_SCHEDULE=@daily). */
  lastScheduledRun(): Promise<string | undefined>;
  markScheduledRun(at: string): Promise<void>;
}

/** Where a target's provider token was found by the last run that reached it, or why not. */
export type TokenHealth = { readonly found: true; readonly source: string } | { readonly found: false; readonly problem: string };

/** A target's outcome in the last run that reached it: counts, codes and a token source only. */
export interface TargetHealth {
  readonly provider: string;
  readonly id: string;
  readonly runId: string;
  /** When that run finished. */
  readonly checkedAt: string;
  readonly applied: boolean;
  readonly inSync: boolean;
  readonly errorCodes: readonly ErrorCode[];
  readonly token: TokenHealth;
}

/** The summary of the most recent run. */
export interface RunHealthSummary {
  readonly runId: string;
  readonly mode: 'dry-run' | 'enforce';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly targets: number;
  readonly applied: number;
  readonly inSync: number;
  readonly withErrors: number;
}

/** The one record health reads. */
export interface HealthRecord {
  readonly version: 1;
  readonly lastRun: RunHealthSummary | null;
  readonly targets: readonly TargetHealth[];
}

/** What health shows, written by each run so health itself never asks a provider. */
export interface HealthStore {
  /** One Blobs read. */
  read(): Promise<HealthRecord | undefined>;
  /** Merges a finished run into the record: its summary, and its targets' outcomes. */
  recordRun(run: { readonly summary: RunHealthSummary; readonly targets: readonly TargetHealth[] }): Promise<void>;
}

/** Filters of {@link EventLog.list}. */
export interface EventQuery {
  /** Only these types (any when absent or empty). */
  readonly types?: readonly EventType[];
  /** Only events about this target id. */
  readonly target?: string;
  /** At most this many, newest first. @default 50 */
  readonly limit?: number;
}

/** The events log: every event EnvSync made, with its delivery outcomes, bounded in size. */
export interface EventLog {
  /** Appends records, then drops the oldest beyond `kept` (ENVSYNC_EVENTS_KEPT; the store's default when absent). */
  append(records: readonly EventRecord[], kept?: number): Promise<void>;
  /** Newest first. */
  list(query?: EventQuery): Promise<EventRecord[]>;
}

/** The ticket ids already announced in Slack for one target, per kind: what deduplicates alerts. */
export interface SlackAlertState {
  readonly drift?: string;
  readonly failure?: string;
}

/** Per-target Slack alert state. */
export interface AlertStore {
  get(target: TargetRef): Promise<SlackAlertState>;
  set(target: TargetRef, state: SlackAlertState): Promise<void>;
}

/** Every store EnvSync uses, opened together. */
export interface Storage {
  readonly reports: ReportStore;
  readonly tickets: TicketStore;
  readonly ledger: Ledger;
  readonly locks: LockStore;
  readonly runs: RunStateStore;
  readonly health: HealthStore;
  readonly events: EventLog;
  readonly alerts: AlertStore;
  /** Each provider's memory between runs (see `ProviderMemory`). */
  providerMemory(provider: string): ProviderMemory;
  /** Reviewed plans of dry-runs, applied by planId. */
  readonly plans: PlanStore;
  /** Encrypted prior states of the slots each run changed, for rollback. */
  readonly snapshots: SnapshotStore;
  /** Slots a rollback holds at their restored value. */
  readonly holds: HoldStore;
  /** Every change EnvSync made, key names only. */
  readonly history: HistoryStore;
}
