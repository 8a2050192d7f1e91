import * as z from 'zod';

/**
 * A stateful fake of Netlify's env-var API, following ../shared/reference/netlify-platform.md §6
 * and netlify-openapi-env.yml. A plain class with `handle(request) => Promise<Response>`, so msw
 * handlers (`http.all(`${origin}/*`, ({ request }) => fake.handle(request))`) and a node:http
 * emulator can both serve it.
 *
 * Where the reference is unsure, the fake picks the stricter reading and makes it configurable:
 * how a secret's value is masked (`maskedSecrets`), the scope spelling it returns
 * (`post_processing` by default, as netlify-cli says the live API does), and a bulk create of an
 * existing key is rejected (400, "already exists") with nothing created.
 *
 * Modelled: bearer-token check (401), unknown site (404), a site reached through the wrong account
 * (404), site-level variables only (`site_id` is required: a missing one would create a team-level
 * variable on the real API), per-variable `updated_at`, secret rules (explicit contexts, no
 * post-processing scope, the flag can't be removed), a fixed-window limiter (500 a minute) answering
 * 429 with `X-RateLimit-Reset` in epoch seconds and no `Retry-After`, 3 deploys a minute, a request
 * log of method + route (never values), and failure injection.
 *
 * For a node:http server: `Response.error()` (injected network errors) has `type === 'error'`;
 * destroy the socket instead of answering.
 */

/** Every route the fake knows, named as in the spec. */
export type FakeRoute =
  | 'GET /sites/{site_id}'
  | 'POST /sites/{site_id}/builds'
  | 'POST /build_hooks/{id}'
  | 'GET /accounts/{account_id}/env'
  | 'POST /accounts/{account_id}/env'
  | 'GET /accounts/{account_id}/env/{key}'
  | 'PUT /accounts/{account_id}/env/{key}'
  | 'PATCH /accounts/{account_id}/env/{key}'
  | 'DELETE /accounts/{account_id}/env/{key}'
  | 'DELETE /accounts/{account_id}/env/{key}/value/{id}'
  | 'unknown';

/** One request as logged: never a value or a body. */
export interface LoggedRequest {
  readonly method: string;
  readonly route: FakeRoute;
  readonly site?: string;
  readonly key?: string;
  readonly status: number;
}

/** How a secret's value comes back in reads: the reference could not settle it. */
export type MaskedSecretStyle = 'omitted' | 'empty' | 'null' | 'masked';

export interface NetlifyFakeOptions {
  /** The only token accepted. @default 'nfp_test_token' */
  readonly token?: string;
  /** Path prefix stripped before routing (build hooks live outside it). @default '/api/v1' */
  readonly basePath?: string;
  readonly now?: () => number;
  /** @default { limit: 500, windowMs: 60_000 } */
  readonly rateLimit?: { readonly limit: number; readonly windowMs: number };
  /** @default { limit: 3, windowMs: 60_000 } */
  readonly deployLimit?: { readonly limit: number; readonly windowMs: number };
  /** @default 'masked' */
  readonly maskedSecrets?: MaskedSecretStyle;
  /** Spelling of the post-processing scope in default scopes. @default 'post_processing' */
  readonly postProcessingSpelling?: 'post_processing' | 'post-processing';
  /** When set, lists are paginated with `?page=` and `Link: <...>; rel="next"`. */
  readonly pageSize?: number;
  /**
   * Quote the request body in the message of every 400 and 422 answer (injected ones included), as
   * a careless API might: proves that no value EnvSync sent reaches a report, log or response.
   */
  readonly echoRequestBodies?: boolean;
}

