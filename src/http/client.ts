import ky, { HTTPError, TimeoutError, type KyInstance } from 'ky';
import type * as z from 'zod';
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

/** One request to a provider's API, as adapters describe it: no values in anything but `json`. */
export interface ApiRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path relative to the API base URL, without a leading slash or query, segments already encoded. */
  readonly path: string;
  readonly searchParams?: Readonly<Record<string, string | number>>;
  readonly json?: unknown;
  /** The variable the request is about: set on the error when it fails. */
  readonly key?: string;
  /** The target the request is about (a service, a site), for the provider's error messages. */
  readonly target?: string;
}

/** A failed request as a provider's {@link ErrorMapping} sees it. */
export interface FailedRequest {
  readonly method: ApiRequest['method'];
  readonly path: string;
  /** `GET /services/srv-1/env-vars`: how messages name the request. */
  readonly endpoint: string;
  /** The HTTP status when the provider answered; `undefined` for a timeout or a connection error. */
  readonly status: number | undefined;
  readonly key?: string;
  readonly target?: string;
}

/**
 * A provider's one reading of its API's failures, declared where its client is built (the idea of
 * ky's `beforeError`, applied after ky's retries so the 429 handling above stays intact).
 *
 * It receives every failure with the generic {@link SyncError} from {@link toProviderError} and
 * returns a provider-specific error (a 404 on a service's path is an unknown service, naming the
 * setting to fix), `'absent'` when the failure means what a delete wanted is already true, or
 * `undefined` to keep the generic error. Call sites never inspect statuses themselves.
 */
export type ErrorMapping = (failure: FailedRequest, generic: SyncError) => SyncError | 'absent' | undefined;

/** What {@link createProviderApi} needs besides the ky instance. */
export interface ProviderApiOptions {
  readonly providerName: string;
  readonly tokenSource: string;
  readonly authHint: string;
  readonly redact?: (text: string) => string;
  readonly mapError?: ErrorMapping;
  /** Sees every failure before it is mapped: client-side rate gates learn from 401s and 429s here. */
  readonly onFailure?: (generic: SyncError, error: unknown) => void;
}

/** A provider's API: requests described as data, failures mapped once by the provider's mapping. */
export interface ProviderApi {
  /**
   * Sends a request.
   * @throws SyncError as the provider's mapping reads the failure (an `'absent'` reading is kept
   *   as the generic error here: only {@link ProviderApi.remove} treats absence as success).
   */
  send(request: ApiRequest): Promise<Response>;
  /** Sends a delete; `'absent'` when the mapping says the thing was already gone. */
  remove(request: ApiRequest): Promise<'removed' | 'absent'>;
  /** Sends a request and validates its JSON body with `schema`. */
  sendFor<T>(request: ApiRequest, schema: z.ZodType<T>): Promise<{ readonly body: T; readonly response: Response }>;
}

/** `PUT /services/srv-1/env-vars/KEY`: a request as messages name it (no query, no values). */
export function endpointOf(request: Pick<ApiRequest, 'method' | 'path'>): string {
  return `${request.method} /${request.path.split('?')[0] ?? ''}`;
}

/** Builds a provider's {@link ProviderApi} over its ky instance. */
export function createProviderApi(http: KyInstance, options: ProviderApiOptions): ProviderApi {
  const failure = async (error: unknown, request: ApiRequest): Promise<{ readonly generic: SyncError; readonly mapped: SyncError | 'absent' }> => {
    const endpoint = endpointOf(request);
    const generic = await toProviderError(error, {
      providerName: options.providerName,
      tokenSource: options.tokenSource,
      authHint: options.authHint,
      endpoint,
      ...(options.redact === undefined ? {} : { redact: options.redact }),
      ...(request.key === undefined ? {} : { key: request.key }),
    });
    options.onFailure?.(generic, error);
    const failed: FailedRequest = {
      method: request.method,
      path: request.path,
      endpoint,
      status: error instanceof HTTPError ? error.response.status : generic.status,
      ...(request.key === undefined ? {} : { key: request.key }),
      ...(request.target === undefined ? {} : { target: request.target }),
    };
    return { generic, mapped: options.mapError?.(failed, generic) ?? generic };
  };
  const send = async (request: ApiRequest): Promise<Response> => {
    try {
      return await http(request.path, {
        method: request.method,
        ...(request.searchParams === undefined ? {} : { searchParams: { ...request.searchParams } }),
        ...(request.json === undefined ? {} : { json: request.json }),
      });
    } catch (error) {
      const { generic, mapped } = await failure(error, request);
      throw mapped === 'absent' ? generic : mapped;
    }
  };
  return {
    send,
    async remove(request) {
      try {
        const response = await http(request.path, {
          method: request.method,
          ...(request.searchParams === undefined ? {} : { searchParams: { ...request.searchParams } }),
        });
        // Drained, not cancelled: an afterResponse hook's clone would keep a cancel pending.
        await response.arrayBuffer();
        return 'removed';
      } catch (error) {
        const { mapped } = await failure(error, request);
        if (mapped === 'absent') return 'absent';
        throw mapped;
      }
    },
    async sendFor(request, schema) {
      const response = await send(request);
      const endpoint = endpointOf(request);
      const body = parseResponse(schema, await readJson(response, options.providerName, endpoint), options.providerName, endpoint);
      return { body, response };
    },
  };
}
