import type { z } from 'zod';
import type { releaseResponseSchema } from '../../../service/http/trust-schemas.ts';
import { callApi } from '../api.ts';
import { h, on, replace } from '../dom.ts';
import type { TargetRow } from '../model.ts';
import type { Session } from '../session.ts';
import { confirmWrite } from './confirm.ts';
import { keyLink, messageOf, notice, runLink, targetLink } from './common.ts';

/**
 * Targets on hold after a rollback: which rollback holds which keys, and, to a write session only,
 * a Release button (with a confirmation) that ends the hold, so the next sync writes the canonical
 * values again. A release leaves no report, so the page then plans the target once (a dry-run,
 * nothing written) and its state shows what the next sync will do.
 */

type Released = z.infer<typeof releaseResponseSchema>;

/** The holds section of the targets view; `null` when nothing is held. */
export function holdsSection(session: Session, rows: readonly TargetRow[], reload: () => Promise<void>): HTMLElement | null {
  const held = rows.filter((row) => row.hold !== undefined);
  if (held.length === 0) return null;
  return h(
    'section',
    { class: 'holds', 'aria-labelledby': 'holds-heading' },
    h('h3', { id: 'holds-heading' }, `On hold after a rollback (${held.length})`),
    h('p', { class: 'muted' }, 'Syncs leave these keys at their restored values until the canonical value changes or the hold is released.'),
    h(
      'ul',
      {},
      held.map((row) => holdItem(session, row, reload)),
    ),
  );
}

function holdItem(session: Session, row: TargetRow, reload: () => Promise<void>): HTMLElement {
  const hold = row.hold;
  if (hold === undefined) return h('li');
  const item = h(
    'li',
    { 'aria-label': `Hold on ${row.id}` },
    targetLink(row.provider, row.id, `${row.provider} · ${row.id}`),
    ': ',
    hold.keys.map((key, index) => [index === 0 ? '' : ', ', keyLink(key)]),
    hold.rollbackRunId === '' ? '' : [' · by rollback ', runLink(hold.rollbackRunId)],
    hold.undoes === undefined ? '' : [' of run ', runLink(hold.undoes)],
  );
  if (session.role === 'write') item.append(' ', releaseButton(row, hold.keys, reload));
  return item;
}

function releaseButton(row: TargetRow, keys: readonly string[], reload: () => Promise<void>): HTMLElement {
  const status = h('span', { 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'danger', 'data-write': 'release' }, 'Release');
  on(button, 'click', () => {
    void confirmWrite(
      `Release the hold on ${row.id}?`,
      'Release',
      h('p', {}, `The next sync writes the canonical values of ${keys.join(', ')} to ${row.id} again, undoing the rollback for these keys.`),
      h('p', {}, 'Nothing is written now. The page then plans the target (a dry-run) to show what the next sync will change.'),
    ).then(async (confirmed) => {
      if (!confirmed) return;
      button.disabled = true;
      try {
        const { body } = await callApi<Released>('POST', 'envsync-rollback', { release: row.id });
        replace(status, notice('info', `Released ${body.released.keys.length} key${body.released.keys.length === 1 ? '' : 's'}; planning ${row.id}…`));
        await callApi('POST', `envsync-dry-run?provider=${encodeURIComponent(row.provider)}`, { target: row.id });
        await reload();
      } catch (error) {
        button.disabled = false;
        replace(status, notice('error', messageOf(error)));
      }
    });
  });
  return h('span', { class: 'actions' }, button, status);
}
