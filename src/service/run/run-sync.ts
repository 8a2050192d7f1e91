import { readFile } from 'node:fs/promises';
import type { Settings } from '../../config/settings.ts';
import { loadCanonical } from '../../core/canonical.ts';
import { createConnectionPool } from '../../core/connections.ts';
import { syncProvider, type EngineDeps } from '../../core/engine.ts';
import type { RunHooks } from '../../core/hooks.ts';
import type { TargetRef } from '../../core/ledger.ts';
import { createRedactor } from '../../core/redact.ts';
import type { SyncReport } from '../../core/report.ts';
import type { RunTrigger } from '../../core/trigger.ts';
import { createTokenCache } from '../../discovery/index.ts';
import { createPublisher, type Publisher } from '../../events/publish.ts';
import type { Budget } from '../../http/budget.ts';
import type { ProviderId } from '../../providers/index.ts';
import type { RunProgress, Storage } from '../../storage/types.ts';
import { defaultLeaseTtlMs } from '../../storage/locks.ts';
import type { FunctionKind, ServiceDeps } from '../deps.ts';
import { combineHooks, openBookkeeping, type RunMeta } from './bookkeeping.ts';
import { createLockGuard } from './lock-guard.ts';
import { recordReports, recordRunHealth } from './record.ts';
import { targetsOf, type ProviderWork } from './work.ts';

/** One sync run as the functions start it. */
export interface SyncJob {
  readonly runId: string;
  readonly mode: 'dry-run' | 'enforce';
  readonly work: readonly ProviderWork[];
  /** Which function runs it, recorded in its leases' holder name. */
  readonly kind: FunctionKind;
  /**
   * Takes the targets the budget could not fit (the background function queues them as a run of
   * their own). Without it every target is started, as the background function itself does.
   */
  readonly handOff?: (targets: readonly TargetRef[]) => Promise<RunProgress>;
  /** What started it, carried by its events and the change history. @default 'api' ('schedule' for the scheduled kind, 'rollback' with `undoes`) */
  readonly trigger?: RunTrigger;
  /** The caller's reason (envsync-trigger, rollback), carried by its events and the change history. */
  readonly reason?: string;
  /** For deploy triggers: the deploy and its commit, for the change history. */
  readonly deployId?: string;
  readonly commit?: string;
  /** Bookkeeping hooks for the engine (reviewed plans), beside the run's own (rollback snapshots and holds). */
  readonly hooks?: RunHooks;
  /** The reviewed plan this run made (dry-run) or carries out (apply), put on every report. */
  readonly planId?: string;
  /** For a rollback: the run it undoes, and the prior values it writes (they take the canonical values' place). */
  readonly undoes?: string;
  readonly values?: ReadonlyMap<string, string>;
  /**
   * Only these keys (SECRET_ROTATED): the run writes them alone, deletes nothing, and leaves the
   * tickets (which are about every key) as they are.
   */
  readonly keys?: readonly string[];
}

/** What a run needs around the engine. */
export interface RunContext {
  readonly settings: Settings;
  readonly deps: ServiceDeps;
  readonly storage: Storage;
  readonly budget: Budget;
}

/** A finished run: its reports and any storage warning. */
export interface SyncRun {
  readonly runId: string;
  readonly results: SyncReport[];
  readonly warnings: string[];
  /** The run the targets that did not fit were handed to, when there were any. */
  readonly handedOff?: RunProgress;
}

/** Syncs some targets of one provider within a run, with everything loaded once per run. */
export type TargetSyncer = (provider: ProviderId, targets: readonly string[]) => Promise<SyncReport[]>;

/**
 * Prepares a run: loads the canonical set and creates the token cache once, so a run over many
 * targets and both providers reads the canonical file and discovers each token a single time,
 * opens ONE connection per provider for the whole run (its rate budgets belong to the token, so
 * every target of the run must draw on the same ones; see core/connections.ts), and wires the
 * engine's guard to the Blobs leases (enforce only: a plan writes nothing, so it needs no lock and
 * never gets a 409).
 *
 * @param job.targets - every target the run will sync, in order: shared write budgets are
 *   reserved for the ones still to come.
 * @throws SyncError `canonical-invalid` when the canonical set cannot be loaded.
 */
