import type { RunHooks } from '../../core/hooks.ts';
import { targetKey, type TargetRef } from '../../core/ledger.ts';
import { movedSlots, planSlots, restrictToPlan, type MovedSlot } from '../../core/reviewed-plan.ts';
import { SyncError } from '../../errors.ts';
import type { StoredPlan, TargetPlan } from '../../storage/plans.ts';

/**
 * The run hooks of reviewed plans: a dry-run records what it planned per target; an apply of a
 * planId first checks every target against the plan, then applies the plan and nothing else.
 * The policy is in `src/core/reviewed-plan.ts`; these only keep the per-target results of a run.
 */

/** A dry-run's recorder: the planned slots of every target it read. */
export function planRecorder(): { readonly hooks: RunHooks; targets(): TargetPlan[] } {
  const recorded = new Map<string, TargetPlan>();
  return {
    hooks: {
      shapePlan({ target, plan, remote, desired, fingerprint }) {
        recorded.set(targetKey(target), { provider: target.provider, target: target.id, slots: planSlots(plan, remote, desired, fingerprint) });
        return plan;
      },
    },
    targets: () => [...recorded.values()],
  };
}

/** The moved slots of one target. */
export interface MovedTarget {
  readonly provider: TargetRef['provider'];
  readonly target: string;
  readonly slots: readonly MovedSlot[];
}

/** The check pass of an apply by planId: which planned slots moved, per target read. */
export function planChecker(plan: StoredPlan): { readonly hooks: RunHooks; moved(): MovedTarget[]; checked(): ReadonlySet<string> } {
  const moved = new Map<string, MovedTarget>();
  const checked = new Set<string>();
  return {
    hooks: {
      shapePlan({ target, plan: fresh, remote, desired, fingerprint, round }) {
        if (round === 1) {
          checked.add(targetKey(target));
          const slots = movedSlots(slotsOf(plan, target), fresh, remote, desired, fingerprint);
          if (slots.length > 0) moved.set(targetKey(target), { provider: target.provider, target: target.id, slots });
        }
        return restrictToPlan(fresh, slotsOf(plan, target));
      },
    },
    moved: () => [...moved.values()],
    checked: () => checked,
  };
}

/**
 * The write pass: applies exactly the plan's slots. Each target is checked once more on the read
 * made under its lock (round 1), so a change that slipped in between the check pass and the lock
 * still fails that target with `stale-plan` and nothing written to it.
 */
export function planEnforcer(plan: StoredPlan): RunHooks {
  return {
    shapePlan({ target, plan: fresh, remote, desired, fingerprint, round }) {
      const stored = slotsOf(plan, target);
      if (round === 1) {
        const slots = movedSlots(stored, fresh, remote, desired, fingerprint);
        if (slots.length > 0) throw staleError(plan.planId, [{ provider: target.provider, target: target.id, slots }]);
      }
      return restrictToPlan(fresh, stored);
    },
  };
}

/** The `stale-plan` error naming every target and key that moved. */
export function staleError(planId: string, moved: readonly MovedTarget[]): SyncError {
  const parts = moved.map((item) => `${item.provider} ${item.target}: ${[...new Set(item.slots.map((slot) => slot.key))].join(', ')}`);
  return new SyncError(
    'stale-plan',
    `Plan ${planId} is stale: since the dry-run, these planned keys changed on the target or in the canonical set (${parts.join('; ')}). Nothing was written. Run a new dry-run, review it, and apply its planId.`,
  );
}

function slotsOf(plan: StoredPlan, target: TargetRef) {
  return plan.targets.find((item) => item.provider === target.provider && item.target === target.id)?.slots ?? [];
}
