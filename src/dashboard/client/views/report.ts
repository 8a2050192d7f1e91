import type { SyncReport } from '../../../core/report.ts';
import { h } from '../dom.ts';
import { canRollBack, planLines, resultText, when } from '../model.ts';
import type { Session } from '../session.ts';
import { heading, keyLink, notice, runLink, targetLink } from './common.ts';
import { rollbackControls } from './rollback.ts';

/** A readable diff of a report: one line per change or skip, key names only. */
export function planDiff(report: SyncReport): HTMLElement {
  const lines = planLines(report);
  if (lines.length === 0) return h('p', { class: 'muted' }, `Nothing to change (${report.summary.noop} in sync).`);
  return h(
    'ul',
    { class: 'diff', 'aria-label': `Changes for ${report.target}` },
    lines.map((line) =>
      h(
        'li',
        { class: `diff-${line.op.replace(' ', '-')}` },
        h('span', { class: 'sign', 'aria-hidden': 'true' }, line.sign),
        h('span', { class: 'op' }, line.op),
        ' ',
        keyLink(line.key),
        line.context === undefined || line.context === '*' ? null : h('span', { class: 'context' }, ` [${line.context}]`),
        line.reason === undefined ? null : h('span', { class: 'reason' }, ` (${line.reason})`),
      ),
    ),
  );
}

/** Everything a report says, for the run view and the plan view. */
export function reportSection(report: SyncReport): HTMLElement {
  const { summary } = report;
  return h(
    'article',
    { class: 'report', 'aria-label': `Report for ${report.target}` },
    h('h3', {}, targetLink(report.provider, report.target, `${report.provider} · ${report.target}`)),
    h(
      'p',
      {},
      `${resultText(report)} · ${summary.create} create, ${summary.update} update, ${summary.delete} delete, ${summary.noop} unchanged`,
      ` · redeploy ${report.redeploy} · ${report.rounds} round${report.rounds === 1 ? '' : 's'} · ${report.durationMs} ms`,
      report.tokenSource === undefined ? '' : ` · token from ${report.tokenSource}`,
    ),
    report.refusal === undefined ? null : notice('error', `Refused: ${report.refusal}`),
    rollbackDetail(report),
    planDiff(report),
    report.pending.length === 0 ? null : h('p', {}, `Pending: ${report.pending.map((change) => change.key).join(', ')}`),
    report.errors.length === 0
      ? null
      : h(
          'ul',
          { class: 'errors' },
          report.errors.map((error) => h('li', {}, h('code', {}, error.code), error.key === undefined ? '' : ` ${error.key}`, `: ${error.message}`)),
        ),
  );
}

/** What a rollback run's report says about the run it undid. */
function rollbackDetail(report: SyncReport): HTMLElement | null {
  const detail = report.rollback;
  if (detail === undefined) return null;
  return h(
    'p',
    {},
    'Rollback of run ',
    runLink(detail.undoes),
    detail.changedSince.length === 0 ? '' : ` · left alone (changed since): ${detail.changedSince.map((slot) => slot.key).join(', ')}`,
    detail.unrestorable.length === 0 ? '' : ` · unrestorable: ${detail.unrestorable.map((slot) => slot.key).join(', ')}`,
  );
}

/**
 * Every report of one run, and, to a write session, the Roll back control when the run wrote
 * something (its rollback plan is shown before anything is written).
 */
export function runView(session: Session, runId: string, showRun: (runId: string) => Promise<void>): Node {
  const reports = session.reports.filter((report) => report.runId === runId);
  if (reports.length === 0) {
    return h('section', {}, heading(`Run ${runId.slice(0, 8)}`), notice('info', 'This run is not among the 100 newest reports.'));
  }
  const first = [...reports].sort((a, b) => a.startedAt.localeCompare(b.startedAt))[0];
  return h(
    'section',
    { 'aria-labelledby': 'view-heading' },
    heading(`Run ${runId.slice(0, 8)}`),
    h('p', { class: 'muted' }, `${runId} · ${first === undefined ? '' : when(first.startedAt)} · ${reports[0]?.mode ?? ''} · ${reports.length} target${reports.length === 1 ? '' : 's'}`),
    reports.map(reportSection),
    session.role === 'write' && canRollBack(reports) ? rollbackControls(runId, showRun) : null,
  );
}