export async function prepareRun(
  job: Omit<SyncJob, 'work' | 'handOff'> & { readonly targets: readonly TargetRef[] },
  context: RunContext,
  hooks: Pick<EngineDeps, 'mayStart' | 'onTargetDone'> = {},
): Promise<TargetSyncer> {
  const { deps, storage, budget } = context;
  // A scoped run never deletes, whatever ENVSYNC_ALLOW_DELETIONS says.
  const settings = job.keys === undefined ? context.settings : { ...context.settings, allowDeletions: false };
  const onlyKeys = job.keys === undefined ? undefined : new Set(job.keys);
  const fetch = deps.fetch ?? globalThis.fetch;
  const logger = deps.logger.child({ runId: job.runId });
  const loaded = await loadCanonical(settings, deps.env);
  const merged = job.values === undefined ? loaded : { ...loaded, values: new Map([...loaded.values, ...job.values]) };
  const canonical = onlyKeys === undefined ? merged : { ...merged, values: new Map([...merged.values].filter(([key]) => onlyKeys.has(key))) };
  const now = deps.now ?? Date.now;
  const bookkeeping = await openBookkeeping(metaOf(job), storage, settings, logger, now);
  const runHooks = combineHooks(bookkeeping.hooks, job.hooks);
  const tokens = createTokenCache({ settings, env: deps.env, fetch, readFile: readUtf8, logger });
  const runTargets: Record<string, string[]> = {};
  for (const target of job.targets) (runTargets[target.provider] ??= []).push(target.id);
  // One redactor for the run: the connections use it, the engine teaches it what it reads.
  const redact = createRedactor(canonical.values.values());
  const connections = createConnectionPool({
    settings,
    adapters: deps.adapters,
    tokens,
    budget,
    logger,
    redact,
    runTargets,
    memory: (provider) => storage.providerMemory(provider),
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  });
  const guard =
    job.mode === 'enforce' ? createLockGuard(storage.locks, `${job.kind}:${job.runId}`, defaultLeaseTtlMs, deps.adapters, logger) : undefined;
  // Each report gets the plan id and the target's bookkeeping (history, released holds) as soon as
  // its target is done, before the caller records it: a history or hold that could not be stored is
  // the target's error, visible in the report and its ticket.
  const finished = new Map<string, SyncReport>();
  const finish = async (report: SyncReport): Promise<SyncReport> => {
    const stamped = job.planId === undefined ? report : { ...report, planId: job.planId };
    const problems = await bookkeeping.flush([stamped]);
    const done = problems.length === 0 ? stamped : { ...stamped, errors: [...stamped.errors, ...problems.map((problem) => problem.error)] };
    finished.set(`${done.provider}:${done.target}`, done);
    return done;
  };
  return async (provider, targets) => {
    const reports = await syncProvider(
      { provider, mode: job.mode, targets, runId: job.runId, hooks: runHooks },
      {
        settings,
        env: deps.env,
        ledger: storage.ledger,
        logger,
        budget,
        adapters: deps.adapters,
        tokens,
        canonical,
        connections,
        redact,
        ...(onlyKeys === undefined ? {} : { onlyKeys }),
        ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
        ...(guard === undefined ? {} : { guard }),
        ...(deps.now === undefined ? {} : { now: deps.now }),
        ...(hooks.mayStart === undefined ? {} : { mayStart: hooks.mayStart }),
        onTargetDone: async (report) => {
          await hooks.onTargetDone?.(await finish(report));
        },
      },
    );
    return reports.map((report) => finished.get(`${report.provider}:${report.target}`) ?? report);
  };
}

/** What started a job, when the caller did not say. */
function triggerOf(job: Pick<SyncJob, 'trigger' | 'undoes' | 'kind'>): RunTrigger {
  return job.trigger ?? (job.undoes !== undefined ? 'rollback' : job.kind === 'scheduled' ? 'schedule' : 'api');
}

/** The history's view of a job. */
function metaOf(job: Omit<SyncJob, 'work' | 'handOff'>): RunMeta {
  return {
    runId: job.runId,
    mode: job.mode,
    trigger: triggerOf(job),
    ...(job.reason === undefined ? {} : { reason: job.reason }),
    ...(job.deployId === undefined ? {} : { deployId: job.deployId }),
    ...(job.commit === undefined ? {} : { commit: job.commit }),
    ...(job.undoes === undefined ? {} : { undoes: job.undoes }),
  };
}

/**
 * Time a target is expected to take, the Blobs writes around it included (lease, ledger, report,
 * tickets: about ten requests), before the first one has been measured. Afterwards the longest
 * target of the run so far is the estimate.
 */
export const firstTargetEstimateMs = 5_000;

/**
 * Runs a whole job in this invocation: the providers at the same time (they share no rate limit,
 * so a Render fleet's sequential pages and write budget do not hold Netlify's sites back), each
 * provider's targets one after another within its own limits. Each report goes into the history and
 * the tickets right after its target, so a function killed at its limit loses at most the target in
 * flight. A target starts only when the budget still fits the longest target seen so far (Blobs
 * writes included); those that do not fit are handed to `job.handOff` (the background function)
 * instead of being cut off, and so is a target that met a provider's spent rate window, with the
 * provider's targets after it (see {@link metRateWindow}). Results keep the job's order.
 *
 * With `record: false` nothing is recorded (reports, tickets, events, health): the check pass of a
 * reviewed plan leaves no trace, and a dry-run records its reports once its plan is stored
 * (with {@link recordReports} and {@link finishRun}).
 */
