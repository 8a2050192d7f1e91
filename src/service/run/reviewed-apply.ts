import { randomUUID } from 'node:crypto';
import type { Settings } from '../../config/settings.ts';
import { summarizeError, SyncError } from '../../errors.ts';
import { createBudget, functionBudgetsMs } from '../../http/budget.ts';
import { isProviderId, type ProviderId } from '../../providers/index.ts';
import type { StoredPlan, TargetPlan } from '../../storage/plans.ts';
import type { Storage } from '../../storage/types.ts';
import type { ServiceDeps } from '../deps.ts';
import { planChecker, planEnforcer, staleError, type MovedTarget } from './reviewed.ts';
import { runSync, type SyncRun } from './run-sync.ts';
import { workForProvider, type ProviderWork } from './work.ts';

/**
 * Applying a reviewed plan (`{ "planId": ... }` on envsync-apply or envsync-apply-all): every target
 * of the plan is read and checked first, and only when no planned slot moved is anything written,
 * and then exactly the planned changes.
 */

/** What an apply by planId ended with. */
export type ReviewedApply =
  | { readonly kind: 'stale'; readonly error: SyncError; readonly moved: readonly MovedTarget[] }
  | { readonly kind: 'done'; readonly run: SyncRun; readonly mode: 'dry-run' | 'enforce' };

/** An apply by planId, as the endpoint decided it. */
export interface ReviewedApplyRequest {
  readonly deps: ServiceDeps;
  readonly settings: Settings;
  readonly planId: string;
  /** The provider of `envsync-apply/{provider}`; `undefined` for apply-all. */
  readonly provider: ProviderId | undefined;
  /** One target of the plan, when the request names one. */
  readonly target: string | undefined;
}

/**
 * Checks, then applies, a stored plan.
 * @throws SyncError `not-found` for an unknown or expired planId, `bad-request` when the request's
 *   provider or target is not part of the plan, or the error of a target that could not be read
 *   for the check (nothing written).
 */
export async function applyReviewedPlan(request: ReviewedApplyRequest): Promise<ReviewedApply> {
  const { deps, settings, planId } = request;
  const storage = await deps.openStorage();
  const plan = await storage.plans.get(planId);
  if (plan === undefined) {
    throw new SyncError(
      'not-found',
      `Plan ${planId} is unknown or has expired (plans are kept for ENVSYNC_PLAN_TTL, ${formatTtl(settings.plans.ttlMs)}). Run a new dry-run (POST envsync-dry-run/{provider}), review it, and apply the planId it returns.`,
    );
  }
  const work = workOfPlan(plan, request, deps);
  const budget = createBudget(functionBudgetsMs.http, deps.now);
  const context = { settings, deps, storage, budget };

  const checker = planChecker(plan);
  const check = await runSync({ runId: randomUUID(), mode: 'dry-run', work, kind: 'http', hooks: checker.hooks }, context, { record: false });
  const unread = check.results.find((report) => report.rounds === 0 && report.errors.length > 0);
  if (unread !== undefined) {
    const error = unread.errors[0] ?? summarizeError(undefined);
    throw new SyncError(error.code, `${unread.provider} ${unread.target} could not be read to check plan ${planId}, so nothing was written: ${error.message}`);
  }
  const moved = checker.moved();
  if (moved.length > 0) return { kind: 'stale', error: staleError(planId, moved), moved };

  const mode = settings.mode;
  const run = await runSync({ runId: randomUUID(), mode, work, kind: 'http', hooks: planEnforcer(plan), planId }, context);
  return { kind: 'done', run, mode };
}

/**
 * Refuses a manual apply without a planId when ENVSYNC_REQUIRE_PLAN is on.
 * @throws SyncError `bad-request` saying how to get a plan.
 */
export function requireNoPlanNeeded(settings: Settings, endpoint: string): void {
  if (!settings.plans.required) return;
  throw new SyncError(
    'bad-request',
    `ENVSYNC_REQUIRE_PLAN is true, so ${endpoint} only applies a reviewed plan: POST envsync-dry-run/{provider}, review the result, then POST ${endpoint} with {"planId":"<the planId it returned>"}. The schedule and the post-deploy hook keep running without one.`,
  );
}

/** Saves a dry-run's plan; a storage failure becomes a warning and the response carries no planId. */
export async function storePlan(
  storage: Storage,
  made: { readonly planId: string; readonly runId: string; readonly targets: readonly TargetPlan[] },
  settings: Settings,
  deps: ServiceDeps,
): Promise<{ readonly ok: boolean; readonly warnings: string[] }> {
  const nowMs = (deps.now ?? Date.now)();
  const plan: StoredPlan = {
    version: 1,
    planId: made.planId,
    runId: made.runId,
    createdAt: new Date(nowMs).toISOString(),
    expiresAt: new Date(nowMs + settings.plans.ttlMs).toISOString(),
    targets: [...made.targets],
  };
  try {
    await storage.plans.save(plan);
    return { ok: true, warnings: [] };
  } catch (error) {
    const summary = summarizeError(error);
    deps.logger.error('plan.store_failed', { planId: made.planId, code: summary.code });
    return { ok: false, warnings: [`The plan could not be stored (${summary.code}: ${summary.message}), so this dry-run has no planId to apply. The plan itself is shown here.`] };
  }
}

/** The work of a plan: its targets, narrowed to the request's provider and target, each still configured. */
function workOfPlan(plan: StoredPlan, request: ReviewedApplyRequest, deps: ServiceDeps): ProviderWork[] {
  const chosen = plan.targets.filter(
    (item) => (request.provider === undefined || item.provider === request.provider) && (request.target === undefined || item.target === request.target),
  );
  if (chosen.length === 0) {
    const covered = plan.targets.map((item) => `${item.provider} ${item.target}`).join(', ') || 'no target';
    const asked = [request.provider, request.target].filter((part) => part !== undefined).join(' ');
    throw new SyncError('bad-request', `Plan ${plan.planId} covers ${covered}, not ${asked}. Apply it with envsync-apply-all, or name one of its targets.`);
  }
  const providers = [...new Set(chosen.map((item) => item.provider))];
  return providers.map((provider) => {
    if (!isProviderId(provider)) {
      throw new SyncError('bad-request', `Plan ${plan.planId} names provider ${provider}, which this EnvSync does not have. Run a new dry-run.`);
    }
    const targets = chosen.filter((item) => item.provider === provider).map((item) => item.target);
    // Each target must still be configured and its provider enabled.
    for (const target of targets) workForProvider(request.settings, deps.adapters[provider], target);
    return { provider, targets };
  });
}

function formatTtl(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1_000)}s`;
}
