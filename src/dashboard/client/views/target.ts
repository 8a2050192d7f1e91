import type { SyncReport } from '../../../core/report.ts';
import { callApi } from '../api.ts';
import { h } from '../dom.ts';
import { resultText, targetRows, when } from '../model.ts';
import type { Session } from '../session.ts';
import { heading, notice, runLink, stateBadge, table } from './common.ts';
import { timelineChart } from './timeline.ts';

/** One target: its state, the timeline of its runs, the runs themselves and its open tickets. */
export async function targetView(session: Session, provider: string, id: string): Promise<Node> {
  const row = targetRows(session.health.targets, session.reports, session.openTickets).find((candidate) => candidate.provider === provider && candidate.id === id);
  if (row === undefined) return h('section', {}, heading(id), notice('error', `${provider} target ${id} is not configured.`));
  const query = new URLSearchParams({ provider, target: id, limit: '50' });
  const { body } = await callApi<{ runs: SyncReport[] }>('GET', `envsync-runs?${query.toString()}`);
  return h(
    'section',
    { 'aria-labelledby': 'view-heading' },
    heading(`${provider} · ${id}`),
    h('p', {}, 'State: ', stateBadge(row.state)),
    h('h3', {}, 'Runs over time'),
    body.runs.length === 0 ? notice('info', 'No run has reached this target yet.') : h('figure', {}, timelineChart(body.runs), h('figcaption', { class: 'muted' }, 'Bar height: changes per run. Hollow: dry-run. Red with a dot: errors.')),
    table(
      `The last ${body.runs.length} runs of ${id}`,
      ['When', 'Run', 'Mode', 'Result', 'Errors'],
      body.runs.map((report) => [
        h('time', { datetime: report.startedAt }, when(report.startedAt)),
        runLink(report.runId),
        report.mode,
        resultText(report),
        report.errors.length === 0 ? '0' : report.errors.map((error) => error.code).join(', '),
      ]),
    ),
    h('h3', {}, 'Open tickets'),
    row.openTickets.length === 0
      ? h('p', { class: 'muted' }, 'None.')
      : h(
          'ul',
          {},
          row.openTickets.map((ticket) => h('li', {}, h('strong', {}, ticket.kind), ` ${ticket.summary} (seen ${ticket.occurrences}×, last ${when(ticket.lastSeen)})`)),
        ),
  );
}
