import { SyncError } from '../../errors.ts';
import { retryDelayFromHeaders } from '../../http/rate-limit.ts';

/**
 * The client-side write budget of one Render API key for one run.
 *
 * Render allows about 30 POST/PATCH/DELETE requests a minute per API key, across every service
 * (the reference treats env-var PUTs as part of that bucket, the conservative reading). A sync
 * that counts its own writes in a sliding minute, and believes the server when it says less is
 * left (`Ratelimit-Remaining` on a write response, or a 429), never has to find the limit by
 * tripping it. Deploy triggers have their own bucket (10 a minute per service) and are not counted.
 */
export interface WriteBudget {
  /** Writes that can be sent now without exceeding the limit. */
  available(): number;
  /** Milliseconds until `count` writes can be sent (0 when they can be now). */
  msUntilAvailable(count?: number): number;
  /** Records one write attempt (every attempt counts, retries included). */
  record(): void;
  /** Learns from the response to a write: rate-limit headers, or a 429. */
  observe(status: number, headers: Headers): void;
}

/** Render's documented write limit per API key. */
export const renderWritesPerMinute = 30;

export interface WriteBudgetOptions {
  /** @default {@link renderWritesPerMinute} */
  readonly limit?: number;
  /** @default 60_000 */
  readonly windowMs?: number;
  readonly now?: () => number;
}

/** What the server last said about the bucket, and how many writes were sent since. */
interface ServerView {
  readonly remaining: number;
  readonly until: number;
  readonly sentBefore: number;
}

/** Creates the budget; one per `connect`, shared by every service of the run. */
export function createWriteBudget(options: WriteBudgetOptions = {}): WriteBudget {
  const limit = options.limit ?? renderWritesPerMinute;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const sent: number[] = [];
  let sentTotal = 0;
  let blockedUntil = 0;
  let server: ServerView | undefined;

  const availableAt = (time: number): number => {
    if (time < blockedUntil) return 0;
    const local = limit - sent.filter((at) => at > time - windowMs).length;
    if (server === undefined || time >= server.until) return Math.max(0, local);
    return Math.max(0, Math.min(local, server.remaining - (sentTotal - server.sentBefore)));
  };

  return {
    available: () => availableAt(now()),
    msUntilAvailable: (count = 1) => {
      const start = now();
      if (availableAt(start) >= count) return 0;
      // Availability only grows at these instants: when a block or a server view ends, or when a
      // recorded write leaves the window.
      const instants = [blockedUntil, server?.until ?? 0, ...sent.map((at) => at + windowMs)]
        .filter((instant) => instant > start)
        .sort((a, b) => a - b);
      const ready = instants.find((instant) => availableAt(instant) >= count);
      return ready === undefined ? Number.POSITIVE_INFINITY : ready - start;
    },
    record: () => {
      const time = now();
      while (sent.length > 0 && (sent[0] ?? 0) <= time - windowMs) sent.shift();
      sent.push(time);
      sentTotal += 1;
    },
    observe: (status, headers) => {
      const time = now();
      const wait = retryDelayFromHeaders(headers, time);
      if (status === 429) {
        // A 429 means the bucket is full; without a hint, assume it stays full for a whole window.
        blockedUntil = Math.max(blockedUntil, time + (wait ?? windowMs));
        return;
      }
      const remaining = Number(headers.get('ratelimit-remaining') ?? Number.NaN);
      if (!Number.isFinite(remaining) || remaining < 0) return;
      server = { remaining, until: time + (wait ?? windowMs), sentBefore: sentTotal };
    },
  };
}

/**
 * Waits until the write budget allows one more write, if that wait fits the sync's time budget.
 *
 * @throws SyncError `provider-rate-limited` (retryable) when it does not: the run stops writing
 *   cleanly and reports what is left, rather than being killed mid-wait by the platform.
 */
export async function waitForWriteSlot(
  budget: WriteBudget,
  timeBudget: { allows(ms: number): boolean },
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  const wait = budget.msUntilAvailable();
  if (wait === 0) return;
  if (Number.isFinite(wait) && timeBudget.allows(wait)) {
    await sleep(wait);
    return;
  }
  const seconds = Number.isFinite(wait) ? `${Math.ceil(wait / 1000)} s` : 'an unknown time';
  throw new SyncError(
    'provider-rate-limited',
    `Render allows about ${renderWritesPerMinute} writes a minute per API key and they are used up; the next one is allowed in ${seconds}, which does not fit this sync's time budget. The next run continues.`,
    { retryable: true },
  );
}
