import { SyncError } from '../../errors.ts';
import type { Budget } from '../../http/budget.ts';
import { retryDelayFromHeaders } from '../../http/rate-limit.ts';

/** How long to hold back after a 429 that said nothing about when the window resets. */
const unknownResetMs = 60_000;

/**
 * Decides, before each Netlify request of a run, whether it may be sent at all.
 *
 * Why: Netlify's limit (about 500 requests per minute) is per token and shared by every site of the
 * run. Once a 429 could not be waited out within the budget, every further request would meet the
 * same 429 and each would cost a request for nothing; once the token is rejected (401), every
 * further request would be rejected too. So the gate remembers both for the rest of the run: requests
 * wait for the reset when it fits the budget, and otherwise fail at once with the same error,
 * leaving the rest of the work to the next run.
 */
export class RequestGate {
  readonly #budget: Budget;
  readonly #now: () => number;
  #halted: SyncError | undefined;
  #blockedUntil = 0;

  constructor(budget: Budget, now: () => number = Date.now) {
    this.#budget = budget;
    this.#now = now;
  }

  /** Waits until a request may be sent, or throws the error that stops it. */
  async acquire(): Promise<void> {
    if (this.#halted !== undefined) throw this.#halted;
    const wait = this.#blockedUntil - this.#now();
    if (wait <= 0) return;
    if (!this.#budget.allows(wait + 1_000)) {
      throw new SyncError(
        'provider-rate-limited',
        `Netlify's API rate limit (about 500 requests per minute per token) is used up until ${new Date(this.#blockedUntil).toISOString()}, after this sync's time budget; the request was not sent and the next run continues.`,
        { retryable: true, status: 429 },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** Notes a successful response: when it says no requests remain, later ones wait for the reset. */
  observe(headers: Headers): void {
    if (headers.get('x-ratelimit-remaining')?.trim() !== '0') return;
    const wait = retryDelayFromHeaders(headers, this.#now());
    if (wait !== undefined && wait > 0) this.#blockedUntil = Math.max(this.#blockedUntil, this.#now() + wait);
  }

  /**
   * Notes a failed request: a rejected token (401) stops the run's requests, a rate limit holds them
   * back. A 403 does not stop the run: it can be about one team's site (an SSO team that has not
   * granted the token access) while the others are fine.
   */
  fail(error: SyncError, headers: Headers | undefined): void {
    if (error.code === 'provider-auth' && error.status === 401) this.#halted = error;
    if (error.code !== 'provider-rate-limited' || error.status !== 429) return;
    const wait = (headers === undefined ? undefined : retryDelayFromHeaders(headers, this.#now())) ?? unknownResetMs;
    this.#blockedUntil = Math.max(this.#blockedUntil, this.#now() + wait);
  }
}
