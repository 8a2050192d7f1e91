import ky, { HTTPError, TimeoutError, type KyInstance } from 'ky';
import type { z } from 'zod';
import { SyncError } from '../errors.ts';
import type { Budget } from './budget.ts';
import { backoffDelayMs, retryDelayFromHeaders } from './rate-limit.ts';

/** What a provider's HTTP client needs to know; one client per provider per sync run. */
export interface ProviderHttpOptions {
  /** Display name used in messages ("Render", "Netlify"). */
  readonly providerName: string;
  /** API base URL without a trailing slash, e.g. `https://api.render.com/v1`. */
  readonly baseUrl: string;
  readonly token: string;
  /** Where the token came from, named in authentication errors so the user knows which one to fix. */
  readonly tokenSource: string;
  /** What to do about a rejected token, appended to 401/403 messages. */
  readonly authHint: string;
  readonly budget: Budget;
  /** Retries of one request after 429s (and 5xx on reads) before giving up. */
  readonly maxRetries?: number;
  /** Per-attempt timeout. */
  readonly timeoutMs?: number;
  /** Injected fetch (tests and the build plugin); defaults to the global one, which msw intercepts. */
  readonly fetch?: typeof fetch;
  /** Removes any known variable value from text a provider sent back, before it goes into an error. */
  readonly redact?: (text: string) => string;
  /** Called once per HTTP attempt (retries included): feeds client-side rate budgets and metrics. */
  readonly onRequest?: (method: string, url: URL) => void;
}

const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Creates the ky instance for one provider: base URL, bearer auth, `Accept: application/json`,
 * per-attempt timeouts, and a retry policy bounded by the sync's time budget.
 *
 * Retry rules, chosen for convergence rather than speed:
 * - 429 is retried for every method: the provider refused the request, so nothing was applied. The
 *   wait comes from `Retry-After` / `*RateLimit-Reset`, else jittered backoff, and a wait that does
 *   not fit the budget is not started: the request fails as rate limited instead.
 * - 5xx and network errors are retried for reads only. For a write the outcome is unknown (it may
 *   have been applied), so the error goes back to the engine, which re-reads the target and plans
 *   again before writing: a repeated bulk create of an existing key would fail, and a repeated
 *   replace-all could overwrite a change made in between.
 */
export function createProviderHttp(options: ProviderHttpOptions): KyInstance {
  const { budget } = options;
  const maxRetries = options.maxRetries ?? 3;
  return ky.create({
    prefixUrl: options.baseUrl,
    timeout: options.timeoutMs ?? 10_000,
    throwHttpErrors: true,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    headers: { accept: 'application/json', authorization: `Bearer ${options.token}` },
    retry: {
      limit: maxRetries,
      methods: ['get', 'put', 'post', 'patch', 'delete'],
      statusCodes: [429, 500, 502, 503, 504],
      afterStatusCodes: [429, 503],
      delay: (attempt) => backoffDelayMs(attempt),
      retryOnTimeout: true,
      // Returning `undefined` lets ky compute the wait itself: from Retry-After / RateLimit-Reset /
      // X-RateLimit-Reset when present (epoch or delta), else from `delay`. Returning `true` would
      // skip the headers, so this only ever vetoes.
      shouldRetry: ({ error, retryCount }) => {
        const method = requestMethodOf(error);
        if (error instanceof HTTPError) {
          const status = error.response.status;
          if (status !== 429 && writeMethods.has(method)) return false;
          if (status !== 429 && status < 500) return false;
          const wait = retryDelayFromHeaders(error.response.headers) ?? backoffDelayMs(retryCount, () => 1);
          return budget.allows(wait + 1_000) ? undefined : false;
        }
        // A connection error carries no request, so its method is unknown: leave it to the engine,
        // which re-reads the target before it plans and writes again.
        if (!(error instanceof TimeoutError) || writeMethods.has(method)) return false;
        return budget.allows(backoffDelayMs(retryCount, () => 1) + 1_000) ? undefined : false;
      },
    },
    // Nothing outlives the budget: an attempt or a retry wait still running at the deadline is aborted.
    signal: AbortSignal.timeout(Math.max(1, budget.remainingMs())),
    hooks: {
      beforeRequest: [
        (request) => {
          if (!budget.allows(0)) {
            throw new SyncError(
              'budget-exhausted',
              `${options.providerName}: the sync ran out of its time budget before ${describeRequest(request)}; the rest is left for the next run.`,
              { retryable: true },
            );
          }
          options.onRequest?.(request.method, new URL(request.url));
        },
      ],
    },
  });
}

/** Context for turning a failed request into a {@link SyncError}. */
export interface FailureContext {
  readonly providerName: string;
  readonly tokenSource: string;
  readonly authHint: string;
  /** Human name of the call, e.g. `GET /services/srv-1/env-vars`. */
  readonly endpoint: string;
  readonly key?: string;
  readonly redact?: (text: string) => string;
  /**
   * Fixed, value-free phrases (`already exists`) that may be quoted from the provider's answer to a
   * write when its text contains them, so callers can still tell such rejections apart.
   */
  readonly writePhrases?: readonly string[];
}

