import { randomUUID } from 'node:crypto';
import type * as z from 'zod';
import type { Settings } from '../../config/settings.ts';
import type { RunTrigger } from '../../core/trigger.ts';
import { isInSync } from '../../core/report.ts';
import { SyncError } from '../../errors.ts';
import type { TargetRef } from '../../core/ledger.ts';
import type { Storage } from '../../storage/types.ts';
import { createBudget, functionBudgetsMs } from '../../http/budget.ts';
import { requireRole } from '../http/auth.ts';
import { readJsonBody } from '../http/body.ts';
import type { ServiceDeps } from '../deps.ts';
import type { Endpoint } from '../http/endpoint.ts';
import { backgroundUrl, dispatchToBackground, queuedBody, shouldFanOut } from '../run/fan-out.ts';
import { requestedTarget, syncBodySchema } from '../http/inputs.ts';
import { isBusyReport, recordReports } from '../run/record.ts';
import { applyReviewedPlan, requireNoPlanNeeded, storePlan, type ReviewedApply } from '../run/reviewed-apply.ts';
import { planRecorder } from '../run/reviewed.ts';
import { jsonResponse } from '../http/responses.ts';
import type { stalePlanResponseSchema } from '../http/trust-schemas.ts';
import { providerFromRequest, requireNoSubPath } from '../http/route.ts';
import { finishRun, runSync, type SyncRun } from '../run/run-sync.ts';
import { loadEnabledSettings, targetsOf, workForAll, workForProvider, type ProviderWork } from '../run/work.ts';

/** `POST /.netlify/functions/envsync-dry-run/{provider}`: plans every target of a provider, writes nothing. */
export const dryRunEndpoint = syncEndpoint('envsync-dry-run', 'plan', 'provider');
/** `POST /.netlify/functions/envsync-apply/{provider}`: applies the canonical set to every target of a provider. */
export const applyEndpoint = syncEndpoint('envsync-apply', 'apply', 'provider');
/** `POST /.netlify/functions/envsync-apply-all`: applies to every target of every enabled provider. */
export const applyAllEndpoint = syncEndpoint('envsync-apply-all', 'apply', 'all');

/**
 * The three sync endpoints share one flow: authenticate, find the provider, read the body, load
 * and check the settings, decide the targets, then run here or, above the fan-out threshold, in
 * the background function (202 + runId). Every refusal happens before anything is read or written.
 */
function syncEndpoint(name: string, action: 'plan' | 'apply', scope: 'provider' | 'all'): Endpoint {
  return {
    name,
    methods: ['POST'],
    async run(request, deps) {
      // A dry-run only reads the targets, so the read token may call it.
      requireRole(request, deps.env, action === 'plan' ? 'read' : 'write');
      const provider = scope === 'provider' ? providerFromRequest(request, name) : (requireNoSubPath(request, name), undefined);
      const body = await readJsonBody(request, syncBodySchema);
      const target = requestedTarget(request, body);
      const settings = loadEnabledSettings(deps.env);
      if (action === 'plan' && body.planId !== undefined) {
        throw new SyncError('bad-request', `${name} makes a new plan and takes no planId. To apply a reviewed plan, POST {"planId":"..."} to envsync-apply or envsync-apply-all.`);
      }
      const note = action === 'apply' && settings.mode === 'dry-run' ? dryRunModeNote : undefined;
      if (action === 'apply' && body.planId !== undefined) {
        const outcome = await applyReviewedPlan({ deps, settings, planId: body.planId, provider, target });
        if (outcome.kind === 'stale') return staleResponse(outcome);
        return jsonResponse(200, { planId: body.planId, ...syncBody(outcome.run, outcome.mode, note) });
      }
      const origin = originOf(request);
      if (action === 'apply' && origin.trigger !== 'deploy') requireNoPlanNeeded(settings, name);
      const work = provider === undefined ? workForAll(settings, deps.adapters, target) : [workForProvider(settings, deps.adapters[provider], target)];
      const mode = action === 'plan' ? 'dry-run' : settings.mode;
      return runOrQueue({ request, deps, settings, work, mode, note, trigger: origin.trigger, ...pick(origin) });
    },
  };
}

/** Header the build plugin sends so its runs' events say `deploy` rather than `api`. */
export const triggerHeader = 'x-envsync-trigger';

/** Why an apply endpoint only planned. */
export const dryRunModeNote =
  'ENVSYNC_MODE is dry-run, so this apply only planned: nothing was written (applied: false) and the differences are listed as pending. Set ENVSYNC_MODE=enforce to apply.';

/** A decided run, ready to start. */
export interface RunRequest {
  readonly request: Request;
  readonly deps: ServiceDeps;
  readonly settings: Settings;
  readonly work: readonly ProviderWork[];
  readonly mode: 'dry-run' | 'enforce';
  readonly note: string | undefined;
  /** The scheduled function starts the background one through the site's primary URL. */
  readonly scheduled?: boolean;
  /** Storage the caller already opened. */
  readonly storage?: Storage;
  /** What started the run, carried by its events and the change history. */
  readonly trigger: RunTrigger;
  /** The caller's reason (envsync-trigger). */
  readonly reason?: string;
  /** Only these keys (SECRET_ROTATED). */
  readonly keys?: readonly string[];
  /** For a deploy: the deploy and its commit, for the change history. */
  readonly deployId?: string;
  readonly commit?: string;
}

/** Who started a run: the build plugin's deploy (with its deploy id and commit), or an API call. */
export interface RunOrigin {
  readonly trigger: 'api' | 'deploy';
  readonly deployId?: string;
  readonly commit?: string;
}

