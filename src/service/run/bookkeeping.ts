import type { Settings } from '../../config/settings.ts';
import type { PlanContext, RunHooks } from '../../core/hooks.ts';
import { targetKey, type TargetRef } from '../../core/ledger.ts';
import { slotKey, type Plan, type SkippedChange } from '../../core/plan.ts';
import type { SyncReport } from '../../core/report.ts';
import { deriveKey, snapshotKeyLabel } from '../../core/seal.ts';
import type { RunTrigger } from '../../core/trigger.ts';
import { summarizeError, SyncError, type ErrorSummary } from '../../errors.ts';
import type { Logger } from '../../logging/logger.ts';
import type { HistoryEntry } from '../../storage/history.ts';
import type { Hold } from '../../storage/holds.ts';
import type { Snapshot, SnapshotSlot } from '../../storage/snapshots.ts';
import type { Storage } from '../../storage/types.ts';

/**
 * The bookkeeping around every run, as engine hooks plus one flush per provider: rollback
 * snapshots before anything is written, rollback holds applied to each plan, and the change
 * history appended afterwards. Every store is written once per target per run at most (a snapshot
 * once per apply round), never once per key.
 */

/** Who and what a run's history entries name. */
export interface RunMeta {
  readonly runId: string;
  readonly mode: 'dry-run' | 'enforce';
  readonly trigger: RunTrigger;
  readonly reason?: string;
  readonly deployId?: string;
  readonly commit?: string;
  /** For a rollback: the run it undoes. Holds do not apply to a rollback itself. */
  readonly undoes?: string;
}

/** A target whose bookkeeping could not be stored. */
export interface BookkeepingProblem {
  readonly provider: SyncReport['provider'];
  readonly target: string;
  readonly error: ErrorSummary;
}

/** The hooks and the flush of one run. */
export interface Bookkeeping {
  readonly hooks: RunHooks;
  /** Stores what the reports' targets need after their sync: released holds, history. Returns what failed. */
  flush(reports: readonly SyncReport[]): Promise<BookkeepingProblem[]>;
}

/** The AES-256-GCM key of rollback snapshots: ENVSYNC_ROLLBACK_KEY, or HKDF of ENVSYNC_LEDGER_SECRET. */
export function snapshotKey(settings: Settings): Buffer {
  const secret = settings.rollback.key ?? settings.ledgerSecret;
  if (secret === undefined) {
    throw new SyncError('config-invalid', 'ENVSYNC_LEDGER_SECRET is not set: it keys the fingerprints and the rollback snapshots. Set it to a random string of 16+ characters (openssl rand -hex 32).');
  }
  return deriveKey(secret, snapshotKeyLabel);
}