/** A failure to answer with instead of (or after) handling a matching request. */
export interface FakeFailure {
  readonly method?: string;
  readonly route?: FakeRoute;
  readonly key?: string;
  /** @default 500 */
  readonly status?: number;
  /** How many matching requests fail. @default 1 */
  readonly times?: number;
  /** Carry the request out, then answer with the failure: a write whose response was lost. */
  readonly afterApply?: boolean;
  /** Answer `Response.error()` (a network error under msw). */
  readonly networkError?: boolean;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What tests seed: values by EnvSync context string (`production`, `branch:staging`, `all`). */
export interface FakeVariableSeed {
  readonly values: Readonly<Record<string, string>>;
  readonly secret?: boolean;
  readonly scopes?: readonly string[];
  readonly updatedAt?: string;
}

/** A variable as tests inspect it: real values, by EnvSync context string. */
export interface FakeVariableView {
  readonly key: string;
  readonly secret: boolean;
  readonly scopes: readonly string[];
  readonly updatedAt: string;
  readonly values: Readonly<Record<string, string>>;
  readonly valueIds: Readonly<Record<string, string>>;
}

interface StoredValue {
  id: string;
  context: string;
  contextParameter: string | undefined;
  value: string;
}

interface StoredVariable {
  key: string;
  isSecret: boolean;
  scopes: string[];
  values: StoredValue[];
  updatedAt: number;
}

interface FakeSite {
  readonly id: string;
  readonly name: string;
  readonly accountId: string;
  readonly accountSlug: string;
  readonly variables: Map<string, StoredVariable>;
}

interface Matched {
  readonly route: FakeRoute;
  readonly params: Readonly<Record<string, string>>;
}

const knownContexts = ['all', 'dev', 'dev-server', 'branch-deploy', 'deploy-preview', 'production', 'branch'];
const knownScopes = ['builds', 'functions', 'runtime', 'post-processing'];
const maskedValue = '************';

const valueInput = z.object({
  context: z.string(),
  context_parameter: z.string().nullish(),
  value: z.string(),
  id: z.string().optional(),
});
const variableInput = z.object({
  key: z.string().min(1),
  scopes: z.array(z.string()).optional(),
  values: z.array(valueInput).optional(),
  is_secret: z.boolean().optional(),
});

class FakeHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The fake. See the file comment for what it models. */
export class NetlifyFake {
  readonly #options: Required<Omit<NetlifyFakeOptions, 'pageSize'>> & { pageSize: number | undefined };
  readonly #sites = new Map<string, FakeSite>();
  readonly #hooks = new Map<string, string>();
  readonly #log: LoggedRequest[] = [];
  readonly #failures: { failure: FakeFailure; left: number }[] = [];
  readonly #builds: { siteId: string; via: 'api' | 'hook' }[] = [];
  readonly #windows = new Map<string, { start: number; count: number }>();
  #lastStamp = 0;
  #ids = 0;

  constructor(options: NetlifyFakeOptions = {}) {
    this.#options = {
      token: options.token ?? 'nfp_test_token',
      basePath: (options.basePath ?? '/api/v1').replace(/\/+$/, ''),
      now: options.now ?? Date.now,
      rateLimit: options.rateLimit ?? { limit: 500, windowMs: 60_000 },
      deployLimit: options.deployLimit ?? { limit: 3, windowMs: 60_000 },
      maskedSecrets: options.maskedSecrets ?? 'masked',
      postProcessingSpelling: options.postProcessingSpelling ?? 'post_processing',
      pageSize: options.pageSize,
      echoRequestBodies: options.echoRequestBodies ?? false,
    };
  }

  // ---- seeding and inspection -------------------------------------------------------------

