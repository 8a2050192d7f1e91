import type { ErrorSummary } from '../errors.ts';
import type { Budget } from '../http/budget.ts';
import type { Logger } from '../logging/logger.ts';
import type { LedgerSnapshot } from './ledger.ts';

/** Attempts per save: the first and two retries. */
export const ledgerSaveAttempts = 3;

/** Waits before the retries of a save: short, since Blobs blips are brief and the budget is shared. */
const retryDelaysMs = [100, 400] as const;

/** What {@link createLedgerKeeper} needs. */
export interface LedgerKeeperOptions {
  /** Stores the whole snapshot (the target's ledger record). */
  readonly save: (entries: LedgerSnapshot) => Promise<void>;
  /** The ledger as it stands now, complete: each save writes all of it. */
  readonly snapshot: () => LedgerSnapshot;
  readonly budget: Budget;
  readonly logger: Logger;
  readonly targetLabel: string;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Saves a target's ledger whenever it changed, so a write that landed is never forgotten. */
export interface LedgerKeeper {
  /** Notes that the ledger changed since the last successful save. */
  changed(): void;
  /**
   * Saves the ledger if it changed since the last attempt, retrying a failed save. Never throws: a
   * save that still fails is reported by {@link LedgerKeeper.failure} until a later change is
   * saved (each save writes the whole snapshot).
   */
  flush(): Promise<void>;
  /** A `storage-failed` error when the ledger's latest state could not be saved, else `undefined`. */
  failure(): ErrorSummary | undefined;
}

/**
 * Creates the keeper of one target's ledger for one sync.
 *
 * The engine flushes after every apply round, before any redeploy, so a later failure (a token
 * rotated between rounds, a crash, a failed save of the next round) cannot lose the record of
 * writes that landed: without it EnvSync would not recognise its own keys on the next run (no
 * owned deletion, secrets re-written as unverifiable). Each save writes the complete snapshot, so
 * a later successful save also covers an earlier failed one.
 */
export function createLedgerKeeper(options: LedgerKeeperOptions): LedgerKeeper {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let dirty = false;
  let failed = false;

  async function attempt(): Promise<boolean> {
    for (let index = 0; index < ledgerSaveAttempts; index += 1) {
      try {
        await options.save(options.snapshot());
        return true;
      } catch (error) {
        options.logger.warn('ledger.save_failed', {
          target: options.targetLabel,
          attempt: index + 1,
          code: error instanceof Error && 'code' in error ? String(error.code) : 'internal',
        });
        const delay = retryDelaysMs[index];
        if (delay === undefined || !options.budget.allows(delay)) break;
        await sleep(delay);
      }
    }
    return false;
  }

  return {
    changed() {
      dirty = true;
    },
    async flush() {
      if (!dirty) return;
      dirty = false;
      failed = !(await attempt());
    },
    failure() {
      if (!failed) return undefined;
      return {
        code: 'storage-failed',
        message: `The changes above landed on ${options.targetLabel}, but EnvSync could not save its ledger (the record of what it wrote) to Netlify Blobs after ${ledgerSaveAttempts} attempts. Until a later run saves it, EnvSync will not delete these keys as its own, and rewrites secrets it cannot compare once. Nothing to do if the next run succeeds; if this repeats, check the site's Netlify Blobs (Netlify status page, the function log's ledger.save_failed lines).`,
      };
    },
  };
}