/** Opens the bookkeeping of a run: loads the holds once (one list, a read per held target). */
export async function openBookkeeping(meta: RunMeta, storage: Storage, settings: Settings, logger: Logger, now: () => number): Promise<Bookkeeping> {
  const holds = meta.undoes === undefined ? await storage.holds.load() : new Map<string, Hold>();
  const snapshots = new Map<string, Snapshot>();
  const written = new Map<string, Map<string, string>>();
  const released = new Map<string, Hold>();

  const beforeApply = async (context: PlanContext) => {
    const id = targetKey(context.target);
    const fingerprints = written.get(id) ?? new Map<string, string>();
    written.set(id, fingerprints);
    const previous = snapshots.get(id);
    const known = new Set(previous?.slots.map((slot) => slotKey(slot.key, slot.context)));
    const bySlot = new Map(context.remote.values.map((value) => [slotKey(value.key, value.context), value]));
    const fresh: SnapshotSlot[] = [];
    for (const change of context.plan.changes) {
      if (change.op === 'noop') continue;
      const slot = slotKey(change.key, change.context);
      const value = context.desired.get(change.key);
      const after = change.op === 'delete' || value === undefined ? null : context.fingerprint(change.key, value);
      if (after !== null) fingerprints.set(slot, after);
      // The first round saw the state before the run; later rounds would see the run's own writes.
      if (known.has(slot)) continue;
      const current = bySlot.get(slot);
      const prior: SnapshotSlot['prior'] =
        current === undefined ? { state: 'absent' } : current.value === undefined ? { state: 'unreadable' } : { state: 'value', value: current.value };
      fresh.push({ key: change.key, context: change.context, op: change.op, secret: current?.secret ?? change.secret, prior, after });
    }
    if (fresh.length === 0) return;
    const snapshot: Snapshot = {
      runId: meta.runId,
      target: context.target,
      createdAt: previous?.createdAt ?? new Date(now()).toISOString(),
      slots: [...(previous?.slots ?? []), ...fresh],
    };
    await storage.snapshots.put(snapshot, snapshotKey(settings), { runsKept: settings.rollback.runsKept, daysKept: settings.rollback.daysKept });
    snapshots.set(id, snapshot);
  };

  const shapePlan = (context: PlanContext): Plan => {
    const hold = holds.get(targetKey(context.target));
    if (hold === undefined) return context.plan;
    const stillHeld = hold.slots.filter((slot) => {
      const value = context.desired.get(slot.key);
      return (value === undefined ? null : context.fingerprint(slot.key, value)) === slot.canonical;
    });
    if (stillHeld.length !== hold.slots.length) released.set(targetKey(context.target), { ...hold, slots: stillHeld });
    const held = new Set(stillHeld.map((slot) => slotKey(slot.key, slot.context)));
    const isHeld = (change: { key: string; context: string; op: string }) => change.op !== 'noop' && held.has(slotKey(change.key, change.context));
    const skipped: SkippedChange[] = context.plan.changes
      .filter(isHeld)
      .map((change) => ({ key: change.key, context: change.context, op: change.op as SkippedChange['op'], reason: 'held', heldBy: hold.rollbackRunId }));
    if (skipped.length === 0) return context.plan;
    return { changes: context.plan.changes.filter((change) => !isHeld(change)), skipped: [...context.plan.skipped, ...skipped] };
  };

  return {
    hooks: { ...(meta.mode === 'enforce' ? { beforeApply } : {}), ...(holds.size > 0 ? { shapePlan } : {}) },
    async flush(reports) {
      const problems: BookkeepingProblem[] = [];
      for (const report of reports) {
        const target: TargetRef = { provider: report.provider, id: report.target };
        const id = targetKey(target);
        try {
          const hold = released.get(id);
          if (hold !== undefined && meta.mode === 'enforce') {
            await storage.holds.put(hold);
            released.delete(id);
          }
          if (meta.mode === 'enforce' && report.applied) {
            const at = Date.parse(report.startedAt);
            const entries = historyEntries(report, meta, written.get(id) ?? new Map());
            await storage.history.append(target, meta.runId, Number.isFinite(at) ? at : now(), entries, settings.history.daysKept);
          }
        } catch (error) {
          const summary = summarizeError(error);
          logger.error('bookkeeping.flush_failed', { provider: report.provider, target: report.target, code: summary.code });
          problems.push({
            provider: report.provider,
            target: report.target,
            error: { code: 'storage-failed', message: `The change history or rollback hold of this target could not be stored (${summary.code}: ${summary.message}). The sync itself finished as reported here.` },
          });
        }
      }
      return problems;
    },
  };
}

function historyEntries(report: SyncReport, meta: RunMeta, fingerprints: ReadonlyMap<string, string>): HistoryEntry[] {
  return report.changes
    .filter((change): change is typeof change & { op: HistoryEntry['op'] } => change.op !== 'noop')
    .map((change) => {
      const fingerprint = change.op === 'delete' ? undefined : fingerprints.get(slotKey(change.key, change.context ?? '*'))?.slice(0, 12);
      return {
        at: report.startedAt,
        runId: meta.runId,
        provider: report.provider,
        target: report.target,
        key: change.key,
        ...(change.context === undefined ? {} : { context: change.context }),
        op: change.op,
        trigger: meta.trigger,
        ...(meta.reason === undefined ? {} : { reason: meta.reason }),
        ...(meta.trigger === 'deploy' && meta.deployId !== undefined ? { deployId: meta.deployId } : {}),
        ...(meta.trigger === 'deploy' && meta.commit !== undefined ? { commit: meta.commit } : {}),
        ...(meta.undoes === undefined ? {} : { undoes: meta.undoes }),
        ...(fingerprint === undefined ? {} : { fingerprint }),
      };
    });
}

/** Runs several hooks as one: plans shaped in order, snapshots before the run's own `beforeApply`. */
export function combineHooks(...all: readonly (RunHooks | undefined)[]): RunHooks {
  const hooks = all.filter((item): item is RunHooks => item !== undefined);
  const shapers = hooks.map((item) => item.shapePlan).filter((shape) => shape !== undefined);
  const befores = hooks.map((item) => item.beforeApply).filter((before) => before !== undefined);
  return {
    ...(shapers.length === 0 ? {} : { shapePlan: (context: PlanContext) => shapers.reduce((plan, shape) => shape({ ...context, plan }), context.plan) }),
    ...(befores.length === 0
      ? {}
      : {
          beforeApply: async (context: PlanContext) => {
            for (const before of befores) await before(context);
          },
        }),
  };
}
