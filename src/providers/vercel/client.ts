import { HTTPError, type KyInstance } from 'ky';
import type * as z from 'zod';
import type { ProviderSession } from '../../core/adapter.ts';
import { createProviderHttp, parseResponse, readJson, toProviderError } from '../../http/client.ts';
import { providerName, rejection, VercelRequestError, vercelAuthHint, type VercelFailure } from './errors.ts';
import { errorBodySchema } from './schemas.ts';


/** One request to Vercel's API, relative to VERCEL_API_URL. */
export interface VercelRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path without a leading slash, segments already encoded. */
  readonly path: string;
  readonly searchParams?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  /** The variable the request is about, set on the error when it fails. */
  readonly key?: string;
}

/**
 * The run's one Vercel client: the ky instance from {@link createProviderHttp} (bearer auth,
 * timeouts, 429 retries after `Retry-After` / `X-RateLimit-Reset` within the budget), `teamId` on
 * every call, and one mapping of every failure to a value-free {@link SyncError} that carries
 * Vercel's own error code and message.
 */
export class VercelClient {
  readonly #http: KyInstance;
  readonly #session: ProviderSession;
  readonly #teamId: string | undefined;
  #requests = 0;

  constructor(session: ProviderSession, apiUrl: string, teamId: string | undefined) {
    this.#session = session;
    this.#teamId = teamId;
    this.#http = createProviderHttp({
      providerName,
      baseUrl: apiUrl,
      token: session.token,
      tokenSource: session.tokenSource,
      authHint: vercelAuthHint,
      budget: session.budget,
      redact: session.redact,
      onRequest: () => {
        this.#requests += 1;
      },
      ...(session.fetch === undefined ? {} : { fetch: session.fetch }),
    });
  }

  /** HTTP attempts made so far (retries included). */
  get requestCount(): number {
    return this.#requests;
  }

  /**
   * Sends one request, with `teamId` when VERCEL_TEAM_ID is set.
   * @throws VercelRequestError carrying the mapped SyncError, Vercel's code and any `failed` items.
   */
  async send(request: VercelRequest): Promise<Response> {
    const searchParams = { ...request.searchParams, ...(this.#teamId === undefined ? {} : { teamId: this.#teamId }) };
    try {
      return await this.#http(request.path, {
        method: request.method,
        ...(Object.keys(searchParams).length === 0 ? {} : { searchParams }),
        ...(request.json === undefined ? {} : { json: request.json }),
      });
    } catch (error) {
      throw new VercelRequestError(await this.#mapFailure(error, request));
    }
  }

  /** Sends a request and validates its JSON body. */
  async sendFor<T>(request: VercelRequest, schema: z.ZodType<T>): Promise<T> {
    const response = await this.send(request);
    const endpoint = endpointOf(request);
    return parseResponse(schema, await readJson(response, providerName, endpoint), providerName, endpoint);
  }

  /**
   * The body of a successful write, or `undefined` when it cannot be read or is not the expected
   * shape: the write landed (the status said so), so a surprise here must not become a failure.
   */
  async bodyOfWrite<T>(response: Response, request: VercelRequest, schema: z.ZodType<T>): Promise<T | undefined> {
    const endpoint = endpointOf(request);
    try {
      return parseResponse(schema, await readJson(response, providerName, endpoint), providerName, endpoint);
    } catch {
      this.#session.logger.warn('vercel.write_response_unreadable', { endpoint });
      return undefined;
    }
  }

  async #mapFailure(error: unknown, request: VercelRequest): Promise<VercelFailure> {
    const endpoint = endpointOf(request);
    const mapped = await toProviderError(error, {
      providerName,
      tokenSource: this.#session.tokenSource,
      authHint: vercelAuthHint,
      endpoint,
      redact: this.#session.redact,
      ...(request.key === undefined ? {} : { key: request.key }),
    });
    if (!(error instanceof HTTPError)) return { error: mapped, code: undefined, failed: [] };
    const body = errorBodySchema.safeParse(await error.response.clone().json().catch(() => undefined));
    if (!body.success) return { error: mapped, code: undefined, failed: [] };
    const code = body.data.error.code ?? undefined;
    const message = this.#session.redact(body.data.error.message ?? '').slice(0, 200);
    const failed = body.data.failed ?? [];
    if (mapped.code !== 'provider-rejected') return { error: mapped, code, failed };
    return { error: rejection(mapped, endpoint, code, message, request.key), code, failed };
  }
}

/** `PATCH /v9/projects/prj_1/env/{id}`: the request as messages name it (no values, no query). */
export function endpointOf(request: Pick<VercelRequest, 'method' | 'path'>): string {
  return `${request.method} /${request.path.split('?')[0] ?? ''}`;
}

/** Encodes one path segment (project ids or names, record ids). */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
