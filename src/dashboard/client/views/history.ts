import type { z } from 'zod';
import type { historyResponseSchema } from '../../../service/http/trust-schemas.ts';
import type { HistoryEntry } from '../../../storage/history.ts';
import { callApi } from '../api.ts';
import { h, on, replace } from '../dom.ts';
import { when } from '../model.ts';
import type { Session } from '../session.ts';
import { heading, messageOf, notice, runLink, targetLink } from './common.ts';

/**
 * A key's change history (envsync-history), newest first across every target: when, where, what
 * op, what started it (trigger, reason, the run a rollback undid, the deploy and commit) and the
 * fingerprint prefix of the written value (equal prefixes, equal values; never the value).
 * Older entries load below with "More" (the endpoint's cursor), without leaving the view.
 */

type HistoryPage = z.infer<typeof historyResponseSchema>;

/** A name the endpoint accepts (the same rule as its query schema). */
const keyPattern = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const defaultPageSize = 20;

/** The history view: a key search box, and the key's changes when `key` is given. */
export async function historyView(session: Session, key: string | undefined, params: URLSearchParams): Promise<Node> {
  const limit = Math.min(200, Math.max(1, Number(params.get('limit') ?? defaultPageSize) || defaultPageSize));
  const target = params.get('target') ?? '';
  const section = h('section', { 'aria-labelledby': 'view-heading' }, heading(key === undefined ? 'Change history' : `History of ${key}`), searchForm(session, key, target));
  if (key === undefined) {
    section.append(h('p', { class: 'muted' }, 'Every change EnvSync made to a key, on every target, newest first. Key names in reports and events link here.'));
    return section;
  }
  if (!keyPattern.test(key)) {
    section.append(notice('error', `${key} is not a variable name: use letters, digits and underscores, starting with a letter or underscore.`));
    return section;
  }
  const query = new URLSearchParams({ key, limit: String(limit) });
  if (session.health.targets.some((candidate) => candidate.id === target)) query.set('target', target);
  const first = await fetchPage(query);
  const rows = h('tbody', {}, first.entries.map(entryRow));
  const more = h('div', { class: 'actions' });
  section.append(
    first.entries.length === 0
      ? notice('info', `EnvSync has not changed ${key} on any target${query.has('target') ? ` (${target})` : ''} in the kept history.`)
      : h(
          'table',
          {},
          h('caption', {}, `Changes to ${key}, newest first`),
          h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col' }, column)))),
          rows,
        ),
    more,
  );
  offerMore(more, rows, query, first.next);
  return section;
}

const columns = ['When', 'Target', 'Op', 'Why', 'Fingerprint', 'Run'] as const;

function fetchPage(query: URLSearchParams): Promise<HistoryPage> {
  return callApi<HistoryPage>('GET', `envsync-history?${query.toString()}`).then(({ body }) => body);
}

/** A "More" button while the endpoint says older entries remain. */
function offerMore(area: HTMLElement, rows: HTMLElement, query: URLSearchParams, next: string | undefined): void {
  if (next === undefined) return replace(area);
  const button = h('button', { type: 'button', class: 'secondary' }, 'More');
  on(button, 'click', () => {
    button.disabled = true;
    const page = new URLSearchParams(query);
    page.set('cursor', next);
    fetchPage(page)
      .then((body) => {
        rows.append(...body.entries.map(entryRow));
        offerMore(area, rows, query, body.next);
      })
      .catch((error: unknown) => replace(area, notice('error', messageOf(error))));
  });
  replace(area, button);
}

function entryRow(entry: HistoryEntry): HTMLTableRowElement {
  const cells = [
    h('time', { datetime: entry.at }, when(entry.at)),
    [targetLink(entry.provider, entry.target, `${entry.provider} · ${entry.target}`), entry.context === undefined ? '' : h('span', { class: 'muted' }, ` [${entry.context}]`)],
    h('span', { class: `op-${entry.op}` }, entry.op),
    whyCell(entry),
    entry.fingerprint === undefined ? h('span', { class: 'muted' }, '—') : h('code', { title: 'first 12 hex digits of the keyed fingerprint of the written value' }, entry.fingerprint),
    runLink(entry.runId),
  ];
  return h('tr', {}, cells.map((cell, index) => h('td', { 'data-label': columns[index] }, cell)));
}

function whyCell(entry: HistoryEntry): Node {
  return h(
    'span',
    {},
    entry.trigger,
    entry.undoes === undefined ? '' : [' of run ', runLink(entry.undoes)],
    entry.reason === undefined ? '' : `: ${entry.reason}`,
    entry.deployId === undefined ? '' : ` · deploy ${entry.deployId}`,
    entry.commit === undefined ? '' : ` · commit ${entry.commit.slice(0, 12)}`,
  );
}

function searchForm(session: Session, key: string | undefined, target: string): HTMLFormElement {
  const input = h('input', { id: 'history-key', name: 'key', type: 'search', value: key ?? '', placeholder: 'APP_DB_URL', pattern: keyPattern.source, required: true, spellcheck: 'false', autocomplete: 'off' });
  const targetSelect = h(
    'select',
    { id: 'history-target', name: 'target' },
    h('option', { value: '' }, 'All targets'),
    session.health.targets.map((candidate) => h('option', { value: candidate.id, selected: candidate.id === target }, `${candidate.provider} · ${candidate.id}`)),
  );
  const form = h(
    'form',
    { class: 'inline-form', role: 'search', 'aria-label': 'Find a key' },
    h('label', { for: 'history-key' }, 'Key '),
    input,
    h('label', { for: 'history-target' }, 'Target '),
    targetSelect,
    h('button', { type: 'submit' }, 'Show history'),
  );
  on(form, 'submit', (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (name === '') return;
    location.hash = `#/history/${encodeURIComponent(name)}${targetSelect.value === '' ? '' : `?target=${encodeURIComponent(targetSelect.value)}`}`;
  });
  return form;
}
