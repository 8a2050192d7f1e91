/**
 * A stateful fake of Render's env-var API, written from the reference (render-api.md and
 * render-openapi-env.yml), for msw handlers in tests and for a local emulator server:
 *
 *     server.use(http.all(`${base}/*`, ({ request }) => fake.handle(request)));
 *
 * What it models: `GET /services/{id}`; `GET /services/{id}/env-vars?limit&cursor` (a bare array of
 * `{envVar, cursor}`, limit 1..100, default 20, the next page after the cursor of the last item);
 * `PUT /services/{id}/env-vars` (replace the whole set: keys missing from the body are deleted);
 * `GET|PUT|DELETE /services/{id}/env-vars/{key}`; `POST /services/{id}/deploys` (201 with a deploy or
 * 202 with none); environment groups: `GET /env-groups/{id}` (the `envGroup`: metadata, every
 * variable, `serviceLinks`, `secretFiles`), `GET|PUT|DELETE /env-groups/{id}/env-vars/{key}` (PUT
 * answers with the whole group; there is no replace-all) and `POST|DELETE
 * /env-groups/{id}/services/{serviceId}` (link, unlink); 404 for unknown services and groups; 400
 * for empty values; bearer tokens (401); and Render's rate limits (30 writes and 400 reads a minute
 * per token, services and groups together; 10 deploys a minute per service) with 429 +
 * `Retry-After` + `Ratelimit-*` headers. A service's env-var list never shows its groups' variables.
 *
 * What it adds for tests: a request log (method, route, service id, key name and status, never a
 * value), counts by route, seeding and inspection helpers, injected failures and hooks that run
 * after a request (to simulate someone editing the service at the same moment).
 */

/** The routes the fake serves. */
export const renderRoutes = {
  'service.get': 'GET /services/{serviceId}',
  'env-vars.list': 'GET /services/{serviceId}/env-vars',
  'env-vars.replace': 'PUT /services/{serviceId}/env-vars',
  'env-var.get': 'GET /services/{serviceId}/env-vars/{envVarKey}',
  'env-var.put': 'PUT /services/{serviceId}/env-vars/{envVarKey}',
  'env-var.delete': 'DELETE /services/{serviceId}/env-vars/{envVarKey}',
  'deploys.create': 'POST /services/{serviceId}/deploys',
  'env-group.get': 'GET /env-groups/{envGroupId}',
  'env-group-var.get': 'GET /env-groups/{envGroupId}/env-vars/{envVarKey}',
  'env-group-var.put': 'PUT /env-groups/{envGroupId}/env-vars/{envVarKey}',
  'env-group-var.delete': 'DELETE /env-groups/{envGroupId}/env-vars/{envVarKey}',
  'env-group.link': 'POST /env-groups/{envGroupId}/services/{serviceId}',
  'env-group.unlink': 'DELETE /env-groups/{envGroupId}/services/{serviceId}',
} as const;

export type RenderRoute = keyof typeof renderRoutes;

/** The env-var writes Render counts against its 30-a-minute bucket (services and groups alike). */
export const renderWriteRoutes: readonly RenderRoute[] = [
  'env-vars.replace',
  'env-var.put',
  'env-var.delete',
  'env-group-var.put',
  'env-group-var.delete',
  'env-group.link',
  'env-group.unlink',
];

export interface RenderFakeOptions {
  /** Path prefix of the API, stripped before routing. @default '/v1' */
  readonly basePath?: string;
  /** Accepted bearer tokens. @default ['rnd_test_token'] */
  readonly tokens?: readonly string[];
  /** Env-var writes allowed per token per minute; `false` disables the limit. @default 30 */
  readonly writesPerMinute?: number | false;
  /** Reads allowed per token per minute; `false` disables the limit. @default 400 */
  readonly readsPerMinute?: number | false;
  /** Deploy triggers allowed per service per minute; `false` disables the limit. @default 10 */
  readonly deploysPerMinute?: number | false;
  /** How `Ratelimit-Reset` is written; Render's guide is ambiguous, so both are worth testing. */
  readonly resetHeader?: 'delta-seconds' | 'epoch-seconds';
  /** What a deploy trigger answers. @default 201 */
  readonly deployStatus?: 201 | 202;
  /** The clock used by the rate limits. @default Date.now */
  readonly now?: () => number;
  /**
   * Quote the request body in the message of every 400 and 422 answer (injected ones included), as
   * a careless API might: proves that no value EnvSync sent reaches a report, log or response.
   */
  readonly echoRequestBodies?: boolean;
}

