import type { z } from 'zod';
import type { HealthTarget, QueuedBody, SyncBody } from '../../../service/api/schemas.ts';
import type { stalePlanResponseSchema } from '../../../service/http/trust-schemas.ts';
import { ApiError, callApi } from '../api.ts';
import { h, on, replace } from '../dom.ts';
import { changeCount } from '../model.ts';
import type { Session } from '../session.ts';
import { confirmWrite } from './confirm.ts';
import { heading, keyLink, messageOf, notice, runLink } from './common.ts';
import { reportSection } from './report.ts';

/**
 * The dry-run view: plans one target or all of them (one dry-run per provider), shows each plan as
 * a readable diff, and, to a write session, offers to apply exactly that plan by its planId after a
 * confirmation. A read session can plan (dry-run writes nothing) but sees no apply button.
 */

type PlanAnswer = (SyncBody & { planId?: string }) | QueuedBody;

/** The plan view. `showRun` reloads the session and shows a run, after an apply. */
export function planView(session: Session, showRun: (runId: string) => Promise<void>): Node {
  const providers = [...new Set(session.health.targets.map((target) => target.provider))];
  const select = h(
    'select',
    { id: 'plan-target', name: 'target' },
    h('option', { value: '' }, 'All targets'),
    session.health.targets.map((target) => h('option', { value: `${target.provider}/${target.id}` }, `${target.provider} · ${target.id}`)),
  );
  const results = h('div', { id: 'plan-results', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Plan (dry-run)');
  const form = h('form', { class: 'inline-form', 'aria-label': 'Plan a sync' }, h('label', { for: 'plan-target' }, 'Target '), select, ' ', submit);
  on(form, 'submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    replace(results, h('p', { class: 'muted' }, 'Planning…'));
    const chosen = select.value === '' ? undefined : session.health.targets.find((target) => `${target.provider}/${target.id}` === select.value);
    void planFor(chosen, providers)
      .then((answers) => replace(results, answers.map((answer) => answerSection(answer.provider, answer.body, session, showRun))))
      .catch((error: unknown) => replace(results, notice('error', messageOf(error))))
      .finally(() => (submit.disabled = false));
  });
  return h(
    'section',
    { 'aria-labelledby': 'view-heading' },
    heading('Plan'),
    h('p', {}, 'A dry-run reads every target and shows what a sync would change. It writes nothing.'),
    form,
    results,
  );
}

async function planFor(target: HealthTarget | undefined, providers: readonly string[]): Promise<{ provider: string; body: PlanAnswer }[]> {
  const wanted = target === undefined ? providers : [target.provider];
  return Promise.all(
    wanted.map(async (provider) => {
      const { body } = await callApi<PlanAnswer>('POST', `envsync-dry-run?provider=${encodeURIComponent(provider)}`, target === undefined ? {} : { target: target.id });
      return { provider, body };
    }),
  );
}

function answerSection(provider: string, answer: PlanAnswer, session: Session, showRun: (runId: string) => Promise<void>): Node {
  if (!('results' in answer)) {
    return notice('info', `${provider}: the plan of ${answer.targets} targets runs in the background (run `, runLink(answer.runId), '). Its reports appear under Targets when it is done.');
  }
  const total = answer.results.reduce((sum, report) => sum + changeCount(report), 0);
  const section = h(
    'section',
    { class: 'plan', 'aria-label': `${provider} plan` },
    h('h3', {}, `${provider}: ${total} change${total === 1 ? '' : 's'} planned across ${answer.results.length} target${answer.results.length === 1 ? '' : 's'}`),
    answer.results.map(reportSection),
  );
  const planId = answer.planId;
  if (session.role === 'write' && planId !== undefined && total > 0) section.append(applyButton(provider, planId, total, answer, showRun));
  return section;
}

function applyButton(provider: string, planId: string, total: number, answer: SyncBody, showRun: (runId: string) => Promise<void>): HTMLElement {
  const status = h('div', { 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'danger', 'data-write': 'apply-plan' }, 'Apply this plan');
  on(button, 'click', () => {
    const targets = answer.results.filter((report) => changeCount(report) > 0).map((report) => report.target);
    void confirmWrite(`Apply this ${provider} plan?`, 'Apply', h('p', {}, `${total} change${total === 1 ? '' : 's'} to ${targets.join(', ')}, exactly as planned (plan ${planId}).`), h('p', {}, 'If a target changed since the plan, nothing is written and you are asked to plan again.')).then(
      async (confirmed) => {
        if (!confirmed) return;
        button.disabled = true;
        try {
          const { body } = await callApi<SyncBody | QueuedBody>('POST', `envsync-apply?provider=${encodeURIComponent(provider)}`, { planId });
          await showRun(body.runId);
        } catch (error) {
          button.disabled = false;
          replace(status, failure(error));
        }
      },
    );
  });
  return h('div', { class: 'actions' }, button, status);
}

type StalePlan = z.infer<typeof stalePlanResponseSchema>;

/** A refused apply; a stale plan (409) lists every planned slot that moved since the dry-run. */
function failure(error: unknown): HTMLElement {
  if (!(error instanceof ApiError) || error.code !== 'stale-plan' || typeof error.body !== 'object' || error.body === null || !('moved' in error.body)) {
    return notice('error', messageOf(error));
  }
  const { moved } = error.body as StalePlan;
  return notice(
    'error',
    h('p', {}, 'Nothing was written: the plan is stale. These planned keys changed since the dry-run; plan again and review the new plan.'),
    h(
      'ul',
      { class: 'moved', 'aria-label': 'Moved since the plan' },
      moved.flatMap((target) =>
        target.slots.map((slot) => h('li', {}, `${target.provider} · ${target.target}: `, keyLink(slot.key), slot.context === '*' ? '' : ` [${slot.context}]`, ` (${slot.why})`)),
      ),
    ),
  );
}