  /** Adds a site; its account is reachable by id or slug. */
  addSite(site: { readonly id: string; readonly accountId?: string; readonly accountSlug?: string; readonly name?: string }): this {
    this.#sites.set(site.id, {
      id: site.id,
      name: site.name ?? site.id,
      accountId: site.accountId ?? 'acc-0001',
      accountSlug: site.accountSlug ?? 'team-slug',
      variables: new Map(),
    });
    return this;
  }

  /** Seeds (or replaces) a variable without going through the API or the log. */
  seed(siteId: string, key: string, seed: FakeVariableSeed): this {
    const site = this.#site(siteId);
    site.variables.set(key, {
      key,
      isSecret: seed.secret ?? false,
      scopes: [...(seed.scopes ?? this.#defaultScopes())],
      values: Object.entries(seed.values).map(([context, value]) => this.#storedValue(context, value)),
      updatedAt: seed.updatedAt === undefined ? this.#stamp() : Date.parse(seed.updatedAt),
    });
    return this;
  }

  /** A variable with its real values (secrets included), or `undefined`. */
  variable(siteId: string, key: string): FakeVariableView | undefined {
    const variable = this.#site(siteId).variables.get(key);
    if (variable === undefined) return undefined;
    const values: Record<string, string> = {};
    const valueIds: Record<string, string> = {};
    for (const value of variable.values) {
      const context = value.context === 'branch' ? `branch:${value.contextParameter ?? ''}` : value.context;
      values[context] = value.value;
      valueIds[context] = value.id;
    }
    return { key, secret: variable.isSecret, scopes: [...variable.scopes], updatedAt: iso(variable.updatedAt), values, valueIds };
  }

  /** The real values of a variable by context, or `undefined` when it does not exist. */
  values(siteId: string, key: string): Readonly<Record<string, string>> | undefined {
    return this.variable(siteId, key)?.values;
  }

  /** Every key of a site, sorted. */
  keys(siteId: string): string[] {
    return [...this.#site(siteId).variables.keys()].sort();
  }

  /** Someone changes (or adds) one context's value in the Netlify UI: the variable's `updated_at` moves. */
  editInUi(siteId: string, key: string, context: string, value: string): void {
    const site = this.#site(siteId);
    const variable = site.variables.get(key) ?? { key, isSecret: false, scopes: this.#defaultScopes(), values: [], updatedAt: 0 };
    site.variables.set(key, variable);
    const stored = this.#storedValue(context, value);
    variable.values = [...variable.values.filter((other) => !sameContext(other, stored)), stored];
    variable.updatedAt = this.#stamp();
  }

  /** Someone deletes a variable in the UI. */
  deleteInUi(siteId: string, key: string): void {
    this.#site(siteId).variables.delete(key);
  }

  /** Creates a build hook for a site; returns its id (the URL is `{origin}/build_hooks/{id}`). */
  addBuildHook(siteId: string): string {
    this.#site(siteId);
    const id = `hook-${this.#nextId()}`;
    this.#hooks.set(id, siteId);
    return id;
  }

  /** Builds started, in order. */
  get builds(): readonly { readonly siteId: string; readonly via: 'api' | 'hook' }[] {
    return [...this.#builds];
  }

  /** Every request handled, in order. */
  get requests(): readonly LoggedRequest[] {
    return [...this.#log];
  }

  /** How many requests matched a route (all requests without one), optionally for one key. */
  count(route?: FakeRoute, filter: { readonly key?: string; readonly status?: number } = {}): number {
    return this.#log.filter(
      (entry) =>
        (route === undefined || entry.route === route) &&
        (filter.key === undefined || entry.key === filter.key) &&
        (filter.status === undefined || entry.status === filter.status),
    ).length;
  }

  /** Requests other than GETs: every write the client attempted. */
  writeCount(): number {
    return this.#log.filter((entry) => entry.method !== 'GET').length;
  }

  clearLog(): void {
    this.#log.length = 0;
  }

  /** Makes the next matching request(s) fail. */
  fail(failure: FakeFailure): this {
    this.#failures.push({ failure, left: failure.times ?? 1 });
    return this;
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  /** Answers one request as Netlify's API would. */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const matched = this.#match(request.method.toUpperCase(), url);
    const sent = this.#options.echoRequestBodies ? await request.clone().text() : '';
    const response = await echoed(await this.#respond(request, url, matched), sent);
    const key = matched.params['key'];
    const site = url.searchParams.get('site_id') ?? matched.params['site_id'];
    this.#log.push({
      method: request.method.toUpperCase(),
      route: matched.route,
      status: response.status,
      ...(key === undefined ? {} : { key }),
      ...(site === undefined || site === null ? {} : { site }),
    });
    return response;
  }

  async #respond(request: Request, url: URL, matched: Matched): Promise<Response> {
    const failure = this.#takeFailure(request.method.toUpperCase(), matched);
    if (failure !== undefined && failure.afterApply !== true) return this.#failureResponse(failure);
    if (matched.route !== 'POST /build_hooks/{id}') {
      if (request.headers.get('authorization') !== `Bearer ${this.#options.token}`) {
        return json(401, { code: 401, message: 'Access Denied: Invalid token' });
      }
      const limited = this.#limit('api', this.#options.rateLimit);
      if (limited !== undefined) return limited;
    }
    let response: Response;
    try {
      response = await this.#dispatch(request, url, matched);
    } catch (error) {
      if (!(error instanceof FakeHttpError)) throw error;
      response = json(error.status, { code: error.status, message: error.message });
    }
    if (failure !== undefined && response.ok) return this.#failureResponse(failure);
    return this.#withRateHeaders(response);
  }

  async #dispatch(request: Request, url: URL, matched: Matched): Promise<Response> {
    const { params } = matched;
    switch (matched.route) {
      case 'GET /sites/{site_id}': {
        const site = this.#findSite(params['site_id'] ?? '');
        return json(200, { id: site.id, name: site.name, account_id: site.accountId, account_slug: site.accountSlug, account_name: site.accountSlug, url: `https://${site.name}.netlify.app` });
      }
      case 'POST /sites/{site_id}/builds':
        return this.#build(this.#findSite(params['site_id'] ?? '').id, 'api');
      case 'POST /build_hooks/{id}': {
        const siteId = this.#hooks.get(params['id'] ?? '');
        if (siteId === undefined) throw new FakeHttpError(404, 'Not Found');
        return this.#build(siteId, 'hook');
      }
      case 'GET /accounts/{account_id}/env':
        return this.#list(url, this.#siteFor(params, url));
      case 'POST /accounts/{account_id}/env':
        return this.#create(this.#siteFor(params, url), await jsonBody(request));
      case 'GET /accounts/{account_id}/env/{key}':
        return json(200, this.#toApi(this.#variableOf(this.#siteFor(params, url), params['key'] ?? '')));
      case 'PUT /accounts/{account_id}/env/{key}':
        return this.#replace(this.#siteFor(params, url), params['key'] ?? '', await jsonBody(request));
      case 'PATCH /accounts/{account_id}/env/{key}':
        return this.#setValue(this.#siteFor(params, url), params['key'] ?? '', await jsonBody(request));
      case 'DELETE /accounts/{account_id}/env/{key}': {
        const site = this.#siteFor(params, url);
        this.#variableOf(site, params['key'] ?? '');
        site.variables.delete(params['key'] ?? '');
        return new Response(null, { status: 204 });
      }
      case 'DELETE /accounts/{account_id}/env/{key}/value/{id}': {
        const variable = this.#variableOf(this.#siteFor(params, url), params['key'] ?? '');
        const remaining = variable.values.filter((value) => value.id !== params['id']);
        if (remaining.length === variable.values.length) throw new FakeHttpError(404, 'Not Found');
        variable.values = remaining;
        variable.updatedAt = this.#stamp();
        return new Response(null, { status: 204 });
      }
      case 'unknown':
        throw new FakeHttpError(404, 'Not Found');
    }
  }

  #list(url: URL, site: FakeSite): Response {
    const all = [...site.variables.values()].sort((a, b) => (a.key < b.key ? -1 : 1)).map((variable) => this.#toApi(variable));
    const size = this.#options.pageSize;
    if (size === undefined) return json(200, all);
    const page = Math.max(1, Number(url.searchParams.get('page') ?? '1'));
    const headers: Record<string, string> = {};
    if (page * size < all.length) {
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      headers['link'] = `<${next.href}>; rel="next"`;
    }
    return json(200, all.slice((page - 1) * size, page * size), headers);
  }

  #create(site: FakeSite, body: unknown): Response {
    const parsed = z.array(variableInput).safeParse(body);
    if (!parsed.success) throw new FakeHttpError(400, 'Invalid request body: expected an array of environment variables');
    const keys = parsed.data.map((item) => item.key);
    if (new Set(keys).size !== keys.length) throw new FakeHttpError(400, 'Duplicate keys in request');
    const existing = keys.filter((key) => site.variables.has(key));
    if (existing.length > 0) throw new FakeHttpError(400, `Environment variable ${existing.join(', ')} already exists`);
    const created = parsed.data.map((item) => {
      const isSecret = item.is_secret ?? false;
      const scopes = item.scopes ?? this.#defaultScopes();
      const values = (item.values ?? []).map((value) => this.#storedValue(toContextString(value), value.value));
      checkRules(item.key, values, isSecret, scopes);
      return { key: item.key, isSecret, scopes: [...scopes], values, updatedAt: 0 };
    });
    for (const variable of created) {
      variable.updatedAt = this.#stamp();
      site.variables.set(variable.key, variable);
    }
    return json(201, created.map((variable) => this.#toApi(variable)));
  }

  #replace(site: FakeSite, key: string, body: unknown): Response {
    const variable = this.#variableOf(site, key);
    const parsed = variableInput.partial({ key: true }).safeParse(body);
    if (!parsed.success || parsed.data.values === undefined) throw new FakeHttpError(400, 'Invalid request body: expected values');
    if (variable.isSecret && parsed.data.is_secret === false) throw new FakeHttpError(422, 'The secret flag of an environment variable cannot be removed');
    const isSecret = parsed.data.is_secret ?? variable.isSecret;
    const scopes = parsed.data.scopes ?? variable.scopes;
    const values = parsed.data.values.map((value) => this.#storedValue(toContextString(value), value.value));
    const newKey = parsed.data.key ?? key;
    if (newKey !== key && site.variables.has(newKey)) throw new FakeHttpError(400, `Environment variable ${newKey} already exists`);
    checkRules(newKey, values, isSecret, scopes);
    site.variables.delete(key);
    const replaced: StoredVariable = { key: newKey, isSecret, scopes: [...scopes], values, updatedAt: this.#stamp() };
    site.variables.set(newKey, replaced);
    return json(200, this.#toApi(replaced));
  }

  #setValue(site: FakeSite, key: string, body: unknown): Response {
    const variable = this.#variableOf(site, key);
    const parsed = valueInput.safeParse(body);
    if (!parsed.success) throw new FakeHttpError(400, 'Invalid request body: expected context and value');
    const stored = this.#storedValue(toContextString(parsed.data), parsed.data.value);
    const values = [...variable.values.filter((value) => !sameContext(value, stored)), stored];
    checkRules(key, values, variable.isSecret, variable.scopes);
    const previous = variable.values.find((value) => sameContext(value, stored));
    if (previous !== undefined) stored.id = previous.id;
    variable.values = values;
    variable.updatedAt = this.#stamp();
    return json(201, this.#toApi(variable));
  }

  #build(siteId: string, via: 'api' | 'hook'): Response {
    const limited = this.#limit(`deploys:${siteId}`, this.#options.deployLimit);
    if (limited !== undefined) return limited;
    this.#builds.push({ siteId, via });
    if (via === 'hook') return new Response(null, { status: 200 });
    return json(200, { id: `build-${this.#nextId()}`, deploy_id: `deploy-${this.#nextId()}`, done: false, created_at: iso(this.#options.now()) });
  }

  #toApi(variable: StoredVariable): unknown {
    return {
      key: variable.key,
      scopes: [...variable.scopes],
      is_secret: variable.isSecret,
      updated_at: iso(variable.updatedAt),
      updated_by: { id: 'user-1', full_name: 'Test User', email: 'user@example.com', avatar_url: '' },
      values: variable.values.map((value) => ({
        id: value.id,
        context: value.context,
        ...(value.contextParameter === undefined ? {} : { context_parameter: value.contextParameter }),
        ...this.#maskedValue(variable, value),
      })),
    };
  }

  /** Only the local-development value of a secret stays readable (reference §6, "Secrets"). */
  #maskedValue(variable: StoredVariable, value: StoredValue): { value?: string | null } {
    if (!variable.isSecret || value.context === 'dev') return { value: value.value };
    switch (this.#options.maskedSecrets) {
      case 'omitted':
        return {};
      case 'empty':
        return { value: '' };
      case 'null':
        return { value: null };
      case 'masked':
        return { value: maskedValue };
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  #match(method: string, url: URL): Matched {
    let path = url.pathname;
    const base = this.#options.basePath;
    if (base !== '' && (path === base || path.startsWith(`${base}/`))) path = path.slice(base.length);
    const parts = path.split('/').filter((part) => part !== '').map((part) => decodeURIComponent(part));
    const [first, a, b, c, d, e] = parts;
    const n = parts.length;
    const route = (name: FakeRoute, params: Record<string, string | undefined>): Matched => ({
      route: name,
      params: Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    });
    if (first === 'sites' && n === 2 && method === 'GET') return route('GET /sites/{site_id}', { site_id: a });
    if (first === 'sites' && n === 3 && b === 'builds' && method === 'POST') return route('POST /sites/{site_id}/builds', { site_id: a });
    if (first === 'build_hooks' && n === 2 && method === 'POST') return route('POST /build_hooks/{id}', { id: a });
    if (first === 'accounts' && b === 'env') {
      if (n === 3 && (method === 'GET' || method === 'POST')) return route(`${method} /accounts/{account_id}/env`, { account_id: a });
      if (n === 4 && ['GET', 'PUT', 'PATCH', 'DELETE'].includes(method)) {
        return route(`${method as 'GET' | 'PUT' | 'PATCH' | 'DELETE'} /accounts/{account_id}/env/{key}`, { account_id: a, key: c });
      }
      if (n === 6 && d === 'value' && method === 'DELETE') {
        return route('DELETE /accounts/{account_id}/env/{key}/value/{id}', { account_id: a, key: c, id: e });
      }
    }
    return { route: 'unknown', params: {} };
  }

  #takeFailure(method: string, matched: Matched): FakeFailure | undefined {
    const entry = this.#failures.find(
      ({ failure, left }) =>
        left > 0 &&
        (failure.method === undefined || failure.method.toUpperCase() === method) &&
        (failure.route === undefined || failure.route === matched.route) &&
        (failure.key === undefined || failure.key === matched.params['key']),
    );
    if (entry === undefined) return undefined;
    entry.left -= 1;
    return entry.failure;
  }

  #failureResponse(failure: FakeFailure): Response {
    if (failure.networkError === true) return Response.error();
    const status = failure.status ?? 500;
    const headers: Record<string, string> = { ...failure.headers };
    if (status === 429 && failure.headers === undefined) {
      headers['x-ratelimit-limit'] = String(this.#options.rateLimit.limit);
      headers['x-ratelimit-remaining'] = '0';
      headers['x-ratelimit-reset'] = String(Math.floor(this.#options.now() / 1000));
    }
    return json(status, failure.body ?? { code: status, message: status === 429 ? 'Rate limit exceeded' : 'Internal Server Error' }, headers);
  }

  /**
   * Fixed-window limiter; a window opens with its first request, so tests do not depend on where
   * the wall clock is. Answers 429 with `X-RateLimit-Reset` (epoch seconds) and no `Retry-After`.
   */
  #limit(bucket: string, rule: { readonly limit: number; readonly windowMs: number }): Response | undefined {
    const window = this.#window(bucket, rule);
    if (window.count >= rule.limit) {
      return json(429, { code: 429, message: 'Rate limit exceeded' }, rateHeaders(rule.limit, 0, window.start + rule.windowMs));
    }
    window.count += 1;
    return undefined;
  }

  #window(bucket: string, rule: { readonly windowMs: number }): { start: number; count: number } {
    const now = this.#options.now();
    const current = this.#windows.get(bucket);
    if (current !== undefined && now < current.start + rule.windowMs) return current;
    const fresh = { start: now, count: 0 };
    this.#windows.set(bucket, fresh);
    return fresh;
  }

  #withRateHeaders(response: Response): Response {
    const rule = this.#options.rateLimit;
    const window = this.#window('api', rule);
    for (const [name, value] of Object.entries(rateHeaders(rule.limit, Math.max(0, rule.limit - window.count), window.start + rule.windowMs))) {
      response.headers.set(name, value);
    }
    return response;
  }

  #siteFor(params: Readonly<Record<string, string>>, url: URL): FakeSite {
    const siteId = url.searchParams.get('site_id');
    if (siteId === null || siteId === '') {
      throw new FakeHttpError(400, 'The fake only models site-level variables: pass site_id (without it Netlify acts on team-level variables)');
    }
    const site = this.#sites.get(siteId);
    const account = params['account_id'];
    if (site === undefined || (account !== site.accountId && account !== site.accountSlug)) throw new FakeHttpError(404, 'Not Found');
    return site;
  }

  #findSite(siteId: string): FakeSite {
    const site = this.#sites.get(siteId);
    if (site === undefined) throw new FakeHttpError(404, 'Not Found');
    return site;
  }

  #site(siteId: string): FakeSite {
    const site = this.#sites.get(siteId);
    if (site === undefined) throw new Error(`NetlifyFake: no site ${siteId}; call addSite first`);
    return site;
  }

  #variableOf(site: FakeSite, key: string): StoredVariable {
    const variable = site.variables.get(key);
    if (variable === undefined) throw new FakeHttpError(404, 'Not Found');
    return variable;
  }

  #storedValue(context: string, value: string): StoredValue {
    const branch = context.startsWith('branch:');
    return { id: `val-${this.#nextId()}`, context: branch ? 'branch' : context, contextParameter: branch ? context.slice('branch:'.length) : undefined, value };
  }

  #defaultScopes(): string[] {
    return ['builds', 'functions', 'runtime', this.#options.postProcessingSpelling];
  }

  /** A strictly increasing clock for `updated_at`, so a later change always has a later time. */
  #stamp(): number {
    this.#lastStamp = Math.max(this.#options.now(), this.#lastStamp + 1);
    return this.#lastStamp;
  }

  #nextId(): number {
    this.#ids += 1;
    return this.#ids;
  }
}

