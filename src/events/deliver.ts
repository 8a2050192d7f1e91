import type { Delivery } from './types.ts';

/**
 * One POST to one receiver, with bounded retries. A receiver is someone else's server: it may be
 * slow, down, redirecting or wrong, and none of that may block or fail a sync. So every attempt has
 * a timeout, retries back off, the whole delivery ends by a deadline shared with the run's other
 * deliveries, redirects are never followed (a signed payload goes only where it was configured to),
 * and the outcome is returned, never thrown.
 */

/** How hard to try. */
export interface DeliveryPolicy {
  /** Most attempts (1 = no retry). */
  readonly attempts: number;
  /** Timeout of one attempt. */
  readonly attemptTimeoutMs: number;
  /** Epoch ms by which delivery must have ended, whatever is left. */
  readonly deadline: number;
  /** First backoff; doubled after each failed attempt. @default 250 */
  readonly retryBaseMs?: number;
  readonly fetch: typeof fetch;
  readonly now: () => number;
}

/** What to send. `headers` is called per attempt, so each attempt is signed with a fresh timestamp. */
export interface Outgoing {
  readonly url: string;
  readonly body: string;
  readonly headers: () => Record<string, string>;
}

/** Shortest attempt worth starting: below this the deadline is as good as reached. */
const minAttemptMs = 50;

/** Sends `outgoing`, retrying network errors, timeouts, 408, 429 and 5xx. */
export async function deliver(outgoing: Outgoing, policy: DeliveryPolicy): Promise<Omit<Delivery, 'destination' | 'index' | 'host'>> {
  const base = policy.retryBaseMs ?? 250;
  let attempts = 0;
  let last: Omit<Delivery, 'destination' | 'index' | 'host'> = { ok: false, attempts: 0, error: 'time-bound' };
  while (attempts < policy.attempts) {
    const left = policy.deadline - policy.now();
    if (left < minAttemptMs) break;
    attempts += 1;
    const result = await attempt(outgoing, Math.min(policy.attemptTimeoutMs, left), policy.fetch);
    last = { ...result, attempts };
    if (result.ok || !result.retryable) return strip(last);
    const backoff = base * 2 ** (attempts - 1);
    if (attempts >= policy.attempts || policy.deadline - policy.now() < backoff + minAttemptMs) break;
    await new Promise((resolve) => setTimeout(resolve, backoff));
  }
  return strip(last);
}

type AttemptResult = { ok: boolean; retryable: boolean; status?: number; error?: Delivery['error'] };

async function attempt(outgoing: Outgoing, timeoutMs: number, fetcher: typeof fetch): Promise<AttemptResult> {
  try {
    const response = await fetcher(outgoing.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'EnvSync', ...outgoing.headers() },
      body: outgoing.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel().catch(() => undefined);
    const status = response.status;
    if (status >= 200 && status < 300) return { ok: true, retryable: false, status };
    // `redirect: 'manual'` gives a 3xx (or, in browsers, an opaque 0): a misconfigured URL, not a hiccup.
    if ((status >= 300 && status < 400) || response.type === 'opaqueredirect') return { ok: false, retryable: false, status, error: 'redirect' };
    return { ok: false, retryable: status === 408 || status === 429 || status >= 500, status, error: 'http' };
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    return { ok: false, retryable: true, error: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network' };
  }
}

function strip(result: AttemptResult & { attempts: number } | Omit<Delivery, 'destination' | 'index' | 'host'>): Omit<Delivery, 'destination' | 'index' | 'host'> {
  return {
    ok: result.ok,
    attempts: result.attempts,
    ...(result.status === undefined ? {} : { status: result.status }),
    ...(result.ok || result.error === undefined ? {} : { error: result.error }),
  };
}
