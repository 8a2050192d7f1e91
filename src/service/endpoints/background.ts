import { loadSettings } from '../../config/load.ts';
import type { SyncReport } from '../../core/report.ts';
import { SyncError, summarizeError } from '../../errors.ts';
import { createBudget, functionBudgetsMs } from '../../http/budget.ts';
import { isProviderId } from '../../providers/ids.ts';
import type { RunProgress } from '../../storage/types.ts';
import { readJsonBody } from '../http/body.ts';
import type { Endpoint } from '../http/endpoint.ts';
import { backgroundFunctionName, verifyRunSignature } from '../run/fan-out.ts';
import { backgroundBodySchema } from '../http/inputs.ts';
import { recordReports, isBusyReport } from '../run/record.ts';
import { jsonResponse } from '../http/responses.ts';
import { prepareRun, type RunContext, type TargetSyncer } from '../run/run-sync.ts';

/** Time kept free before starting another target, so a target is never cut off by the 15 min limit. */
const perTargetReserveMs = 60_000;

/**
 * The background function: runs a queued fan-out run target by target, saving each report and the
 * run's progress after every target, so the runs endpoint shows how far it got and a platform
 * retry of a crashed invocation carries on with the targets still pending.
 */
export const backgroundEndpoint: Endpoint = {
  name: backgroundFunctionName,
  methods: ['POST'],
  async run(request, deps) {
    const { runId } = await readJsonBody(request, backgroundBodySchema);
    const settings = loadSettings(deps.env);
    verifyRunSignature(request, settings, runId);
    const storage = await deps.openStorage();
    const progress = await storage.runs.getProgress(runId);
    if (progress === undefined) throw new SyncError('not-found', `No queued run ${runId}; it may have been pruned from the run history.`);
    if (progress.status === 'done' || progress.status === 'failed') return jsonResponse(200, progress);
    const context: RunContext = { settings, deps, storage, budget: createBudget(functionBudgetsMs.background, deps.now) };
    return jsonResponse(200, await processRun(progress, context));
  },
};

/** Syncs every pending target of a run, one at a time, recording progress after each. */
export async function processRun(queued: RunProgress, context: RunContext): Promise<RunProgress> {
  const { storage, deps, settings, budget } = context;
  const stamp = () => new Date((deps.now ?? Date.now)()).toISOString();
  let progress: RunProgress = { ...queued, status: 'running', updatedAt: stamp() };
  const finish = async (status: RunProgress['status'], problems: readonly string[]) => {
    progress = { ...progress, status, updatedAt: stamp(), ...(problems.length > 0 ? { error: problems.join(' ') } : {}) };
    await storage.runs.saveProgress(progress);
    deps.logger.info('run.finished', { runId: progress.runId, status, done: progress.done.length, pending: progress.pending.length });
    return progress;
  };
  await storage.runs.saveProgress(progress);
  if (!settings.enabled) return finish('failed', ['ENVSYNC_ENABLED was turned off before the run started; nothing was synced.']);

  let sync;
  try {
    sync = await prepareRun({ runId: queued.runId, mode: queued.mode, kind: 'background' }, context);
  } catch (error) {
    const summary = summarizeError(error);
    return finish('failed', [`${summary.code}: ${summary.message}`]);
  }

  const busy: string[] = [];
  const failed: string[] = [];
  for (const key of queued.pending) {
    if (budget.remainingMs() < perTargetReserveMs) {
      return finish('failed', [`Ran out of time with ${progress.pending.length} target(s) left; they are synced by the next run.`, ...describe(busy, failed)]);
    }
    const reports = await syncOne(key, sync, failed);
    await recordReports(storage, reports, deps.logger);
    if (reports.some(isBusyReport)) busy.push(key);
    progress = { ...progress, pending: progress.pending.filter((item) => item !== key), done: [...progress.done, key], updatedAt: stamp() };
    await storage.runs.saveProgress(progress);
  }
  return finish('done', describe(busy, failed));
}

async function syncOne(
  key: string,
  sync: TargetSyncer,
  failed: string[],
): Promise<SyncReport[]> {
  const separator = key.indexOf(':');
  const provider = key.slice(0, separator);
  const id = key.slice(separator + 1);
  if (separator < 0 || !isProviderId(provider)) {
    failed.push(`${key} (not a provider:target pair)`);
    return [];
  }
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
