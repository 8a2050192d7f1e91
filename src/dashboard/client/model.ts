import type { SyncReport } from '../../core/report.ts';
import type { HealthTarget } from '../../service/api/schemas.ts';
import type { Ticket } from '../../storage/types.ts';

/**
 * What the page derives from the JSON endpoints, as pure functions (tested without a browser):
 * a target's state, the lines of a plan, and a run's counts.
 */

/** A target's state, from its newest report. */
export type TargetState = 'in-sync' | 'drift' | 'held' | 'failing' | 'never-synced';

/** Labels a person reads. */
export const stateLabels: Readonly<Record<TargetState, string>> = {
  'in-sync': 'in sync',
  drift: 'drift',
  held: 'held',
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
  /** The rollback hold its newest report shows, if any. */
  readonly hold: Hold | undefined;
}

/** A rollback hold as the reports show it: which rollback holds which keys. */
export interface Hold {
  /** The rollback run holding the keys. */
  readonly rollbackRunId: string;
  /** The run it undid, when the report says. */
  readonly undoes: string | undefined;
  readonly keys: readonly string[];
}

/**
 * The state of each configured target: `failing` when its newest report has errors, `drift` when
 * that report left changes pending (a dry-run that found differences, a refused plan), `held` when
 * a rollback holds slots (see {@link holdOf}), `drift` again when a drift ticket is still open or a
 * reviewed plan left a difference for later (`not-in-plan`), `in-sync` otherwise, and
 * `never-synced` without any report.
 *
 * @param reports - newest first, as envsync-runs answers.
 */
export function targetRows(targets: readonly HealthTarget[], reports: readonly SyncReport[], tickets: readonly Ticket[]): TargetRow[] {
  return targets.map((target) => {
    const lastReport = reports.find((report) => report.provider === target.provider && report.target === target.id);
    const openTickets = tickets.filter((ticket) => ticket.status === 'open' && ticket.provider === target.provider && ticket.target === target.id);
    const name = 'name' in target && typeof target.name === 'string' ? target.name : undefined;
    const hold = lastReport === undefined ? undefined : holdOf(lastReport);
    return { provider: target.provider, id: target.id, name, state: stateOf(lastReport, openTickets, hold), lastReport, openTickets, hold };
  });
}

function stateOf(report: SyncReport | undefined, openTickets: readonly Ticket[], hold: Hold | undefined): TargetState {
  if (report === undefined) return 'never-synced';
  if (report.errors.length > 0) return 'failing';
  if (report.pending.length > 0) return 'drift';
  if (hold !== undefined) return 'held';
  if (openTickets.some((ticket) => ticket.kind === 'drift') || report.skipped.some((skip) => skip.reason === 'not-in-plan')) return 'drift';
  return 'in-sync';
}

/**
 * The hold a target's newest report shows. No endpoint lists holds, so the page reads them from
 * the reports: a run after the rollback reports each held slot in `skipped` with reason `held`
 * and `heldBy`; the rollback run itself (enforce, applied, `rollback.undoes`) holds every slot it
 * restored. A release writes no report, so the page plans the target again right after releasing.
 */
export function holdOf(report: SyncReport): Hold | undefined {
  const held = report.skipped.filter((skip) => skip.reason === 'held');
  if (held.length > 0) {
    return { rollbackRunId: held.find((skip) => skip.heldBy !== undefined)?.heldBy ?? '', undoes: undefined, keys: uniqueSorted(held.map((skip) => skip.key)) };
  }
  if (report.rollback === undefined || report.mode !== 'enforce' || !report.applied) return undefined;
  const restored = report.changes.filter((change) => change.op !== 'noop').map((change) => change.key);
  return restored.length === 0 ? undefined : { rollbackRunId: report.runId, undoes: report.rollback.undoes, keys: uniqueSorted(restored) };
}

function uniqueSorted(keys: readonly string[]): string[] {
  return [...new Set(keys)].sort();
}

/** Whether a run may be rolled back from the page: an enforce run that wrote to some target. */
export function canRollBack(reports: readonly SyncReport[]): boolean {
  return reports.some((report) => report.mode === 'enforce' && report.applied && changeCount(report) > 0);
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
  if (report.rollback !== undefined && report.applied) return `rolled back ${changes} change${changes === 1 ? '' : 's'}`;
  if (report.applied) return `applied ${changes} change${changes === 1 ? '' : 's'}`;
  const held = report.skipped.filter((skip) => skip.reason === 'held').length;
  if (report.pending.length > 0) return `${report.pending.length} pending`;
  return held > 0 ? `nothing written: ${held} held` : 'nothing to change';
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
