import { randomUUID } from 'node:crypto';
import { loadSettings } from '../../config/load.ts';
import type { SyncReport } from '../../core/report.ts';
import { SyncError, summarizeError } from '../../errors.ts';
import { createBudget, functionBudgetsMs } from '../../http/budget.ts';
import { isProviderId, type ProviderId } from '../../providers/index.ts';
import type { RunProgress } from '../../storage/types.ts';
import { readJsonBody } from '../http/body.ts';
import type { Endpoint } from '../http/endpoint.ts';
import { backgroundFunctionName, verifyRunSignature } from '../run/fan-out.ts';
import { backgroundBodySchema } from '../http/inputs.ts';
import { recordReports, recordRunHealth, isBusyReport } from '../run/record.ts';
import { jsonResponse } from '../http/responses.ts';
import { prepareRun, runPublisher, type RunContext, type TargetSyncer } from '../run/run-sync.ts';

/** Time kept free before starting another target, so a target is never cut off by the 15 min limit. */
const perTargetReserveMs = 60_000;

/**
 * How long a background invocation's claim on its run holds without a progress save. Every save
 * renews it, so it only runs out when the invocation died; a platform retry after that may take
 * the run over (with a still-valid signature). Each target stays behind its own per-target lease
 * meanwhile, so even an overlap could not write one target twice at once.
 */
export const backgroundClaimTtlMs = 5 * 60_000;

/**
 * The background function: runs a queued fan-out run target by target, saving each report and the
 * run's progress after every target, so the runs endpoint shows how far it got.
 *
 * It runs a run only with a valid, unexpired signature, and only after claiming it: the claim
 * turns `queued` into `running` under this invocation's own lease id with a compare-and-set, so a
 * second invocation of the same run (a replayed request, a duplicate start) is refused with 409
 * and runs nothing. A finished run answers its progress.
 */
export const backgroundEndpoint: Endpoint = {
  name: backgroundFunctionName,
  methods: ['POST'],
  async run(request, deps) {
    const { runId } = await readJsonBody(request, backgroundBodySchema);
    const settings = loadSettings(deps.env);
    verifyRunSignature(request, settings, runId, (deps.now ?? Date.now)());
    const storage = await deps.openStorage();
    const leaseId = randomUUID();
    const claim = await storage.runs.claim(runId, leaseId, backgroundClaimTtlMs);
    if (claim.outcome === 'not-found') throw new SyncError('not-found', `No queued run ${runId}; it may have been pruned from the run history.`);
    if (claim.outcome === 'finished') return jsonResponse(200, claim.progress);
    if (claim.outcome === 'busy') {
      throw new SyncError(
        'conflict',
        `Run ${runId} is already being run by another invocation of ${backgroundFunctionName}${claim.progress.leaseExpiresAt === undefined ? '' : ` (its claim holds until ${claim.progress.leaseExpiresAt})`}, so this one runs nothing. Follow it with envsync-runs?runId=${runId}.`,
      );
    }
    const context: RunContext = { settings, deps, storage, budget: createBudget(functionBudgetsMs.background, deps.now) };
    return jsonResponse(200, await processRun(claim.progress, context, { leaseId, ttlMs: backgroundClaimTtlMs }));
  },
};

/**
 * Syncs every pending target of a run, recording progress after each.
 *
 * The providers run at the same time, each its targets one after another: they share no rate
 * limit, and within a provider the targets share ONE connection (one Render write budget, one
 * Netlify rate-limit gate and account lookup), which is what keeps a fleet clear of 429s.
 */
