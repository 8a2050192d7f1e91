import type { SyncError } from '../errors.ts';
import type { AppliedChange, ApplyOutcome } from './adapter.ts';
import type { PlannedChange } from './plan.ts';

/**
 * Collects what an adapter's apply did, per change, and what failed, per key: the one shape every
 * adapter reports in, so the engine reads outcomes the same way whatever the provider.
 */
export class OutcomeCollector {
  readonly #done: AppliedChange[] = [];
  readonly #errors: SyncError[] = [];
  /** Set once an error every later request would meet too was noted (see {@link noteStop}). */
  halted = false;

  succeeded(changes: readonly PlannedChange[], remoteUpdatedAt?: string): void {
    for (const change of changes) {
      if (change.op === 'noop') continue;
      const withTime = change.op !== 'delete' && remoteUpdatedAt !== undefined;
      this.#done.push({ op: change.op, key: change.key, context: change.context, ...(withTime ? { remoteUpdatedAt } : {}) });
    }
  }

  failed(error: SyncError): void {
    this.#errors.push(error);
  }

  /** Failures every later request would meet too: a rejected token, a rate limit past the budget. */
  noteStop(error: SyncError): void {
    if (error.code === 'provider-auth' || error.code === 'provider-rate-limited' || error.code === 'budget-exhausted') this.halted = true;
  }

  result(): ApplyOutcome {
    return { done: [...this.#done], errors: [...this.#errors] };
  }
}
