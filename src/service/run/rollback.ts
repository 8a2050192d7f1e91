import { randomUUID } from 'node:crypto';
import type { Settings } from '../../config/settings.ts';
import { loadCanonical } from '../../core/canonical.ts';
import type { RunHooks } from '../../core/hooks.ts';
import { createFingerprinter, targetKey, type TargetRef } from '../../core/ledger.ts';
import { planRollback, type RollbackOutcome } from '../../core/rollback-plan.ts';
import type { SyncReport } from '../../core/report.ts';
import { SyncError } from '../../errors.ts';
import { isProviderId, type ProviderId } from '../../providers/index.ts';
import { createBudget, functionBudgetsMs } from '../../http/budget.ts';
import type { Hold } from '../../storage/holds.ts';
import type { Snapshot } from '../../storage/snapshots.ts';
import type { Storage } from '../../storage/types.ts';
import type { ServiceDeps } from '../deps.ts';
import { snapshotKey } from './bookkeeping.ts';
import { recordReports } from './record.ts';
import { runSync } from './run-sync.ts';
import { workForProvider } from './work.ts';

/**
 * One-call rollback: every slot a run changed goes back to its prior state, from the run's
 * encrypted snapshots, as a run of its own (lock, report, ticket, snapshot, history; trigger
 * `rollback`). Afterwards the restored slots are held, so the next scheduled sync does not undo
 * the rollback while the canonical set still says what the undone run wrote.
 */

/** A rollback request. */
export interface RollbackRequest {
  readonly runId: string;
  readonly target?: string;
  readonly dryRun: boolean;
  readonly force: boolean;
  readonly reason?: string;
}

/** What the rollback did (or, dry-run, would do) to one target. */
export interface TargetRollback {
  readonly provider: TargetRef['provider'];
  readonly target: string;
  readonly slots: readonly RollbackOutcome[];
  /** The target's report of the rollback run. */
  readonly report: SyncReport;
  /** Whether the restored slots are now held. */
  readonly held: boolean;
}

/** A finished rollback. */
export interface RollbackResult {
  readonly runId: string;
  readonly undoes: string;
  readonly mode: 'dry-run' | 'enforce';
  readonly targets: readonly TargetRollback[];
}

/**
 * Rolls a run back.
 * @throws SyncError `not-found` when no snapshot of that run (and target) is kept, `bad-request`
 *   for a target that is no longer configured, `storage-failed` when a snapshot does not decrypt.
 */
export async function rollbackRun(request: RollbackRequest, deps: ServiceDeps, settings: Settings, storage: Storage): Promise<RollbackResult> {
  const snapshots = await storage.snapshots.find(request.runId, snapshotKey(settings), request.target);
  if (snapshots.length === 0) {
    throw new SyncError(
      'not-found',
      `No rollback snapshot of run ${request.runId}${request.target === undefined ? '' : ` on ${request.target}`} is kept: that run changed nothing there, or its snapshot was pruned (ENVSYNC_ROLLBACK_RUNS, ENVSYNC_ROLLBACK_DAYS). Find the run with GET envsync-runs or envsync-history.`,
    );
  }
  for (const snapshot of snapshots) workForProvider(settings, deps.adapters[providerOf(snapshot)], snapshot.target.id);
  const runId = randomUUID();
  const mode = request.dryRun ? 'dry-run' : settings.mode;
  const budget = createBudget(functionBudgetsMs.http, deps.now);
  const canonical = await loadCanonical(settings, deps.env);
  const fingerprint = createFingerprinter(settings.ledgerSecret ?? '');
  const targets: TargetRollback[] = [];
  for (const snapshot of snapshots) {
    const outcomes = new Map<string, readonly RollbackOutcome[]>();
    const values = priorValues(snapshot);
    const hooks: RunHooks = {
      shapePlan(context) {
        const rollback = planRollback(snapshot.slots, context.remote, context.fingerprint, { force: request.force, ...(context.hiddenFingerprint === undefined ? {} : { hiddenFingerprint: context.hiddenFingerprint }) });
        if (context.round === 1) outcomes.set(targetKey(context.target), rollback.outcomes);
        return rollback.plan;
      },
    };
    const run = await runSync(
      {
        runId,
        mode,
        work: [{ provider: providerOf(snapshot), targets: [snapshot.target.id] }],
        kind: 'http',
        hooks,
        trigger: 'rollback',
        undoes: request.runId,
        values,
        ...(request.reason === undefined ? {} : { reason: request.reason }),
      },
      { settings, deps, storage, budget },
      { record: false },
    );
    const slots = outcomes.get(targetKey(snapshot.target)) ?? [];
    const report = run.results[0];
    if (report === undefined) continue;
    const withDetail: SyncReport = { ...report, rollback: { undoes: request.runId, changedSince: onlyAction(slots, 'changed-since'), unrestorable: onlyAction(slots, 'unrestorable') } };
    let held = false;
    if (mode === 'enforce' && report.applied) {
      const restored = new Set(report.changes.filter((change) => change.op !== 'noop').map((change) => `${change.key}\u0000${change.context ?? '*'}`));
      const hold: Hold = {
        version: 1,
        provider: snapshot.target.provider,
        target: snapshot.target.id,
        rollbackRunId: runId,
        undoes: request.runId,
        heldAt: new Date((deps.now ?? Date.now)()).toISOString(),
        slots: snapshot.slots
          .filter((slot) => restored.has(`${slot.key}\u0000${slot.context}`))
          .map((slot) => {
            const value = canonical.values.get(slot.key);
            return { key: slot.key, context: slot.context, canonical: value === undefined ? null : fingerprint(slot.key, value) };
          }),
      };
      await storage.holds.put(hold);
      held = hold.slots.length > 0;
    }
    // A dry-run form opens no ticket and keeps no report; a rollback run is recorded like any run.
    if (!request.dryRun) await recordReports(storage, [withDetail], deps.logger);
    targets.push({ provider: snapshot.target.provider, target: snapshot.target.id, slots, report: withDetail, held });
  }
  return { runId, undoes: request.runId, mode, targets };
}

/**
 * Releases the hold on a target, so the next sync writes its canonical values again.
 * @throws SyncError `not-found` when the target has no hold.
 */
export async function releaseHold(target: string, storage: Storage): Promise<Hold> {
  const hold = [...(await storage.holds.load()).values()].find((item) => item.target === target);
  if (hold === undefined) {
    throw new SyncError('not-found', `${target} has no rollback hold: nothing to release. GET envsync-health lists held targets.`);
  }
  await storage.holds.release({ provider: hold.provider, id: hold.target });
  return hold;
}

/** The snapshot's provider, which must still be registered. */
function providerOf(snapshot: Snapshot): ProviderId {
  const provider = snapshot.target.provider;
  if (!isProviderId(provider)) throw new SyncError('bad-request', `Run ${snapshot.runId} changed ${provider} ${snapshot.target.id}, a provider this EnvSync no longer has; roll it back by hand.`);
  return provider;
}

function priorValues(snapshot: Snapshot): Map<string, string> {
  const values = new Map<string, string>();
  for (const slot of snapshot.slots) if (slot.prior.state === 'value' && !values.has(slot.key)) values.set(slot.key, slot.prior.value);
  return values;
}

function onlyAction(slots: readonly RollbackOutcome[], action: RollbackOutcome['action']) {
  return slots.filter((slot) => slot.action === action).map((slot) => ({ key: slot.key, context: slot.context, ...(slot.why === undefined ? {} : { why: slot.why }) }));
}
