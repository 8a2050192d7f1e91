import type { SyncReport } from '../../../core/report.ts';
import { ApiError } from '../api.ts';
import { h, type Child } from '../dom.ts';
import { resultText, stateLabels, when, type TargetState } from '../model.ts';

/** Pieces several views share. */

/** A view's heading; focused after navigation so screen readers announce the new view. */
export function heading(text: string): HTMLHeadingElement {
  return h('h2', { id: 'view-heading', tabindex: -1 }, text);
}

/** A state badge: colour plus the word, never colour alone. */
export function stateBadge(state: TargetState): HTMLSpanElement {
  return h('span', { class: `badge state-${state}` }, stateLabels[state]);
}

/** A link to a run's page. */
export function runLink(runId: string, text: Child = runId.slice(0, 8)): HTMLAnchorElement {
  return h('a', { href: `#/run/${encodeURIComponent(runId)}`, title: `run ${runId}` }, text);
}

/** A link to a target's page. */
export function targetLink(provider: string, id: string, text: Child = id): HTMLAnchorElement {
  return h('a', { href: `#/target/${encodeURIComponent(provider)}/${encodeURIComponent(id)}` }, text);
}

/** "<time> · <result>" of a report. */
export function lastRunCell(report: SyncReport | undefined): Child {
  if (report === undefined) return h('span', { class: 'muted' }, 'no run yet');
  return [h('time', { datetime: report.startedAt }, when(report.startedAt)), ' · ', runLink(report.runId, resultText(report))];
}

/** A message box: `error` ones are announced (role=alert). */
export function notice(kind: 'info' | 'error', ...children: Child[]): HTMLDivElement {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

/** A table with a caption and header row. */
export function table(caption: string, headers: readonly string[], rows: readonly (readonly Child[])[]): HTMLTableElement {
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((header) => h('th', { scope: 'col' }, header)))),
    // data-label names each cell where a narrow screen stacks the rows and hides the header.
    h('tbody', {}, rows.map((row) => h('tr', {}, row.map((cell, index) => h('td', { 'data-label': headers[index] }, cell))))),
  );
}

/** What a failed call says to a person: the server's code and message, or that it was not reached. */
export function messageOf(error: unknown): string {
  return error instanceof ApiError ? `${error.code}: ${error.message}` : 'The request failed; check the connection and try again.';
}

/** A link to a key's change history. */
export function keyLink(key: string): HTMLAnchorElement {
  return h('a', { href: `#/history/${encodeURIComponent(key)}`, title: `change history of ${key}` }, h('code', {}, key));
}