export async function runSync(job: SyncJob, context: RunContext, options: { readonly record?: boolean } = {}): Promise<SyncRun> {
  const record = options.record !== false;
  const now = context.deps.now ?? Date.now;
  const stamp = () => new Date(now()).toISOString();
  const startedAt = stamp();
  const warnings: string[] = [];
  const notStarted: TargetRef[] = [];
  // Providers whose rate window this run has spent: their remaining targets wait in the
  // background function, which has the time to wait for the next window.
  const windowSpent = new Set<string>();
  let estimateMs = firstTargetEstimateMs;
  const hooks: Pick<EngineDeps, 'mayStart' | 'onTargetDone'> = {
    mayStart: (target) => {
      if (job.handOff === undefined || (!windowSpent.has(target.provider) && context.budget.allows(estimateMs))) return true;
      notStarted.push(target);
      return false;
    },
    onTargetDone: async (report) => {
      if (!record) return;
      const recordingStarted = now();
      const waits = job.handOff !== undefined && metRateWindow(report);
      if (waits) {
        windowSpent.add(report.provider);
        notStarted.push({ provider: report.provider, id: report.target });
      }
      // A target handed on for the next rate window has not failed: no failure ticket for it.
      warnings.push(...(await recordReports(context.storage, [report], context.deps.logger, { tickets: job.keys === undefined && !waits })));
      estimateMs = Math.max(estimateMs, report.durationMs + (now() - recordingStarted));
    },
  };
  const sync = await prepareRun({ ...job, targets: targetsOf(job.work) }, context, hooks);
  // allSettled: a provider that fails outright must not leave the other writing after the answer.
  const settled = await Promise.allSettled(job.work.map((work) => sync(work.provider, work.targets)));
  const perProvider = settled.map((outcome) => {
    if (outcome.status === 'rejected') throw outcome.reason;
    return outcome.value;
  });
  const results = perProvider.flat();
  if (record) warnings.push(...(await finishRun(job, context, results, startedAt)));
  const order = targetsOf(job.work).map((target) => `${target.provider}:${target.id}`);
  const left = [...notStarted].sort((a, b) => order.indexOf(`${a.provider}:${a.id}`) - order.indexOf(`${b.provider}:${b.id}`));
  const handedOff = left.length > 0 && job.handOff !== undefined ? await job.handOff(left) : undefined;
  if (handedOff !== undefined) {
    for (const report of results.filter(metRateWindow)) {
      warnings.push(`${report.provider} ${report.target}: the provider's write window is spent for longer than this function has left; its remaining changes continue in background run ${handedOff.runId} (envsync-runs?runId=${handedOff.runId}), which waits for the next window.`);
    }
  }
  return { runId: job.runId, results, warnings, ...(handedOff === undefined ? {} : { handedOff }) };
}

/**
 * Whether a target stopped only because the provider's rate window is spent (Render's 30 writes a
 * minute per API key) and the wait did not fit this function's time: the background function,
 * with 15 minutes, can wait for the next window, so such a target is handed on, not failed.
 */
function metRateWindow(report: SyncReport): boolean {
  return report.errors.some((error) => error.code === 'provider-rate-limited') && report.errors.every((error) => error.code === 'provider-rate-limited' || error.code === 'write-skipped');
}

/**
 * What a run does once its targets are done: publishes its events (webhooks, Slack, the events
 * log) and merges it into the health record. Returns storage warnings.
 */
export async function finishRun(job: Pick<SyncJob, 'runId' | 'mode' | 'kind' | 'trigger' | 'undoes' | 'reason' | 'keys'>, context: RunContext, results: readonly SyncReport[], startedAt: string): Promise<string[]> {
  const now = context.deps.now ?? Date.now;
  const warnings = await runPublisher(job, context).publish(results);
  const run = { runId: job.runId, mode: job.mode, startedAt, finishedAt: new Date(now()).toISOString() };
  warnings.push(...(await recordRunHealth(context.storage, run, results, context.deps.logger)));
  return warnings;
}

/** The run's event publisher (webhooks, Slack, the events log), bounded by the run's budget. */
export function runPublisher(job: Pick<SyncJob, 'runId' | 'kind' | 'trigger' | 'undoes' | 'reason' | 'keys'>, context: RunContext): Publisher {
  const { deps, settings, storage, budget } = context;
  const siteUrl = deps.env['URL'];
  return createPublisher(
    { trigger: triggerOf(job), ...(job.reason === undefined ? {} : { reason: job.reason }) },
    {
      settings,
      storage,
      fetch: deps.fetch ?? globalThis.fetch,
      now: deps.now ?? Date.now,
      logger: deps.logger.child({ runId: job.runId }),
      remainingMs: () => budget.remainingMs(),
      scope: job.keys === undefined ? 'full' : 'keys',
      ...(siteUrl === undefined ? {} : { siteUrl }),
    },
  );
}

function readUtf8(path: string): Promise<string> {
  return readFile(path, 'utf8');
}
