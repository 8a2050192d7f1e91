import { HTTPError, type KyInstance } from 'ky';
import type * as z from 'zod';
import { isSyncError, type SyncError } from '../../errors.ts';
import { createProviderHttp, parseResponse, readJson, toProviderError } from '../../http/client.ts';
import type { ProviderSession } from '../../core/adapter.ts';
import { netlifyAuthHint, netlifyErrors } from './errors.ts';
import { RequestGate } from './gate.ts';
import type { NetlifyOptions } from './settings.ts';

/** Name used in every message. */
export const providerName = 'Netlify';

/**
 * Phrases of Netlify's write rejections that may be quoted although the rest of the message is
 * dropped: "already exists" tells a bulk create of a key created meanwhile apart (see apply.ts).
 */
const netlifyWritePhrases = ['already exists', 'exists already'] as const;

/** One request to Netlify's API, relative to NETLIFY_API_URL. */
export interface NetlifyRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path without a leading slash, segments already encoded. */
  readonly path: string;
  readonly searchParams?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  /** The variable the request is about, set on the error when it fails. */
  readonly key?: string;
}

/**
 * The run's one Netlify client: the ky instance from {@link createProviderHttp} (auth, timeouts,
 * 429 retries within the budget), the {@link RequestGate} every site shares, and the mapping of
 * every failure to a value-free {@link SyncError}.
 */
export class NetlifyClient {
  readonly baseUrl: string;
  readonly #http: KyInstance;
  readonly #gate: RequestGate;
  readonly #session: ProviderSession<NetlifyOptions>;
  #requests = 0;

  constructor(session: ProviderSession<NetlifyOptions>) {
    this.#session = session;
    this.baseUrl = session.provider.apiUrl;
    this.#gate = new RequestGate(session.budget);
    this.#http = createProviderHttp({
      providerName,
      baseUrl: this.baseUrl,
      token: session.token,
      tokenSource: session.tokenSource,
      authHint: netlifyAuthHint,
      budget: session.budget,
      redact: session.redact,
      onRequest: () => {
        this.#requests += 1;
      },
      ...(session.fetch === undefined ? {} : { fetch: session.fetch }),
    });
  }

  /** How many keys may be written at once now, sized by the token's rate window (see {@link RequestGate}). */
  keyConcurrency(): number {
    return this.#gate.keyConcurrency();
  }

  /** HTTP attempts made so far (retries included), for the log. */
  get requestCount(): number {
    return this.#requests;
  }

  /**
   * Sends one request.
   * @throws SyncError mapped from the failure (`provider-auth` naming the token's source, `provider-not-found`,
   *   `provider-rate-limited`, `outcome-unknown` for a write that may have landed, ...).
   */
  async send(request: NetlifyRequest): Promise<Response> {
    const answer = await this.#exchange(request);
    if ('response' in answer) return answer.response;
    throw answer.generic;
  }

  /** Sends a delete; `'absent'` when Netlify says it was already gone (see {@link netlifyErrors}). */
  async remove(request: NetlifyRequest): Promise<'removed' | 'absent'> {
    const answer = await this.#exchange(request);
    if ('generic' in answer) return 'absent';
    await answer.response.arrayBuffer();
    return 'removed';
  }

  /** One request through the gate; a failure is thrown as {@link netlifyErrors} reads it, except an absence. */
  async #exchange(request: NetlifyRequest): Promise<{ readonly response: Response } | { readonly generic: SyncError }> {
    await this.#gate.acquire();
    try {
      const response = await this.#http(request.path, {
        method: request.method,
        ...(request.searchParams === undefined ? {} : { searchParams: { ...request.searchParams } }),
        ...(request.json === undefined ? {} : { json: request.json }),
      });
      this.#gate.observe(response.headers);
      return { response };
    } catch (error) {
      const mapped = await toProviderError(error, {
        providerName,
        tokenSource: this.#session.tokenSource,
        authHint: netlifyAuthHint,
        endpoint: endpointOf(request),
        redact: this.#session.redact,
        writePhrases: netlifyWritePhrases,
        ...(request.key === undefined ? {} : { key: request.key }),
      });
      if (error instanceof HTTPError && error.response.status !== 429) this.#gate.observe(error.response.headers);
      this.#gate.fail(mapped, error instanceof HTTPError ? error.response.headers : undefined);
      const site = request.searchParams?.['site_id'];
      const reading = netlifyErrors(
        {
          method: request.method,
          path: request.path.split('?')[0] ?? '',
          endpoint: endpointOf(request),
          status: error instanceof HTTPError ? error.response.status : mapped.status,
          ...(request.key === undefined ? {} : { key: request.key }),
          ...(site === undefined ? {} : { target: site }),
        },
        mapped,
      );
      if (reading === 'absent') return { generic: mapped };
      throw reading ?? mapped;
    } finally {
      // After the answer has been noted, so a request woken by it sees what it said.
      this.#gate.done();
    }
  }

  /** Sends a request and validates its JSON body. */
  async sendFor<T>(request: NetlifyRequest, schema: z.ZodType<T>): Promise<{ body: T; response: Response }> {
    const response = await this.send(request);
    const endpoint = endpointOf(request);
    const body = parseResponse(schema, await readJson(response, providerName, endpoint), providerName, endpoint);
    return { body, response };
  }

  /**
   * Reads the body of a successful write, or `undefined` when it cannot be read or is not the
   * expected shape. The write landed either way (the status said so), so a surprise here must not
   * turn it into a failure that would be retried: the ledger then falls back to EnvSync's own clock
   * for the time of the write.
   */
  async bodyOfWrite<T>(response: Response, request: NetlifyRequest, schema: z.ZodType<T>): Promise<T | undefined> {
    const endpoint = endpointOf(request);
    try {
      return parseResponse(schema, await readJson(response, providerName, endpoint), providerName, endpoint);
    } catch {
      this.#session.logger.warn('netlify.write_response_unreadable', { endpoint });
      return undefined;
    }
  }
}

/** `PATCH /accounts/{account}/env/{key}`: the request as messages name it (no values, no query). */
export function endpointOf(request: Pick<NetlifyRequest, 'method' | 'path'>): string {
  return `${request.method} /${request.path.split('?')[0] ?? ''}`;
}

/** Encodes one path segment (keys, ids, slugs). */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

/** Whether an error from {@link NetlifyClient.send} is a 404. */
export function isNotFound(error: unknown): error is SyncError {
  return isSyncError(error) && error.code === 'provider-not-found';
}
