import { SyncError } from '../../errors.ts';
import type { Budget } from '../../http/budget.ts';
import { retryDelayFromHeaders } from '../../http/rate-limit.ts';

/** How long to hold back after a 429 that said nothing about when the window resets. */
const unknownResetMs = 60_000;

/** Keys written at once before Netlify has said anything about the rate budget. */
export const initialKeyConcurrency = 16;

/** What the last answer said about the token's rate window. */
interface Window {
  /** Requests the server said were left, counting the one it answered. */
  readonly remaining: number;
  /** When the window resets (epoch ms). */
  readonly resetAt: number;
}

/**
 * Decides, before each Netlify request of a run, whether it may be sent at all, and how many keys
 * may be written at once.
 *
 * Why: Netlify's limit (about 500 requests per minute) is per token and shared by every site of the
 * run. Every answer says how many requests are left in the window (`X-RateLimit-Remaining`) and
 * when it resets (`X-RateLimit-Reset`). The gate believes it: a request is sent only while the
 * window has room for it next to the requests already in flight, otherwise it waits for the reset
 * (when that fits the time budget) instead of meeting a 429. Once a 429 could not be waited out
 * within the budget, or the token was rejected (401), every further request would meet the same
 * answer, so the gate remembers both for the rest of the run and fails them at once, leaving the
 * rest of the work to the next run.
 */
export class RequestGate {
  readonly #budget: Budget;
  readonly #now: () => number;
  #halted: SyncError | undefined;
  #blockedUntil = 0;
  #window: Window | undefined;
  #inFlight = 0;
  #waiters: (() => void)[] = [];

  constructor(budget: Budget, now: () => number = Date.now) {
    this.#budget = budget;
    this.#now = now;
  }

  /**
   * How many keys may be written at once now: {@link initialKeyConcurrency} until Netlify has
   * said otherwise, then no more than the window has room for beside the requests in flight, and
   * at least one (which then waits for the reset in {@link acquire}).
   */
  keyConcurrency(): number {
    const room = this.#room();
    return Math.max(1, Math.min(initialKeyConcurrency, room === undefined ? initialKeyConcurrency : room + this.#inFlight));
  }

  /**
   * Waits until a request may be sent, and counts it as in flight until {@link done}.
   * @throws SyncError `provider-auth` after a 401, `provider-rate-limited` when the window is used
   *   up until after the time budget.
   */
  async acquire(): Promise<void> {
    for (;;) {
      if (this.#halted !== undefined) throw this.#halted;
      const wait = this.#waitMs();
      if (wait <= 0) break;
      if (!this.#budget.allows(wait + 1_000)) {
        throw new SyncError(
          'provider-rate-limited',
          `Netlify's API rate limit (about 500 requests per minute per token) is used up until ${new Date(this.#now() + wait).toISOString()}, after this sync's time budget; the request was not sent and the next run continues.`,
          { retryable: true, status: 429 },
        );
      }
      await this.#pause(wait);
    }
    this.#inFlight += 1;
  }

  /** Marks a request acquired with {@link acquire} as answered (or failed). */
  done(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    this.#wake();
  }

  /** Notes a successful response's rate-limit headers. */
  observe(headers: Headers): void {
    const remaining = Number(headers.get('x-ratelimit-remaining') ?? Number.NaN);
    if (!Number.isFinite(remaining) || remaining < 0) return;
    const wait = retryDelayFromHeaders(headers, this.#now());
    const resetAt = this.#now() + (wait ?? unknownResetMs);
    // Answers arrive out of order when requests overlap: within one window, the lowest count wins.
    const current = this.#window;
    const sameWindow = current !== undefined && Math.abs(current.resetAt - resetAt) < 1_000;
    this.#window = sameWindow ? { remaining: Math.min(current.remaining, remaining), resetAt: current.resetAt } : { remaining, resetAt };
    if (remaining === 0 && wait !== undefined && wait > 0) this.#blockedUntil = Math.max(this.#blockedUntil, resetAt);
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
    this.#window = { remaining: 0, resetAt: this.#now() + wait };
  }

  /** Requests the window still has room for beside those in flight, or `undefined` when unknown. */
  #room(): number | undefined {
    const window = this.#window;
    if (window === undefined || this.#now() >= window.resetAt) return undefined;
    return window.remaining - this.#inFlight;
  }

  /**
   * Waits `ms`, or less when the window is only full of requests still in flight: their answers
   * say how much is really left, so each answer wakes the waiting requests to look again.
   */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(finish, ms);
      const waiting = this.#inFlight > 0 && this.#now() >= this.#blockedUntil;
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      if (waiting) this.#waiters.push(finish);
    });
  }

  #wake(): void {
    const waiters = this.#waiters.splice(0);
    for (const wake of waiters) wake();
  }

  #waitMs(): number {
    const now = this.#now();
    if (now < this.#blockedUntil) return this.#blockedUntil - now;
    const room = this.#room();
    if (room === undefined || room > 0) return 0;
    return Math.max(1, (this.#window?.resetAt ?? now) - now);
  }
}