/**
 * Headers the build plugin sends: `x-envsync-trigger: deploy` (so its runs' events and history say
 * `deploy` rather than `api`), `x-envsync-deploy-id`, `x-envsync-commit`. Any other value is ignored.
 */
export function originOf(request: Request): RunOrigin {
  if (request.headers.get(triggerHeader)?.trim().toLowerCase() !== 'deploy') return { trigger: 'api' };
  const safe = (name: string) => {
    const value = request.headers.get(name)?.trim();
    return value !== undefined && /^[A-Za-z0-9._-]{1,100}$/.test(value) ? value : undefined;
  };
  const deployId = safe('x-envsync-deploy-id');
  const commit = safe('x-envsync-commit');
  return { trigger: 'deploy', ...(deployId === undefined ? {} : { deployId }), ...(commit === undefined ? {} : { commit }) };
}

/** Runs the work in this invocation, or queues it for the background function when it is large. */
export async function runOrQueue(run: RunRequest): Promise<Response> {
  const { deps, settings, work, mode, note, trigger } = run;
  const reason = { ...(run.reason === undefined ? {} : { reason: run.reason }), ...(run.keys === undefined ? {} : { keys: run.keys }) };
  const storage = run.storage ?? (await deps.openStorage());
  const runId = randomUUID();
  const targets = targetsOf(work);
  if (shouldFanOut(targets.length)) {
    const url = backgroundUrl(run.request, deps.env, run.scheduled === true);
    const progress = await dispatchToBackground({ runId, mode, targets, trigger, ...reason }, { settings, storage, deps, url });
    return jsonResponse(202, queuedBody(progress, note));
  }
  const budget = createBudget(run.scheduled === true ? functionBudgetsMs.scheduled : functionBudgetsMs.http, deps.now);
  const kind = run.scheduled === true ? 'scheduled' : 'http';
  const context = { settings, deps, storage, budget };
  const origin = { ...(run.deployId === undefined ? {} : { deployId: run.deployId }), ...(run.commit === undefined ? {} : { commit: run.commit }) };
  if (mode === 'dry-run') {
    // A dry-run's reports are recorded once its plan is stored (without the planId when it could not be).
    const startedAt = new Date((deps.now ?? Date.now)()).toISOString();
    const recorder = planRecorder();
    const planId = storage.plans.newPlanId((deps.now ?? Date.now)() + settings.plans.ttlMs);
    const job = { runId, mode, work, kind, hooks: recorder.hooks, planId, trigger, ...reason, ...origin } as const;
    const result = await runSync(job, context, { record: false });
    const stored = await storePlan(storage, { planId, runId, targets: recorder.targets() }, settings, deps);
    const reports = stored.ok ? result.results : result.results.map(({ planId: _unused, ...report }) => report);
    const warnings = [...result.warnings, ...stored.warnings, ...(await recordReports(storage, reports, deps.logger, { tickets: run.keys === undefined }))];
    warnings.push(...(await finishRun(job, context, reports, startedAt)));
    return jsonResponse(200, { ...(stored.ok ? { planId } : {}), ...syncBody({ runId, results: reports, warnings }, mode, note) });
  }
  // What the budget cannot fit (Blobs writes included) goes to the background function, with the
  // run's trigger, reason and keys so its events and key scope stay the same.
  const handOff = (left: readonly TargetRef[]) =>
    dispatchToBackground({ runId: randomUUID(), mode, targets: left, trigger, ...reason }, { settings, storage, deps, url: backgroundUrl(run.request, deps.env, run.scheduled === true) });
  const result = await runSync({ runId, mode, work, kind, handOff, trigger, ...reason, ...origin }, context);
  return jsonResponse(200, syncBody(result, mode, note));
}

/** The deploy id and commit of an origin, when it has them. */
function pick(origin: RunOrigin): { deployId?: string; commit?: string } {
  return { ...(origin.deployId === undefined ? {} : { deployId: origin.deployId }), ...(origin.commit === undefined ? {} : { commit: origin.commit }) };
}

/**
 * The 200 answer of a finished run. When every target was busy, nothing happened at all, and the
 * request is answered 409 instead.
 */
export function syncBody(run: SyncRun, mode: 'dry-run' | 'enforce', note: string | undefined): Record<string, unknown> {
  const busy = run.results.filter(isBusyReport);
  if (busy.length > 0 && busy.length === run.results.length) {
    const messages = [...new Set(busy.flatMap((report) => report.errors.map((error) => error.message)))];
    throw new SyncError('conflict', messages.join(' '));
  }
  return {
    runId: run.runId,
    mode,
    summary: {
      targets: run.results.length,
      inSync: run.results.filter(isInSync).length,
      pending: run.results.filter((report) => report.pending.length > 0).length,
      withErrors: run.results.filter((report) => report.errors.length > 0).length,
    },
    ...(note === undefined ? {} : { note }),
    ...(run.warnings.length > 0 ? { warnings: run.warnings } : {}),
    ...(run.handedOff === undefined ? {} : { handedOff: queuedBody(run.handedOff, undefined) }),
    results: run.results,
  };
}

/**
 * The 409 of a stale plan: the usual error shape, plus `moved` naming each target and slot that
 * changed and why, for a reviewer (and the dashboard) to see what to look at.
 */
function staleResponse(outcome: Extract<ReviewedApply, { kind: 'stale' }>): Response {
  const body: z.infer<typeof stalePlanResponseSchema> = {
    error: { code: 'stale-plan', message: outcome.error.message },
    moved: outcome.moved.map((item) => ({ provider: item.provider, target: item.target, slots: [...item.slots] })),
  };
  return jsonResponse(409, body);
}
