import { h } from '../dom.ts';
import { targetRows } from '../model.ts';
import type { Session } from '../session.ts';
import { heading, lastRunCell, notice, stateBadge, table, targetLink } from './common.ts';
import { holdsSection } from './holds.ts';

/**
 * The home view: every configured target, its state, its last run and its open tickets, and the
 * targets a rollback holds (with Release for a write session). `reload` refreshes after a release.
 */
export function targetsView(session: Session, reload: () => Promise<void>): Node {
  const rows = targetRows(session.health.targets, session.reports, session.openTickets);
  const { health } = session;
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.state, (counts.get(row.state) ?? 0) + 1);
  return h(
    'section',
    { 'aria-labelledby': 'view-heading' },
    heading('Targets'),
    h(
      'p',
      { class: 'summary' },
      `${rows.length} target${rows.length === 1 ? '' : 's'} · mode ${health.mode} · schedule ${health.schedule}`,
      health.enabled ? '' : ' · EnvSync is disabled (ENVSYNC_ENABLED is not true)',
      ` · canonical set: ${health.canonical.keys} keys`,
    ),
    health.storage.ok ? null : notice('error', `Storage is unavailable: ${health.storage.problem}`),
    rows.length === 0
      ? notice('info', 'No target is configured: set ENVSYNC_TARGETS and the target ids (see docs/ENVSYNC_ENGINE.md).')
      : table(
          'Every configured target',
          ['Target', 'Provider', 'State', 'Last run', 'Open tickets'],
          rows.map((row) => [
            [targetLink(row.provider, row.id), row.name === undefined ? null : h('span', { class: 'muted' }, ` ${row.name}`)],
            row.provider,
            stateBadge(row.state),
            lastRunCell(row.lastReport),
            row.openTickets.length === 0
              ? '0'
              : h('span', {}, String(row.openTickets.length), ' ', h('span', { class: 'muted' }, `(${row.openTickets.map((ticket) => ticket.kind).join(', ')})`)),
          ]),
        ),
    holdsSection(session, rows, reload),
    h('p', { class: 'muted' }, [...counts.entries()].map(([state, count]) => `${count} ${state.replace('-', ' ')}`).join(' · ')),
  );
}