/**
 * Maps anything a ky call throws to a {@link SyncError} with a code and a message that says what to
 * do. 404s are mapped to `provider-not-found`; adapters decide what a 404 means on their endpoints
 * (an unknown service, or a variable already deleted) before calling this.
 *
 * The provider's own words are kept only for reads, redacted. An answer to a write may quote the
 * request body (values EnvSync sent, unmanaged ones included in a replace-all), in forms a
 * redactor may not recognise (truncated, re-encoded), so it is dropped: only the status and the
 * known phrases of {@link FailureContext.writePhrases} are kept.
 */
export async function toProviderError(error: unknown, context: FailureContext): Promise<SyncError> {
  if (error instanceof SyncError) return error;
  const where = `${context.providerName} ${context.endpoint}`;
  const keyOption = context.key === undefined ? {} : { key: context.key };
  if (error instanceof HTTPError) {
    const status = error.response.status;
    const detail = writeMethods.has(error.request.method.toUpperCase())
      ? await writeRejectionDetail(error.response, context)
      : await providerMessage(error.response, context.redact);
    const base = { cause: error, status, ...keyOption };
    if (status === 401 || status === 403) {
      return new SyncError(
        'provider-auth',
        `${where} answered ${status}: the token from ${context.tokenSource} was rejected. ${context.authHint}`,
        base,
      );
    }
    if (status === 404) {
      return new SyncError('provider-not-found', `${where} answered 404 (not found)${detail}.`, base);
    }
    if (status === 429) {
      return new SyncError(
        'provider-rate-limited',
        `${where} was rate limited (429) and the wait did not fit the sync's time budget; the next run will continue.`,
        { ...base, retryable: true },
      );
    }
    if (status >= 500) {
      return new SyncError(
        writeMethods.has(error.request.method) ? 'outcome-unknown' : 'provider-unavailable',
        `${where} failed with ${status}${detail}; ${context.providerName} may be having trouble, the next run will retry.`,
        { ...base, retryable: true },
      );
    }
    return new SyncError('provider-rejected', `${where} rejected the request with ${status}${detail}.`, base);
  }
  const write = writeMethods.has(context.endpoint.split(' ')[0] ?? '');
  const reason = error instanceof TimeoutError || isAbort(error) ? 'timed out' : 'could not connect';
  return new SyncError(
    write ? 'outcome-unknown' : 'provider-unavailable',
    write
      ? `${where} ${reason}; it may or may not have been applied, so EnvSync re-reads before trying again.`
      : `${where} ${reason}; check the API URL and your network, the next run will retry.`,
    { cause: error, retryable: true, ...keyOption },
  );
}

/**
 * Validates a provider response body with zod. A surprise shape is an error naming the endpoint,
 * never an empty list: an empty list would turn into deletions.
 */
export function parseResponse<T>(schema: z.ZodType<T>, body: unknown, providerName: string, endpoint: string): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
  throw new SyncError(
    'provider-response-invalid',
    `${providerName} ${endpoint} returned a response of an unexpected shape (${problems}); nothing was changed. Check the API URL points at ${providerName}'s API.`,
    { cause: result.error },
  );
}

/** Reads a JSON body, failing with a clear error when it is not JSON (an HTML error page, say). */
export async function readJson(response: Response, providerName: string, endpoint: string): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SyncError(
      'provider-response-invalid',
      `${providerName} ${endpoint} did not return JSON (got ${response.headers.get('content-type') ?? 'no content type'}); nothing was changed. Check the API URL.`,
      { cause: error },
    );
  }
}

async function providerMessage(response: Response, redact?: (text: string) => string): Promise<string> {
  const message = await providerText(response);
  if (message === undefined) return '';
  const safe = (redact ?? ((text: string) => text))(message).slice(0, 200);
  return `: "${safe}"`;
}

/** What may be said of a write's rejection: the known phrases it contains, never its own words. */
async function writeRejectionDetail(response: Response, context: FailureContext): Promise<string> {
  const message = await providerText(response);
  if (message === undefined) return '';
  const lower = message.toLowerCase();
  const phrases = (context.writePhrases ?? []).filter((phrase) => lower.includes(phrase.toLowerCase()));
  const said = phrases.length > 0 ? `; it says "${phrases.join('", "')}"` : '';
  return ` (its message is not shown, since it may quote a value EnvSync sent${said})`;
}

/** The `message` (or netlify-cli's `msg`) of a JSON error body, or `undefined`. */
async function providerText(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.clone().json()) as { message?: unknown; msg?: unknown };
    const message = typeof body.message === 'string' ? body.message : typeof body.msg === 'string' ? body.msg : undefined;
    return message === undefined || message.length === 0 ? undefined : message;
  } catch {
    return undefined;
  }
}

function requestMethodOf(error: Error): string {
  return error instanceof HTTPError || error instanceof TimeoutError ? error.request.method.toUpperCase() : 'UNKNOWN';
}

function describeRequest(request: Request): string {
  return `${request.method} ${new URL(request.url).pathname}`;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}