/** Netlify's rules for one variable's values, scopes and secret flag. */
function checkRules(key: string, values: readonly StoredValue[], isSecret: boolean, scopes: readonly string[]): void {
  for (const value of values) {
    if (!knownContexts.includes(value.context)) throw new FakeHttpError(400, `Unknown context ${value.context} for ${key}`);
    if (value.context === 'branch' && (value.contextParameter === undefined || value.contextParameter === '')) {
      throw new FakeHttpError(400, `A branch value of ${key} needs context_parameter`);
    }
  }
  if (new Set(values.map((value) => `${value.context}:${value.contextParameter ?? ''}`)).size !== values.length) {
    throw new FakeHttpError(400, `Duplicate contexts for ${key}`);
  }
  const normalized = scopes.map((scope) => scope.toLowerCase().replace(/[_\s]+/g, '-'));
  if (normalized.some((scope) => !knownScopes.includes(scope))) throw new FakeHttpError(400, `Unknown scope for ${key}`);
  if (!isSecret) return;
  if (values.some((value) => value.context === 'all')) {
    throw new FakeHttpError(422, `Secret environment variable ${key} needs explicit deploy contexts, not all`);
  }
  if (normalized.includes('post-processing')) {
    throw new FakeHttpError(422, `Secret environment variable ${key} cannot have the post-processing scope`);
  }
}

