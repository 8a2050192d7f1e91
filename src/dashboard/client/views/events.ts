import type { EventRecord } from '../../../events/types.ts';
import { callApi } from '../api.ts';
import { h, on } from '../dom.ts';
import { when } from '../model.ts';
import type { Session } from '../session.ts';
import { heading, keyLink, notice, runLink, table, targetLink } from './common.ts';

/**
 * The events log (envsync-events), newest first: each event's type, target, trigger, outcome
 * (`held` included), the key names it is about, and how its webhook and Slack deliveries went.
 * Filters live in the URL's hash (`#/events?type=...&target=...`), so a filtered view is a link.
 */

const types = ['ENVSYNC_DRIFT_DETECTED', 'ENVSYNC_COMPLETE', 'ENVSYNC_FAILED'] as const;
/** Events one view shows (the endpoint answers up to 200). */
const pageSize = 100;

/** The events view, filtered by `params` (`type`, `target`). */
export async function eventsView(session: Session, params: URLSearchParams): Promise<Node> {
  const type = params.get('type') ?? '';
  const target = params.get('target') ?? '';
  const query = new URLSearchParams({ limit: String(pageSize) });
  if ((types as readonly string[]).includes(type)) query.set('type', type);
  if (session.health.targets.some((candidate) => candidate.id === target)) query.set('target', target);
  const { body } = await callApi<{ events: EventRecord[] }>('GET', `envsync-events?${query.toString()}`);
  return h(
    'section',
    { 'aria-labelledby': 'view-heading' },
    heading('Events'),
    h('p', {}, 'What every run told webhooks and Slack, newest first: key names and counts only.'),
    filterForm(session, query.get('type') ?? '', query.get('target') ?? ''),
    body.events.length === 0
      ? notice('info', 'No event matches. Every run makes events once it has reached a target.')
      : table(
          `${body.events.length}${query.has('type') ? ` ${type.replace(/^ENVSYNC_/, '')}` : ''} event${body.events.length === 1 ? '' : 's'}${query.has('target') ? ` of ${target}` : ''}${body.events.length === pageSize ? ` (the newest ${pageSize})` : ''}`,
          ['When', 'Event', 'Target', 'Run', 'Outcome', 'Keys', 'Deliveries'],
          body.events.map((event) => [
            h('time', { datetime: event.at }, when(event.at)),
            [h('span', { class: 'event-type' }, event.type.replace(/^ENVSYNC_/, '')), h('span', { class: 'muted' }, ` · ${event.trigger}${event.reason === undefined ? '' : `: ${event.reason}`}`)],
            targetLink(event.provider, event.target, `${event.provider} · ${event.target}`),
            runLink(event.runId),
            h('span', { class: `badge outcome-${event.outcome}` }, event.outcome),
            keysCell(event),
            deliveriesCell(event),
          ]),
        ),
  );
}

function filterForm(session: Session, type: string, target: string): HTMLFormElement {
  const typeSelect = h(
    'select',
    { id: 'events-type', name: 'type' },
    h('option', { value: '' }, 'All types'),
    types.map((value) => h('option', { value, selected: value === type }, value.replace(/^ENVSYNC_/, ''))),
  );
  const targetSelect = h(
    'select',
    { id: 'events-target', name: 'target' },
    h('option', { value: '' }, 'All targets'),
    session.health.targets.map((candidate) => h('option', { value: candidate.id, selected: candidate.id === target }, `${candidate.provider} · ${candidate.id}`)),
  );
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Filter events' },
    h('label', { for: 'events-type' }, 'Type '),
    typeSelect,
    h('label', { for: 'events-target' }, 'Target '),
    targetSelect,
    h('button', { type: 'submit' }, 'Filter'),
  );
  on(form, 'submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (typeSelect.value !== '') next.set('type', typeSelect.value);
    if (targetSelect.value !== '') next.set('target', targetSelect.value);
    const query = next.toString();
    location.hash = `#/events${query === '' ? '' : `?${query}`}`;
  });
  return form;
}

function keysCell(event: EventRecord): Node {
  if (event.keys.length === 0) return h('span', { class: 'muted' }, '—');
  const more = event.keyCount - event.keys.length;
  return h('span', {}, event.keys.map((key, index) => [index === 0 ? '' : ', ', keyLink(key)]), more > 0 ? ` and ${more} more` : '');
}

function deliveriesCell(event: EventRecord): Node {
  if (event.deliveries.length === 0) return h('span', { class: 'muted' }, 'none configured');
  return h(
    'ul',
    { class: 'deliveries' },
    event.deliveries.map((delivery) =>
      h(
        'li',
        { class: delivery.ok ? 'delivery-ok' : 'delivery-failed' },
        `${delivery.destination}${delivery.index === undefined ? '' : ` ${delivery.index}`} (${delivery.host}): `,
        delivery.ok ? 'delivered' : `failed${delivery.error === undefined ? '' : `, ${delivery.error}`}`,
        delivery.status === undefined ? '' : ` · ${delivery.status}`,
        ` · ${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}`,
      ),
    ),
  );
}