/** One request the fake answered. Never holds a value or a body. */
export interface RenderRequestRecord {
  readonly method: string;
  readonly route: RenderRoute | 'unknown';
  readonly serviceId?: string;
  readonly envGroupId?: string;
  readonly key?: string;
  readonly status: number;
}

/** A failure to inject into matching requests. */
export interface RenderFailure {
  /** Which requests it applies to: a route, any env-var write, or anything. */
  readonly route: RenderRoute | 'write' | 'any';
  readonly serviceId?: string;
  readonly envGroupId?: string;
  readonly key?: string;
  /** Matching requests to let through first: `skip: 2` fails the third. @default 0 */
  readonly skip?: number;
  /** How many matching requests fail. @default 1 */
  readonly times?: number;
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON body of the failure; with status 200 it makes a malformed answer. */
  readonly body?: unknown;
  /** Carry the request out before answering with the failure (a write whose answer is lost). */
  readonly apply?: boolean;
}

interface StoredVariable {
  value: string;
  readonly seq: number;
}

interface FakeService {
  readonly id: string;
  readonly variables: Map<string, StoredVariable>;
  deploys: number;
  /** Bodies of the deploy triggers (options such as `clearCache`, never variable values). */
  readonly deployBodies: unknown[];
}

interface FakeEnvGroup {
  readonly id: string;
  readonly variables: Map<string, StoredVariable>;
  /** Linked services, in link order. */
  readonly serviceIds: Set<string>;
  updatedAt: string;
}

interface ActiveFailure {
  readonly rule: RenderFailure;
  skip: number;
  times: number;
}

interface Matched {
  readonly route: RenderRoute;
  /** Set on service routes and on the link routes of a group. */
  readonly serviceId?: string;
  /** Set on env group routes. */
  readonly envGroupId?: string;
  readonly key?: string;
}

const windowMs = 60_000;
const defaultPageSize = 20;
const maxPageSize = 100;

/** The fake itself. One instance is one Render account; state lives until the instance is dropped. */
export class RenderFake {
  readonly log: RenderRequestRecord[] = [];
  #options: Required<Omit<RenderFakeOptions, 'now'>> & { now: () => number };
  readonly #services = new Map<string, FakeService>();
  readonly #groups = new Map<string, FakeEnvGroup>();
  readonly #failures: ActiveFailure[] = [];
  readonly #afterHooks: { route: RenderRoute; action: (fake: RenderFake) => void }[] = [];
  readonly #windows = new Map<string, number[]>();
  #seq = 0;

