import { randomUUID } from 'node:crypto';
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
import { isBusyReport } from '../run/record.ts';
import { jsonResponse } from '../http/responses.ts';
import { providerFromRequest, requireNoSubPath } from '../http/route.ts';
import { runSync, type SyncRun } from '../run/run-sync.ts';
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
      const target = requestedTarget(request, await readJsonBody(request, syncBodySchema));
      const settings = loadEnabledSettings(deps.env);
      const work = provider === undefined ? workForAll(settings, deps.adapters, target) : [workForProvider(settings, deps.adapters[provider], target)];
      const mode = action === 'plan' ? 'dry-run' : settings.mode;
      const note = action === 'apply' && settings.mode === 'dry-run' ? dryRunModeNote : undefined;
      return runOrQueue({ request, deps, settings, work, mode, note, trigger: triggerOf(request) });
    },
  };
}

/** Header the build plugin sends so its runs' events say `deploy` rather than `api`. */
export const triggerHeader = 'x-envsync-trigger';

/** `deploy` when the build plugin says so, `api` for every other call. Any other value is ignored. */
function triggerOf(request: Request): RunTrigger {
  return request.headers.get(triggerHeader)?.trim().toLowerCase() === 'deploy' ? 'deploy' : 'api';
}

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
  /** What started the run, carried by its events. */
  readonly trigger: RunTrigger;
  /** The caller's reason (envsync-trigger). */
  readonly reason?: string;
  /** Only these keys (SECRET_ROTATED). */
  readonly keys?: readonly string[];
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
  // What the budget cannot fit (Blobs writes included) goes to the background function, with the
  // run's trigger, reason and keys so its events and key scope stay the same.
  const handOff = (left: readonly TargetRef[]) =>
    dispatchToBackground({ runId: randomUUID(), mode, targets: left, trigger, ...reason }, { settings, storage, deps, url: backgroundUrl(run.request, deps.env, run.scheduled === true) });
  const result = await runSync({ runId, mode, work, kind, handOff, trigger, ...reason }, { settings, deps, storage, budget });
  return jsonResponse(200, syncBody(result, mode, note));
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
