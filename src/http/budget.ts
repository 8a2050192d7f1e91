/**
 * A time budget: the point by which a sync must have finished.
 *
 * Netlify kills a synchronous function at 60 s (30 s locally) and a scheduled one at 30 s. A sync
 * that waits out a long rate-limit reset past that point is killed mid-write, with no report. So
 * every wait (a retry delay, a request timeout) is checked against one shared deadline and refused
 * when it does not fit, leaving time to write the report.
 */
export interface Budget {
  /** Milliseconds left before the deadline; never negative. */
  remainingMs(): number;
  /** Whether waiting `ms` (plus a margin for the report) still fits. */
  allows(ms: number): boolean;
}

/** Time kept back from every budget to store the report after the last request. */
export const reportReserveMs = 2_000;

/**
 * Creates a budget ending `durationMs` from now.
 *
 * @param durationMs - the whole budget, e.g. 25_000 for a scheduled function (30 s limit).
 * @param now - the clock, injectable so tests need not wait.
 */
export function createBudget(durationMs: number, now: () => number = Date.now): Budget {
  const deadline = now() + durationMs;
  return {
    remainingMs: () => Math.max(0, deadline - now()),
    allows: (ms) => deadline - now() - reportReserveMs >= ms,
  };
}

/** Budgets per kind of Netlify function, each a few seconds under the platform's hard limit. */
export const functionBudgetsMs = {
  /** HTTP functions: 60 s in production, but the local runtime kills them at 30 s. */
  http: 26_000,
  /** Scheduled functions: 30 s. */
  scheduled: 26_000,
  /** Background functions: 15 min. */
  background: 14 * 60_000,
} as const;