  constructor(options: RenderFakeOptions = {}) {
    this.#options = {
      basePath: (options.basePath ?? '/v1').replace(/\/+$/, ''),
      tokens: options.tokens ?? ['rnd_test_token'],
      writesPerMinute: options.writesPerMinute ?? 30,
      readsPerMinute: options.readsPerMinute ?? 400,
      deploysPerMinute: options.deploysPerMinute ?? 10,
      resetHeader: options.resetHeader ?? 'delta-seconds',
      deployStatus: options.deployStatus ?? 201,
      now: options.now ?? Date.now,
      echoRequestBodies: options.echoRequestBodies ?? false,
    };
  }

  /** Creates a service (if needed) and sets the given variables on it. */
  seed(serviceId: string, variables: Readonly<Record<string, string>> = {}): this {
    const service = this.#services.get(serviceId) ?? { id: serviceId, variables: new Map(), deploys: 0, deployBodies: [] };
    this.#services.set(serviceId, service);
    for (const [key, value] of Object.entries(variables)) this.#upsert(service, key, value);
    return this;
  }

  /**
   * Creates an environment group (if needed), sets the given variables on it and links the given
   * services (which must exist: Render links only services it knows).
   */
  seedEnvGroup(envGroupId: string, variables: Readonly<Record<string, string>> = {}, linkedServiceIds: readonly string[] = []): this {
    const group = this.#groups.get(envGroupId) ?? { id: envGroupId, variables: new Map(), serviceIds: new Set(), updatedAt: this.#stamp() };
    this.#groups.set(envGroupId, group);
    for (const [key, value] of Object.entries(variables)) this.#upsertIn(group.variables, key, value);
    for (const serviceId of linkedServiceIds) {
      if (!this.#services.has(serviceId)) throw new Error(`RenderFake: link ${envGroupId} to unknown service ${serviceId}`);
      group.serviceIds.add(serviceId);
    }
    return this;
  }

  /** A group's variables as a plain object, in Render's order. Throws for an unknown group. */
  groupVariables(envGroupId: string): Record<string, string> {
    const group = this.#groups.get(envGroupId);
    if (group === undefined) throw new Error(`RenderFake: no env group ${envGroupId}`);
    return Object.fromEntries(orderedVariables(group.variables).map(([key, stored]) => [key, stored.value]));
  }

  /** The services linked to a group. */
  linkedServices(envGroupId: string): string[] {
    return [...(this.#groups.get(envGroupId)?.serviceIds ?? [])];
  }

  /** Edits (or removes, with `undefined`) a group's variable directly, as a person in the dashboard would. */
  editGroup(envGroupId: string, key: string, value: string | undefined): this {
    const group = this.#groups.get(envGroupId);
    if (group === undefined) throw new Error(`RenderFake: no env group ${envGroupId}`);
    if (value === undefined) group.variables.delete(key);
    else this.#upsertIn(group.variables, key, value);
    return this;
  }

  /** Removes a variable directly, as a person in the dashboard would. */
  remove(serviceId: string, key: string): this {
    this.#services.get(serviceId)?.variables.delete(key);
    return this;
  }

  /** Whether a service exists (requests to unknown ids are logged too, and answered 404). */
  hasService(serviceId: string): boolean {
    return this.#services.has(serviceId);
  }

  /** A service's variables as a plain object, in Render's order. Throws for an unknown service. */
  variables(serviceId: string): Record<string, string> {
    const service = this.#services.get(serviceId);
    if (service === undefined) throw new Error(`RenderFake: no service ${serviceId}`);
    return Object.fromEntries(ordered(service).map(([key, stored]) => [key, stored.value]));
  }

  /** How many deploys were triggered on a service. */
  deploys(serviceId: string): number {
    return this.#services.get(serviceId)?.deploys ?? 0;
  }

  /** The JSON bodies the deploy triggers of a service were sent with. */
  deployBodies(serviceId: string): readonly unknown[] {
    return this.#services.get(serviceId)?.deployBodies ?? [];
  }

  /** Requests answered on a route (or any env-var write), optionally only with one status. */
  count(route: RenderRoute | 'write', status?: number): number {
    return this.log.filter(
      (entry) =>
        (route === 'write' ? renderWriteRoutes.includes(entry.route as RenderRoute) : entry.route === route) &&
        (status === undefined || entry.status === status),
    ).length;
  }

  /** Requests answered, by `METHOD /path/{template}`. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const entry of this.log) {
      const label = entry.route === 'unknown' ? `${entry.method} (unknown)` : renderRoutes[entry.route];
      counts[label] = (counts[label] ?? 0) + 1;
    }
    return counts;
  }

  /** Forgets the request log (not the state). */
  clearLog(): this {
    this.log.length = 0;
    return this;
  }

  /** Injects a failure into matching requests. */
  fail(rule: RenderFailure): this {
    this.#failures.push({ rule, skip: rule.skip ?? 0, times: rule.times ?? 1 });
    return this;
  }

  /** From now on accepts only `tokens`: the account's API key was rotated, the old one answers 401. */
  rotateTokens(tokens: readonly string[]): this {
    this.#options = { ...this.#options, tokens };
    return this;
  }

  /** Runs `action` once, right after the next successful request on `route`. */
  after(route: RenderRoute, action: (fake: RenderFake) => void): this {
    this.#afterHooks.push({ route, action });
    return this;
  }

  /** Answers one request as Render would. */
  async handle(request: Request): Promise<Response> {
    const sent = this.#options.echoRequestBodies ? await request.clone().text() : '';
    const response = await this.#handle(request);
    if (sent === '' || (response.status !== 400 && response.status !== 422)) return response;
    const body = (await response.clone().json().catch(() => ({}))) as { message?: unknown };
    const message = `${typeof body.message === 'string' ? body.message : 'invalid request'}: ${sent}`;
    return json(response.status, { ...body, message }, Object.fromEntries(response.headers));
  }

  async #handle(request: Request): Promise<Response> {
    const method = request.method.toUpperCase();
    const url = new URL(request.url);
    const matched = this.#match(method, url.pathname);
    if (matched === undefined) return this.#record({ method, route: 'unknown' }, error(404, 'Not Found'));
    const record = {
      method,
      route: matched.route,
      ...(matched.serviceId === undefined ? {} : { serviceId: matched.serviceId }),
      ...(matched.envGroupId === undefined ? {} : { envGroupId: matched.envGroupId }),
      ...(matched.key === undefined ? {} : { key: matched.key }),
    };

    const token = /^Bearer (.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
    if (token === undefined || !this.#options.tokens.includes(token)) return this.#record(record, error(401, 'Unauthorized'));

    const bucket = this.#bucket(matched, token);
    const limited = this.#rateLimit(bucket);
    if (limited !== undefined) return this.#record(record, limited);
    const headers = this.#rateHeaders(bucket);

    const failure = this.#takeFailure(matched);
    if (failure !== undefined) {
      if (failure.apply === true) await this.#serve(matched, request, url);
      const body = failure.body === undefined ? { message: `injected ${failure.status}` } : failure.body;
      return this.#record(record, json(failure.status, body, { ...headers, ...failure.headers }));
    }

    const response = await this.#serve(matched, request, url);
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    if (response.ok) this.#runAfterHooks(matched.route);
    return this.#record(record, response);
  }

  #match(method: string, pathname: string): Matched | undefined {
    const base = this.#options.basePath;
    if (base !== '' && !pathname.startsWith(`${base}/`)) return undefined;
    const parts = pathname.slice(base.length).split('/').slice(1).map(decodeURIComponent);
    if (parts[0] === 'env-groups') return matchEnvGroup(method, parts.slice(1));
    if (parts[0] !== 'services' || parts[1] === undefined || parts[1] === '') return undefined;
    const serviceId = parts[1];
    const rest = parts.slice(2);
    const route = routeFor(method, rest);
    if (route === undefined) return undefined;
    return route === 'env-var.get' || route === 'env-var.put' || route === 'env-var.delete'
      ? { route, serviceId, key: rest[1] ?? '' }
      : { route, serviceId };
  }

  async #serve(matched: Matched, request: Request, url: URL): Promise<Response> {
    if (matched.envGroupId !== undefined) return this.#serveGroup(matched, matched.envGroupId, request);
    const service = this.#services.get(matched.serviceId ?? '');
    if (service === undefined) return error(404, 'Service not found');
    const key = matched.key ?? '';
    switch (matched.route) {
      case 'service.get':
        return json(200, serviceBody(service.id));
      case 'env-vars.list':
        return this.#list(service, url.searchParams);
      case 'env-vars.replace':
        return this.#replaceAll(service, await readBody(request));
      case 'env-var.get': {
        const stored = service.variables.get(key);
        return stored === undefined ? error(404, 'Environment variable not found') : json(200, { key, value: stored.value });
      }
      case 'env-var.put':
        return this.#putOne(service, key, await readBody(request));
      case 'env-var.delete':
        if (!service.variables.delete(key)) return error(404, 'Environment variable not found');
        return new Response(null, { status: 204 });
      case 'deploys.create':
        return this.#deploy(service, await readBody(request));
      default:
        return error(404, 'Not Found');
    }
  }

  async #serveGroup(matched: Matched, envGroupId: string, request: Request): Promise<Response> {
    const group = this.#groups.get(envGroupId);
    if (group === undefined) return error(404, 'Environment group not found');
    const key = matched.key ?? '';
    switch (matched.route) {
      case 'env-group.get':
        return json(200, this.#groupBody(group));
      case 'env-group-var.get': {
        const stored = group.variables.get(key);
        return stored === undefined ? error(404, 'Environment variable not found') : json(200, { key, value: stored.value });
      }
      case 'env-group-var.put': {
        const input = parseInput(await readBody(request), false);
        if (typeof input === 'string') return error(400, input);
        this.#upsertIn(group.variables, key, input.value ?? group.variables.get(key)?.value ?? generated());
        group.updatedAt = this.#stamp();
        return json(200, this.#groupBody(group));
      }
      case 'env-group-var.delete':
        if (!group.variables.delete(key)) return error(404, 'Environment variable not found');
        group.updatedAt = this.#stamp();
        return new Response(null, { status: 204 });
      case 'env-group.link':
        if (!this.#services.has(matched.serviceId ?? '')) return error(404, 'Service not found');
        group.serviceIds.add(matched.serviceId ?? '');
        return json(200, this.#groupBody(group));
      case 'env-group.unlink':
        if (!group.serviceIds.delete(matched.serviceId ?? '')) return error(404, 'Service not linked');
        return new Response(null, { status: 204 });
      default:
        return error(404, 'Not Found');
    }
  }

  /** The `envGroup` schema: `envGroupMeta` plus `envVars` and `secretFiles`. */
  #groupBody(group: FakeEnvGroup) {
    return {
      id: group.id,
      name: group.id,
      ownerId: 'tea-fake',
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: group.updatedAt,
      serviceLinks: [...group.serviceIds].map((id) => ({ id, name: id, type: 'web' })),
      envVars: orderedVariables(group.variables).map(([key, stored]) => ({ key, value: stored.value })),
      secretFiles: [],
    };
  }

  #stamp(): string {
    return new Date(this.#options.now()).toISOString();
  }

  #list(service: FakeService, params: URLSearchParams): Response {
    const limitText = params.get('limit');
    const limit = limitText === null ? defaultPageSize : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) return error(400, 'limit must be between 1 and 100');
    const cursorText = params.get('cursor');
    const after = cursorText === null ? 0 : decodeCursor(cursorText);
    if (after === undefined) return error(400, 'invalid cursor');
    const page = ordered(service)
      .filter(([, stored]) => stored.seq > after)
      .slice(0, limit);
    return json(200, page.map(([key, stored]) => withCursor(key, stored)));
  }

  #replaceAll(service: FakeService, body: unknown): Response {
    if (!Array.isArray(body)) return error(400, 'request body must be an array of environment variables');
    const next = new Map<string, string | undefined>();
    for (const [index, item] of (body as unknown[]).entries()) {
      const input = parseInput(item, true);
      if (typeof input === 'string') return error(400, `envVars[${index}]: ${input}`);
      if (next.has(input.key ?? '')) return error(400, `envVars[${index}]: duplicate key`);
      next.set(input.key ?? '', input.value);
    }
    for (const key of [...service.variables.keys()]) if (!next.has(key)) service.variables.delete(key);
    for (const [key, value] of next) {
      // generateValue only generates on creation (newer schema text): an existing value is kept.
      if (value !== undefined) this.#upsert(service, key, value);
      else if (!service.variables.has(key)) this.#upsert(service, key, generated());
    }
    return json(200, ordered(service).map(([key, stored]) => withCursor(key, stored)));
  }

  #putOne(service: FakeService, key: string, body: unknown): Response {
    const input = parseInput(body, false);
    if (typeof input === 'string') return error(400, input);
    const stored = service.variables.get(key);
    const value = input.value ?? stored?.value ?? generated();
    this.#upsert(service, key, value);
    return json(200, { key, value });
  }

  #deploy(service: FakeService, body: unknown): Response {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return error(400, 'request body is required');
    service.deploys += 1;
    service.deployBodies.push(body);
    if (this.#options.deployStatus === 202) return new Response(null, { status: 202 });
    const now = new Date(this.#options.now()).toISOString();
    return json(201, { id: `dep-${service.deploys}`, status: 'created', trigger: 'api', createdAt: now, updatedAt: now });
  }

  #upsert(service: FakeService, key: string, value: string): void {
    this.#upsertIn(service.variables, key, value);
  }

  #upsertIn(variables: Map<string, StoredVariable>, key: string, value: string): void {
    const stored = variables.get(key);
    if (stored === undefined) variables.set(key, { value, seq: (this.#seq += 1) });
    else stored.value = value;
  }

  #bucket(matched: Matched, token: string): { readonly name: string; readonly limit: number | false } {
    if (matched.route === 'deploys.create') return { name: `deploys:${matched.serviceId ?? ''}`, limit: this.#options.deploysPerMinute };
    if (renderWriteRoutes.includes(matched.route)) return { name: `writes:${token}`, limit: this.#options.writesPerMinute };
    return { name: `reads:${token}`, limit: this.#options.readsPerMinute };
  }

  #rateLimit(bucket: { readonly name: string; readonly limit: number | false }): Response | undefined {
    if (bucket.limit === false) return undefined;
    const now = this.#options.now();
    const sent = (this.#windows.get(bucket.name) ?? []).filter((at) => at > now - windowMs);
    this.#windows.set(bucket.name, sent);
    if (sent.length < bucket.limit) {
      sent.push(now);
      return undefined;
    }
    const waitSeconds = Math.max(1, Math.ceil(((sent[0] ?? now) + windowMs - now) / 1000));
    return json(429, { message: 'Rate limit exceeded' }, { ...this.#rateHeaders(bucket), 'retry-after': String(waitSeconds) });
  }

  #rateHeaders(bucket: { readonly name: string; readonly limit: number | false }): Record<string, string> {
    if (bucket.limit === false) return {};
    const now = this.#options.now();
    const sent = (this.#windows.get(bucket.name) ?? []).filter((at) => at > now - windowMs);
    const resetMs = (sent[0] ?? now) + windowMs;
    const reset =
      this.#options.resetHeader === 'epoch-seconds' ? Math.ceil(resetMs / 1000) : Math.max(0, Math.ceil((resetMs - now) / 1000));
    return {
      'ratelimit-limit': String(bucket.limit),
      'ratelimit-remaining': String(Math.max(0, bucket.limit - sent.length)),
      'ratelimit-reset': String(reset),
    };
  }

  #takeFailure(matched: Matched): RenderFailure | undefined {
    for (const active of this.#failures) {
      const { rule } = active;
      const routeMatches =
        rule.route === 'any' || rule.route === matched.route || (rule.route === 'write' && renderWriteRoutes.includes(matched.route));
      if (!routeMatches || active.times <= 0) continue;
      if (rule.serviceId !== undefined && rule.serviceId !== matched.serviceId) continue;
      if (rule.envGroupId !== undefined && rule.envGroupId !== matched.envGroupId) continue;
      if (rule.key !== undefined && rule.key !== matched.key) continue;
      if (active.skip > 0) {
        active.skip -= 1;
        return undefined;
      }
      active.times -= 1;
      return rule;
    }
    return undefined;
  }

  #runAfterHooks(route: RenderRoute): void {
    const index = this.#afterHooks.findIndex((hook) => hook.route === route);
    if (index === -1) return;
    const [hook] = this.#afterHooks.splice(index, 1);
    hook?.action(this);
  }

  #record(record: Omit<RenderRequestRecord, 'status'>, response: Response): Response {
    this.log.push({ ...record, status: response.status });
    return response;
  }
}

/** Routes `/env-groups/{id}...` (`parts` is what follows `env-groups`). */
function matchEnvGroup(method: string, parts: readonly string[]): Matched | undefined {
  const [envGroupId, collection, item, ...extra] = parts;
  if (envGroupId === undefined || envGroupId === '' || extra.length > 0) return undefined;
  if (collection === undefined) return method === 'GET' ? { route: 'env-group.get', envGroupId } : undefined;
  if (item === undefined || item === '') return undefined;
  if (collection === 'env-vars') {
    const route = method === 'GET' ? 'env-group-var.get' : method === 'PUT' ? 'env-group-var.put' : method === 'DELETE' ? 'env-group-var.delete' : undefined;
    return route === undefined ? undefined : { route, envGroupId, key: item };
  }
  if (collection === 'services') {
    const route = method === 'POST' ? 'env-group.link' : method === 'DELETE' ? 'env-group.unlink' : undefined;
    return route === undefined ? undefined : { route, envGroupId, serviceId: item };
  }
  return undefined;
}

function routeFor(method: string, rest: readonly string[]): RenderRoute | undefined {
  if (rest.length === 0) return method === 'GET' ? 'service.get' : undefined;
  if (rest[0] === 'deploys' && rest.length === 1) return method === 'POST' ? 'deploys.create' : undefined;
  if (rest[0] !== 'env-vars') return undefined;
  if (rest.length === 1) return method === 'GET' ? 'env-vars.list' : method === 'PUT' ? 'env-vars.replace' : undefined;
  if (rest.length !== 2 || rest[1] === '') return undefined;
  if (method === 'GET') return 'env-var.get';
  if (method === 'PUT') return 'env-var.put';
  if (method === 'DELETE') return 'env-var.delete';
  return undefined;
}

/** Validates an `envVarKeyValue | envVarKeyGenerateValue` (with a key) or `addUpdateEnvVarInput`. */
function parseInput(item: unknown, withKey: boolean): { key?: string; value?: string } | string {
  if (typeof item !== 'object' || item === null) return 'expected an object';
  const record = item as Record<string, unknown>;
  if (withKey && (typeof record['key'] !== 'string' || record['key'] === '')) return 'key is required';
  const key = withKey ? (record['key'] as string) : undefined;
  const keyPart = key === undefined ? {} : { key };
  if ('value' in record) {
    if (typeof record['value'] !== 'string') return 'value must be a string';
    // Render rejects empty values; the message never repeats what was sent.
    if (record['value'] === '') return 'value must not be empty';
    if ('generateValue' in record) return 'value cannot be combined with generateValue';
    return { ...keyPart, value: record['value'] };
  }
  if (record['generateValue'] === true) return keyPart;
  return 'value or generateValue is required';
}

async function readBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function ordered(service: FakeService): [string, StoredVariable][] {
  return orderedVariables(service.variables);
}

function orderedVariables(variables: Map<string, StoredVariable>): [string, StoredVariable][] {
  return [...variables].sort(([, a], [, b]) => a.seq - b.seq);
}

function withCursor(key: string, stored: StoredVariable) {
  return { envVar: { key, value: stored.value }, cursor: encodeCursor(stored.seq) };
}

function encodeCursor(seq: number): string {
  return Buffer.from(`ev:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  const match = /^ev:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function generated(): string {
  return `gen_${Math.random().toString(36).slice(2, 14)}`;
}

function serviceBody(id: string) {
  return {
    id,
    name: id,
    ownerId: 'tea-fake',
    type: 'web_service',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    dashboardUrl: `https://dashboard.render.com/web/${id}`,
    suspended: 'not_suspended',
    suspenders: [],
    autoDeploy: 'yes',
    notifyOnFail: 'default',
    slug: id,
    rootDir: '',
    serviceDetails: {},
  };
}

function json(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function error(status: number, message: string): Response {
  return json(status, { id: status === 401 ? 'unauthorized' : status === 404 ? 'not_found' : 'bad_request', message });
}
