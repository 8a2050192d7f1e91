import type { SyncReport } from '../../core/report.ts';
import type { HealthTarget } from '../../service/api/schemas.ts';
import type { Ticket } from '../../storage/types.ts';

/**
 * What the page derives from the JSON endpoints, as pure functions (tested without a browser):
 * a target's state, the lines of a plan, and a run's counts.
 */

/** A target's state, from its newest report. */
export type TargetState = 'in-sync' | 'drift' | 'failing' | 'never-synced';

/** Labels a person reads. */
export const stateLabels: Readonly<Record<TargetState, string>> = {
  'in-sync': 'in sync',
  drift: 'drift',
  failing: 'failing',
  'never-synced': 'never synced',
};

/** One row of the targets view. */
export interface TargetRow {
  readonly provider: HealthTarget['provider'];
  readonly id: string;
  readonly name: string | undefined;
  readonly state: TargetState;
  readonly lastReport: SyncReport | undefined;
  readonly openTickets: readonly Ticket[];
}

/**
 * The state of each configured target: `failing` when its newest report has errors, `drift` when
 * that report left changes pending (a dry-run that found differences, a refused plan) or a drift
 * ticket is still open, `in-sync` otherwise, and `never-synced` without any report.
 *
 * @param reports - newest first, as envsync-runs answers.
 */
export function targetRows(targets: readonly HealthTarget[], reports: readonly SyncReport[], tickets: readonly Ticket[]): TargetRow[] {
  return targets.map((target) => {
    const lastReport = reports.find((report) => report.provider === target.provider && report.target === target.id);
    const openTickets = tickets.filter((ticket) => ticket.status === 'open' && ticket.provider === target.provider && ticket.target === target.id);
    const name = 'name' in target && typeof target.name === 'string' ? target.name : undefined;
    return { provider: target.provider, id: target.id, name, state: stateOf(lastReport, openTickets), lastReport, openTickets };
  });
}

function stateOf(report: SyncReport | undefined, openTickets: readonly Ticket[]): TargetState {
  if (report === undefined) return 'never-synced';
  if (report.errors.length > 0) return 'failing';
  if (report.pending.length > 0 || openTickets.some((ticket) => ticket.kind === 'drift')) return 'drift';
  return 'in-sync';
}

/** How a change line reads in a plan: a sign, the op, the key and its context. */
export interface PlanLine {
  readonly sign: '+' | '~' | '-' | '=' | '!';
  readonly op: string;
  readonly key: string;
  readonly context: string | undefined;
  /** Why (a change's reason or a skip's reason), when there is one. */
  readonly reason: string | undefined;
}

const signs = { create: '+', update: '~', delete: '-', noop: '=' } as const;

/**
 * The readable diff of one report: creates, updates and deletes first (what would change), then
 * what was skipped and why. Unchanged keys are counted, not listed (`summary.noop`).
 */
export function planLines(report: SyncReport): PlanLine[] {
  const changes = report.changes
    .filter((change) => change.op !== 'noop')
    .map((change): PlanLine => ({ sign: signs[change.op], op: change.op, key: change.key, context: change.context, reason: change.reason }));
  const skipped = report.skipped.map((skip): PlanLine => ({ sign: '!', op: `skip ${skip.op}`, key: skip.key, context: skip.context, reason: skip.reason }));
  return [...changes, ...skipped];
}

/** Changes (create + update + delete) a report made or planned. */
export function changeCount(report: SyncReport): number {
  return report.summary.create + report.summary.update + report.summary.delete;
}

/** A short result of a report, e.g. "applied 3 changes", "planned 2 changes", "2 errors". */
export function resultText(report: SyncReport): string {
  const changes = changeCount(report);
  if (report.errors.length > 0) return `${report.errors.length} error${report.errors.length === 1 ? '' : 's'}`;
  if (report.mode === 'dry-run') return changes === 0 ? 'planned: nothing to change' : `planned ${changes} change${changes === 1 ? '' : 's'}`;
  if (report.applied) return `applied ${changes} change${changes === 1 ? '' : 's'}`;
  return report.pending.length > 0 ? `${report.pending.length} pending` : 'nothing to change';
}

/** Reports grouped by run, newest run first, each run's reports in the order given. */
export function runsOf(reports: readonly SyncReport[]): { runId: string; startedAt: string; reports: SyncReport[] }[] {
  const byRun = new Map<string, SyncReport[]>();
  for (const report of reports) byRun.set(report.runId, [...(byRun.get(report.runId) ?? []), report]);
  return [...byRun.entries()]
    .map(([runId, grouped]) => ({ runId, startedAt: grouped.map((report) => report.startedAt).sort()[0] ?? '', reports: grouped }))
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** A timestamp as a person reads it, in their time zone, to the minute. */
export function when(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