/** A 400 or 422 answer whose message quotes `sent` (the request body), when there is one. */
async function echoed(response: Response, sent: string): Promise<Response> {
  if (sent === '' || (response.status !== 400 && response.status !== 422)) return response;
  const body = (await response.clone().json().catch(() => ({}))) as { message?: unknown };
  const message = `${typeof body.message === 'string' ? body.message : 'Invalid request'}: ${sent}`;
  const headers = Object.fromEntries(response.headers);
  return json(response.status, { ...body, code: response.status, message }, headers);
}

/** A request's JSON body, or `undefined` when it is not JSON (the schema check then answers 400). */
async function jsonBody(request: Request): Promise<unknown> {
  try {
    return (await request.json()) as unknown;
  } catch {
    return undefined;
  }
}

function toContextString(value: { readonly context: string; readonly context_parameter?: string | null | undefined }): string {
  return value.context === 'branch' ? `branch:${value.context_parameter ?? ''}` : value.context;
}

function sameContext(a: StoredValue, b: StoredValue): boolean {
  return a.context === b.context && (a.contextParameter ?? '') === (b.contextParameter ?? '');
}

function rateHeaders(limit: number, remaining: number, resetMs: number): Record<string, string> {
  return {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(Math.ceil(resetMs / 1000)),
  };
}

function json(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function iso(time: number): string {
  return new Date(time).toISOString();
}
