/**
 * How long a provider asks us to wait after a 429, read from the headers both providers send.
 *
 * Render documents `Retry-After` on 429s in its newer schema and `Ratelimit-Reset` everywhere, and its
 * own guide contradicts itself on whether the reset is epoch seconds or seconds to wait. Netlify sends
 * `X-RateLimit-Reset` as epoch seconds and no `Retry-After`. So: `Retry-After` first (seconds or an
 * HTTP date), then either reset header, where a number above 10^9 is an epoch time and anything
 * smaller a delay.
 *
 * @returns milliseconds to wait (at least 0), or `undefined` when no header says.
 */
export function retryDelayFromHeaders(headers: Headers, now: number = Date.now()): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const reset = headers.get('ratelimit-reset') ?? headers.get('x-ratelimit-reset');
  if (reset === null) return undefined;
  const value = Number(reset);
  if (!Number.isFinite(value)) return undefined;
  return value > 1e9 ? Math.max(0, value * 1000 - now) : Math.max(0, value * 1000);
}

/**
 * Full-jitter exponential backoff for a 429 or 5xx that says nothing about when to come back,
 * as Render's rate-limit guide recommends.
 */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(8_000, 500 * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
