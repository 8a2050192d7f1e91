import type { LedgerEntry } from './ledger.ts';
import { slotKey, type Plan, type RemoteState } from './plan.ts';

/** What {@link confirmLanded} needs to know about the sync. */
export interface ConfirmInput {
  readonly desired: ReadonlyMap<string, string>;
  readonly fingerprint: (key: string, value: string) => string;
  readonly now: () => number;
}

/**
 * Brings the ledger up to date with slots a read shows holding exactly the canonical value.
 *
 * Why: a write whose answer was lost (a reset, a timeout) may well have landed. The next read then
 * finds the slot in sync and plans nothing, so without this the ledger would keep the fingerprint
 * of the value before, and the key's next owned delete would see a "changed since written" value
 * and refuse: EnvSync would have forgotten a write that landed. Only slots EnvSync already owns, or
 * tried to write in this run, are confirmed, so a value a person happened to set identically never
 * becomes EnvSync's. Hidden values (secrets) cannot be compared and are left to the write path.
 *
 * @param attempted - slots (see {@link slotKey}) this run sent a write for.
 * @returns whether the ledger changed.
 */
export function confirmLanded(ledger: Map<string, LedgerEntry>, plan: Plan, remote: RemoteState, input: ConfirmInput, attempted: ReadonlySet<string>): boolean {
  const seen = new Map(remote.values.map((value) => [slotKey(value.key, value.context), value]));
  const writtenAt = new Date(input.now()).toISOString();
  let changed = false;
  for (const change of plan.changes) {
    if (change.op !== 'noop') continue;
    const slot = slotKey(change.key, change.context);
    const desired = input.desired.get(change.key);
    const remoteValue = seen.get(slot);
    if (desired === undefined || remoteValue?.value === undefined || remoteValue.value !== desired) continue;
    const entry = ledger.get(slot);
    if (entry === undefined && !attempted.has(slot)) continue;
    const fingerprint = input.fingerprint(change.key, desired);
    if (entry?.fingerprint === fingerprint) continue;
    ledger.set(slot, {
      key: change.key,
      context: change.context,
      fingerprint,
      writtenAt,
      ...(remoteValue.updatedAt === undefined ? {} : { remoteUpdatedAt: remoteValue.updatedAt }),
    });
    changed = true;
  }
  return changed;
}
