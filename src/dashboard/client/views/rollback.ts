import type { z } from 'zod';
import type { rollbackResponseSchema } from '../../../service/http/trust-schemas.ts';
import { callApi } from '../api.ts';
import { h, on, replace } from '../dom.ts';
import { confirmWrite } from './confirm.ts';
import { keyLink, messageOf, notice, table } from './common.ts';

/**
 * The Roll back control of a run (write sessions only). The first press only asks for the rollback
 * plan (`dryRun: true`: nothing written): per target, what happens to each slot the run changed.
 * Rolling back is a second button, behind a confirmation; slots changed since the run are left
 * alone unless the person ticks "force".
 */

type Rollback = z.infer<typeof rollbackResponseSchema>;

const actionWords: Readonly<Record<Rollback['targets'][number]['slots'][number]['action'], string>> = {
  restore: 'restore the prior value',
  recreate: 'create again with its prior value',
  remove: 'remove (the run created it)',
  unchanged: 'nothing to do (already the prior state)',
  'changed-since': 'left alone: changed since the run',
  unrestorable: 'cannot be restored: prior value never readable',
};

/** The rollback section of a run's view. `showRun` opens the rollback run when it is done. */
export function rollbackControls(runId: string, showRun: (runId: string) => Promise<void>): HTMLElement {
  const area = h('div', { 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'secondary', 'data-write': 'rollback-plan' }, 'Roll back…');
  on(button, 'click', () => {
    button.disabled = true;
    replace(area, h('p', { class: 'muted' }, 'Planning the rollback…'));
    callApi<Rollback>('POST', 'envsync-rollback', { runId, dryRun: true })
      .then(({ body }) => replace(area, rollbackPlan(runId, body, showRun)))
      .catch((error: unknown) => replace(area, notice('error', messageOf(error))))
      .finally(() => (button.disabled = false));
  });
  return h(
    'section',
    { 'aria-labelledby': 'rollback-heading' },
    h('h3', { id: 'rollback-heading' }, 'Roll back this run'),
    h('p', { class: 'muted' }, 'Shows first what a rollback would put back, from the run’s encrypted snapshot. Nothing is written until you confirm.'),
    h('div', { class: 'actions' }, button),
    area,
  );
}

/** The rollback plan: one table per target, then the confirm button. */
function rollbackPlan(runId: string, plan: Rollback, showRun: (runId: string) => Promise<void>): Node {
  const slots = plan.targets.flatMap((target) => target.slots);
  const writes = slots.filter((slot) => slot.action === 'restore' || slot.action === 'recreate' || slot.action === 'remove').length;
  const changedSince = slots.filter((slot) => slot.action === 'changed-since').length;
  const section = h(
    'section',
    { class: 'rollback-plan', 'aria-label': 'Rollback plan' },
    h('h4', {}, `Rollback plan: ${writes} slot${writes === 1 ? '' : 's'} to put back`),
    plan.targets.map((target) =>
      table(
        `${target.provider} · ${target.target}`,
        ['Key', 'Context', 'Action', 'Why'],
        target.slots.map((slot) => [keyLink(slot.key), slot.context === '*' ? '' : slot.context, h('span', { class: `action-${slot.action}` }, slot.action), slot.why ?? actionWords[slot.action]]),
      ),
    ),
  );
  const force = h('input', { type: 'checkbox', id: 'rollback-force' });
  if (changedSince > 0) section.append(h('p', {}, force, ' ', h('label', { for: 'rollback-force' }, `Force: also overwrite the ${changedSince} slot${changedSince === 1 ? '' : 's'} changed since the run`)));
  const status = h('div', { 'aria-live': 'polite' });
  const targets = plan.targets.map((target) => target.target);
  const confirm = h('button', { type: 'button', class: 'danger', 'data-write': 'rollback' }, 'Roll back');
  on(confirm, 'click', () => {
    void confirmWrite(
      `Roll back run ${runId.slice(0, 8)}?`,
      'Roll back',
      h('p', {}, `Puts back ${writes} slot${writes === 1 ? '' : 's'} on ${targets.join(', ')}${force.checked ? ', and overwrites the slots changed since' : ''}.`),
      h('p', {}, 'The restored keys are then held: later syncs leave them alone until their canonical value changes or the hold is released.'),
    ).then(async (confirmed) => {
      if (!confirmed) return;
      confirm.disabled = true;
      try {
        const { body } = await callApi<Rollback>('POST', 'envsync-rollback', { runId, ...(force.checked ? { force: true } : {}) });
        await showRun(body.runId);
      } catch (error) {
        confirm.disabled = false;
        replace(status, notice('error', messageOf(error)));
      }
    });
  });
  if (writes === 0 && changedSince === 0) section.append(notice('info', 'Nothing to put back: every slot already holds its prior state or cannot be restored.'));
  else section.append(h('div', { class: 'actions' }, confirm), status);
  return section;
}