export async function processRun(queued: RunProgress, context: RunContext, lease?: { readonly leaseId: string; readonly ttlMs: number }): Promise<RunProgress> {
  const { storage, deps, settings, budget } = context;
  const nowMs = () => (deps.now ?? Date.now)();
  const stamp = () => new Date(nowMs()).toISOString();
  // Each save renews this invocation's claim on the run.
  const held = (): Partial<RunProgress> => (lease === undefined ? {} : { leaseId: lease.leaseId, leaseExpiresAt: new Date(nowMs() + lease.ttlMs).toISOString() });
  let progress: RunProgress = { ...queued, status: 'running', updatedAt: stamp(), ...held() };
  const synced: SyncReport[] = [];
  // Saves are chained: two providers finishing a target at once must not save out of order.
  let saving: Promise<void> = Promise.resolve();
  const save = (update: RunProgress): Promise<void> => {
    const next = { ...update, ...held() };
    progress = next;
    saving = saving.then(() => storage.runs.saveProgress(next));
    return saving;
  };
  const finish = async (status: RunProgress['status'], problems: readonly string[]) => {
    await save({ ...progress, status, updatedAt: stamp(), ...(problems.length > 0 ? { error: problems.join(' ') } : {}) });
    await recordRunHealth(storage, { runId: progress.runId, mode: progress.mode, startedAt: progress.startedAt, finishedAt: progress.updatedAt }, synced, deps.logger);
    deps.logger.info('run.finished', { runId: progress.runId, status, done: progress.done.length, pending: progress.pending.length });
    return progress;
  };
  await save(progress);
  if (!settings.enabled) return finish('failed', ['ENVSYNC_ENABLED was turned off before the run started; nothing was synced.']);

  const busy: string[] = [];
  const failed: string[] = [];
  const lanes = new Map<ProviderId, { key: string; id: string }[]>();
  const invalid: string[] = [];
  for (const key of queued.pending) {
    const target = parseTargetKey(key);
    if (target === undefined) {
      invalid.push(key);
      continue;
    }
    const lane = lanes.get(target.provider) ?? [];
    lane.push({ key, id: target.id });
    lanes.set(target.provider, lane);
  }

  let sync: TargetSyncer;
  try {
    const targets = [...lanes].flatMap(([provider, lane]) => lane.map(({ id }) => ({ provider, id })));
    sync = await prepareRun({ runId: queued.runId, mode: queued.mode, kind: 'background', targets, ...(queued.keys === undefined ? {} : { keys: queued.keys }) }, context);
  } catch (error) {
    const summary = summarizeError(error);
    return finish('failed', [`${summary.code}: ${summary.message}`]);
  }

  // `done` keeps the queue's order whatever order the providers finish in.
  const order = [...queued.done, ...queued.pending];
  const finished = new Set(queued.done);
  const complete = (key: string): Promise<void> => {
    finished.add(key);
    return save({
      ...progress,
      pending: progress.pending.filter((item) => item !== key),
      done: order.filter((item) => finished.has(item)),
      updatedAt: stamp(),
    });
  };
  for (const key of invalid) {
    failed.push(`${key} (not a provider:target pair)`);
    await complete(key);
  }

  const publisher = runPublisher(
    { runId: queued.runId, kind: 'background', trigger: queued.trigger ?? 'api', ...(queued.reason === undefined ? {} : { reason: queued.reason }), ...(queued.keys === undefined ? {} : { keys: queued.keys }) },
    context,
  );
  let outOfTime = false;
  const settled = await Promise.allSettled(
    [...lanes].map(async ([provider, lane]) => {
      for (const { key, id } of lane) {
        if (budget.remainingMs() < perTargetReserveMs) {
          outOfTime = true;
          return;
        }
        const reports = await syncOne(key, provider, id, sync, failed);
        await recordReports(storage, reports, deps.logger, { tickets: queued.keys === undefined });
        synced.push(...reports);
        await publisher.publish(reports);
        if (reports.some(isBusyReport)) busy.push(key);
        await complete(key);
      }
    }),
  );
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  if (outOfTime) {
    return finish('failed', [`Ran out of time with ${progress.pending.length} target(s) left; they are synced by the next run.`, ...describe(busy, failed)]);
  }
  return finish('done', describe(busy, failed));
}

/** `render:srv-1` → its provider and id, or `undefined` when it is not such a pair. */
function parseTargetKey(key: string): { provider: ProviderId; id: string } | undefined {
  const separator = key.indexOf(':');
  const provider = key.slice(0, separator);
  if (separator < 0 || !isProviderId(provider)) return undefined;
  return { provider, id: key.slice(separator + 1) };
}

async function syncOne(key: string, provider: ProviderId, id: string, sync: TargetSyncer, failed: string[]): Promise<SyncReport[]> {
  try {
    return await sync(provider, [id]);
  } catch (error) {
    failed.push(`${key} (${summarizeError(error).code})`);
    return [];
  }
}

function describe(busy: readonly string[], failed: readonly string[]): string[] {
  return [
    ...(busy.length > 0 ? [`Skipped because another sync held them: ${busy.join(', ')}.`] : []),
    ...(failed.length > 0 ? [`Could not be synced: ${failed.join(', ')}; see their reports and the function log.`] : []),
  ];
}
