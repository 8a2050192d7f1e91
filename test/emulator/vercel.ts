import * as z from 'zod';

/**
 * A stateful fake of Vercel's project environment-variable API, written from
 * ../shared/reference/vercel-api.md. A plain class with `handle(request) => Promise<Response>`, so msw
 * handlers (`http.all(`${origin}/*`, ({ request }) => fake.handle(request))`) and the node:http
 * emulator can both serve it.
 *
 * Modelled (reference section in brackets):
 * - bearer auth: a bad token answers 403 `forbidden` (§1); a team-owned project is found only with its
 *   `teamId` query parameter, 404 otherwise (§1: unverified status, the fake picks the strict one);
 * - records: one key can have several records with disjoint targets, `target` as an array,
 *   `customEnvironmentIds`, `gitBranch` (preview only), `configurationId`/`contentHint` for
 *   integration vars, `updatedAt` in epoch ms moved by every change (§2);
 * - reads: `GET /v10/projects/{p}/env` (`{envs, pagination}`, paged by `until` when `pageSize` is
 *   set), `encrypted` listed as ciphertext with `decrypted: false`, `sensitive` without its value;
 *   `GET /v1/projects/{p}/env/{id}` decrypts `encrypted`, never `sensitive` (§3, §4);
 * - writes: batch create `POST /v10/projects/{p}/env` with an object or an array, answering
 *   `{created, failed}` (201 when something was created, 400 `{error, failed}` when nothing was);
 *   `PATCH /v9/projects/{p}/env/{id}` (a sensitive record refuses `key`); `DELETE /v9/.../env/{id}`
 *   and batch `DELETE /v1/projects/{p}/env` with `{ids}` (§5);
 * - rules: key characters, reserved names, no sensitive `development`, overlapping targets are
 *   `ENV_CONFLICT`, an optional team sensitive policy refusing non-sensitive production/preview
 *   writes (§3, §9); unknown body fields are refused (400), so a sloppy client fails here first;
 * - custom environments `GET /v9/projects/{p}/custom-environments` (§2), deployments
 *   `GET /v6/deployments` and redeploys `POST /v13/deployments` (a missing `target` makes a preview,
 *   as the SDK says), deploy hooks `POST /v1/integrations/deploy/{project}/{hook}` (§7);
 * - rate limits per endpoint in one-minute windows (§8: the numbers are unverified, so they are
 *   options): a 429 carries `Retry-After` (seconds), `X-RateLimit-*` and the `rate_limited` body
 *   with `limit.reset`/`resetMs`.
 *
 * For tests: seeding and inspection with real values, a request log (method, route, project,
 * status; never a value or body), and failure injection.
 */

/** Every route the fake knows. */
export type VercelRoute =
  | 'GET /v10/projects/{p}/env'
  | 'POST /v10/projects/{p}/env'
  | 'GET /v1/projects/{p}/env/{id}'
  | 'PATCH /v9/projects/{p}/env/{id}'
  | 'DELETE /v9/projects/{p}/env/{id}'
  | 'DELETE /v1/projects/{p}/env'
  | 'GET /v9/projects/{p}/custom-environments'
  | 'GET /v6/deployments'
  | 'POST /v13/deployments'
  | 'POST /v1/integrations/deploy/{p}/{hook}'
  | 'unknown';

/** The standard targets; anything else is a custom environment (reference §2). */
export const vercelStandardTargets = ['production', 'preview', 'development'] as const;

/** Names Vercel reserves (reference §9). */
export const vercelReservedKeys = [
  'AWS_SECRET_KEY',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'NOW_REGION',
  'TZ',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
] as const;

export type VercelEnvType = 'plain' | 'encrypted' | 'sensitive' | 'system' | 'secret';

/** One request as logged: never a value or a body. */
export interface VercelLoggedRequest {
  readonly method: string;
  readonly route: VercelRoute;
  readonly project?: string;
  readonly status: number;
}

export interface VercelFakeOptions {
  /** The only token accepted. @default 'vercel_test_token' */
  readonly token?: string;
  /** Path prefix stripped before routing. @default '' */
  readonly basePath?: string;
  readonly now?: () => number;
  /** Requests per endpoint (route) per minute; `false` disables. Unverified numbers. @default 120 */
  readonly perEndpointPerMinute?: number | false;
  /** Send `X-RateLimit-*` headers on every answer (unverified on the real API). @default true */
  readonly rateLimitHeaders?: boolean;
  /** When set, the list pages: `limit` items (at most this), `pagination.next` and `?until=`. */
  readonly pageSize?: number;
  /** Whether a failed batch item names its key (the schema makes it optional). @default true */
  readonly failedNamesKey?: boolean;
  /** List every record twice, as Terraform says the API sometimes does. @default false */
  readonly duplicateListing?: boolean;
  /**
   * Most items one batch create (`TOO_MANY_KEYS`) or batch delete (`TOO_MANY_IDS`) takes; a larger
   * batch is refused whole with 400. The real limits are unverified (reference §5.1, §5.3). @default none
   */
  readonly maxBatchItems?: number;
}

/** A failure to answer with instead of (or after) handling a matching request. */
export interface VercelFakeFailure {
  readonly method?: string;
  readonly route?: VercelRoute;
  /** @default 500 */
  readonly status?: number;
  /** @default 1 */
  readonly times?: number;
  /** Carry the request out, then answer with the failure: a write whose response was lost. */
  readonly afterApply?: boolean;
  readonly networkError?: boolean;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What tests seed. */
export interface VercelRecordSeed {
  readonly key: string;
  readonly value: string;
  /** @default 'encrypted' */
  readonly type?: VercelEnvType;
  /** Standard targets. @default ['production', 'preview', 'development'] */
  readonly target?: readonly string[];
  readonly customEnvironmentIds?: readonly string[];
  readonly gitBranch?: string;
  readonly configurationId?: string;
  readonly contentHint?: Readonly<Record<string, string>>;
  readonly updatedAt?: number;
}

/** A record as tests inspect it: the real value. */
export interface VercelRecordView {
  readonly id: string;
  readonly key: string;
  readonly value: string;
  readonly type: VercelEnvType;
  readonly target: readonly string[];
  readonly customEnvironmentIds: readonly string[];
  readonly gitBranch?: string;
  readonly configurationId?: string;
  readonly updatedAt: number;
}

interface StoredRecord {
  id: string;
  key: string;
  value: string;
  type: VercelEnvType;
  target: string[];
  customEnvironmentIds: string[];
  gitBranch: string | undefined;
  configurationId: string | undefined;
  contentHint: Record<string, string> | undefined;
  createdAt: number;
  updatedAt: number;
}

interface FakeProject {
  readonly id: string;
  readonly name: string;
  readonly teamId: string | undefined;
  readonly sensitivePolicy: boolean;
  readonly records: Map<string, StoredRecord>;
  readonly customEnvironments: { id: string; slug: string }[];
  readonly deployments: { uid: string; name: string; target: 'production' | null; state: string; created: number }[];
  readonly hooks: Set<string>;
}

interface Matched {
  readonly route: VercelRoute;
  readonly project?: string;
  readonly id?: string;
}

const targetName = z.enum(vercelStandardTargets);
const writableType = z.enum(['system', 'encrypted', 'plain', 'sensitive']);
const createItem = z
  .object({
    key: z.string(),
    value: z.string(),
    type: writableType,
    target: z.union([z.array(targetName), targetName]).optional(),
    gitBranch: z.string().optional(),
    comment: z.string().optional(),
    customEnvironmentIds: z.array(z.string()).optional(),
  })
  .strict();
const editBody = z
  .object({
    key: z.string().optional(),
    target: z.union([z.array(targetName), targetName]).optional(),
    gitBranch: z.string().nullable().optional(),
    type: writableType.optional(),
    value: z.string().optional(),
    customEnvironmentIds: z.array(z.string()).optional(),
    comment: z.string().optional(),
  })
  .strict();
const batchDeleteBody = z.object({ ids: z.array(z.string()).min(1) }).strict();
const redeployBody = z
  .object({
    deploymentId: z.string(),
    name: z.string(),
    target: z.string().optional(),
    meta: z.record(z.string(), z.string()).optional(),
    customEnvironmentSlugOrId: z.string().optional(),
  })
  .strict();

const keyPattern = /^[A-Za-z][A-Za-z0-9_]*$/;
const windowMs = 60_000;

class FakeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** The fake: one Vercel account (personal or team projects). */
export class VercelFake {
  readonly #options: Required<Omit<VercelFakeOptions, 'pageSize' | 'maxBatchItems'>> & { pageSize: number | undefined; maxBatchItems: number | undefined };
  readonly #projects = new Map<string, FakeProject>();
  readonly #log: VercelLoggedRequest[] = [];
  readonly #failures: { failure: VercelFakeFailure; left: number }[] = [];
  readonly #windows = new Map<string, { start: number; count: number }>();
  readonly #redeploys: { projectId: string; fromDeployment: string; target: string }[] = [];
  readonly #hookCalls: { projectId: string; hookId: string }[] = [];
  #lastStamp = 0;
  #ids = 0;

  constructor(options: VercelFakeOptions = {}) {
    this.#options = {
      token: options.token ?? 'vercel_test_token',
      basePath: (options.basePath ?? '').replace(/\/+$/, ''),
      now: options.now ?? Date.now,
      perEndpointPerMinute: options.perEndpointPerMinute ?? 120,
      rateLimitHeaders: options.rateLimitHeaders ?? true,
      pageSize: options.pageSize,
      failedNamesKey: options.failedNamesKey ?? true,
      duplicateListing: options.duplicateListing ?? false,
      maxBatchItems: options.maxBatchItems,
    };
  }

  // ---- seeding and inspection -------------------------------------------------------------

  /** Adds a project, reachable by id or name (and only with `teamId` when it belongs to a team). */
  addProject(project: { readonly id: string; readonly name?: string; readonly teamId?: string; readonly sensitivePolicy?: boolean }): this {
    this.#projects.set(project.id, {
      id: project.id,
      name: project.name ?? project.id,
      teamId: project.teamId,
      sensitivePolicy: project.sensitivePolicy ?? false,
      records: new Map(),
      customEnvironments: [],
      deployments: [],
      hooks: new Set(),
    });
    return this;
  }

  /** Adds a custom environment; returns its id. */
  addCustomEnvironment(projectId: string, slug: string): string {
    const id = `env_${slug}_${this.#nextId()}`;
    this.#project(projectId).customEnvironments.push({ id, slug });
    return id;
  }

  /** Adds a deployment (the newest is listed first); returns its uid. */
  addDeployment(projectId: string, deployment: { readonly target?: 'production' | null; readonly state?: string } = {}): string {
    const uid = `dpl_${this.#nextId()}`;
    const project = this.#project(projectId);
    project.deployments.unshift({ uid, name: project.name, target: deployment.target === undefined ? 'production' : deployment.target, state: deployment.state ?? 'READY', created: this.#stamp() });
    return uid;
  }

  /** Adds a deploy hook; returns its id (POST `/v1/integrations/deploy/{projectId}/{id}`). */
  addDeployHook(projectId: string): string {
    const id = `hook_${this.#nextId()}`;
    this.#project(projectId).hooks.add(id);
    return id;
  }

  /** Seeds a record without the API or the log; returns its id. */
  seed(projectId: string, seed: VercelRecordSeed): string {
    const record = this.#newRecord({
      key: seed.key,
      value: seed.value,
      type: seed.type ?? 'encrypted',
      target: [...(seed.target ?? (seed.customEnvironmentIds === undefined ? vercelStandardTargets : []))],
      customEnvironmentIds: [...(seed.customEnvironmentIds ?? [])],
      gitBranch: seed.gitBranch,
      configurationId: seed.configurationId,
      contentHint: seed.contentHint === undefined ? undefined : { ...seed.contentHint },
    });
    if (seed.updatedAt !== undefined) record.updatedAt = seed.updatedAt;
    this.#project(projectId).records.set(record.id, record);
    return record.id;
  }

  /** Every record of a project with its real value, sorted by key then id. */
  records(projectId: string): VercelRecordView[] {
    return [...this.#project(projectId).records.values()]
      .sort((a, b) => (a.key === b.key ? compare(a.id, b.id) : compare(a.key, b.key)))
      .map((record) => ({
        id: record.id,
        key: record.key,
        value: record.value,
        type: record.type,
        target: [...record.target],
        customEnvironmentIds: [...record.customEnvironmentIds],
        updatedAt: record.updatedAt,
        ...(record.gitBranch === undefined ? {} : { gitBranch: record.gitBranch }),
        ...(record.configurationId === undefined ? {} : { configurationId: record.configurationId }),
      }));
  }

  /**
   * What a deployment to `target` (a standard target or a custom environment id) would see: key →
   * value, from the records without a git branch.
   */
  valuesFor(projectId: string, target: string): Record<string, string> {
    const values: Record<string, string> = {};
    for (const record of this.#project(projectId).records.values()) {
      if (record.gitBranch !== undefined) continue;
      if (record.target.includes(target) || record.customEnvironmentIds.includes(target)) values[record.key] = record.value;
    }
    return values;
  }

  /** Someone edits a record's value in the dashboard: its `updatedAt` moves. */
  editInDashboard(projectId: string, id: string, value: string): void {
    const record = this.#project(projectId).records.get(id);
    if (record === undefined) throw new Error(`VercelFake: no record ${id}`);
    record.value = value;
    record.updatedAt = this.#stamp();
  }

  /** Redeploys made through `POST /v13/deployments`, in order. */
  get redeploys(): readonly { readonly projectId: string; readonly fromDeployment: string; readonly target: string }[] {
    return [...this.#redeploys];
  }

  /** Deploy hook calls, in order. */
  get hookCalls(): readonly { readonly projectId: string; readonly hookId: string }[] {
    return [...this.#hookCalls];
  }

  /** Every request handled, in order. */
  get requests(): readonly VercelLoggedRequest[] {
    return [...this.#log];
  }

  /** Requests matching a route (all without one). */
  count(route?: VercelRoute): number {
    return this.#log.filter((entry) => route === undefined || entry.route === route).length;
  }

  /** Requests other than GETs. */
  writeCount(): number {
    return this.#log.filter((entry) => entry.method !== 'GET').length;
  }

  clearLog(): void {
    this.#log.length = 0;
  }

  /** Makes the next matching request(s) fail. */
  fail(failure: VercelFakeFailure): this {
    this.#failures.push({ failure, left: failure.times ?? 1 });
    return this;
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  /** Answers one request as Vercel's API would. */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const matched = this.#match(method, url);
    const response = await this.#respond(request, url, matched);
    const project = matched.project ?? url.searchParams.get('projectId') ?? undefined;
    this.#log.push({ method, route: matched.route, status: response.status, ...(project === undefined ? {} : { project }) });
    return response;
  }

  async #respond(request: Request, url: URL, matched: Matched): Promise<Response> {
    const failure = this.#takeFailure(request.method.toUpperCase(), matched);
    if (failure !== undefined && failure.afterApply !== true) return this.#failureResponse(failure);
    const isHook = matched.route === 'POST /v1/integrations/deploy/{p}/{hook}';
    if (!isHook && request.headers.get('authorization') !== `Bearer ${this.#options.token}`) {
      return json(403, { error: { code: 'forbidden', message: 'Not authorized', invalidToken: true } });
    }
    const limited = this.#limit(matched.route);
    if (limited !== undefined) return limited;
    let response: Response;
    try {
      response = await this.#dispatch(request, url, matched);
    } catch (error) {
      if (!(error instanceof FakeHttpError)) throw error;
      response = json(error.status, { error: { code: error.code, message: error.message, ...error.extra } });
    }
    if (failure !== undefined && response.ok) return this.#failureResponse(failure);
    return this.#withRateHeaders(response, matched.route);
  }

  async #dispatch(request: Request, url: URL, matched: Matched): Promise<Response> {
    switch (matched.route) {
      case 'GET /v10/projects/{p}/env':
        return this.#list(this.#projectFor(matched, url), url);
      case 'POST /v10/projects/{p}/env':
        return this.#create(this.#projectFor(matched, url), await jsonBody(request), url.searchParams.get('upsert') === 'true');
      case 'GET /v1/projects/{p}/env/{id}': {
        const record = this.#recordOf(this.#projectFor(matched, url), matched.id ?? '');
        if (record.type === 'sensitive') {
          const answer = this.#toApi(record);
          delete answer['value'];
          return json(200, { ...answer, decrypted: false });
        }
        return json(200, { ...this.#toApi(record), value: record.value, decrypted: record.type === 'encrypted' });
      }
      case 'PATCH /v9/projects/{p}/env/{id}':
        return this.#edit(this.#projectFor(matched, url), matched.id ?? '', await jsonBody(request));
      case 'DELETE /v9/projects/{p}/env/{id}': {
        const project = this.#projectFor(matched, url);
        const record = this.#recordOf(project, matched.id ?? '');
        project.records.delete(record.id);
        return json(200, this.#toApi(record));
      }
      case 'DELETE /v1/projects/{p}/env':
        return this.#batchDelete(this.#projectFor(matched, url), await jsonBody(request));
      case 'GET /v9/projects/{p}/custom-environments': {
        const project = this.#projectFor(matched, url);
        return json(200, {
          accountLimit: { total: 12 },
          environments: project.customEnvironments.map((env) => ({ id: env.id, slug: env.slug, type: 'preview', createdAt: 1, updatedAt: 1 })),
        });
      }
      case 'GET /v6/deployments':
        return this.#deployments(url);
      case 'POST /v13/deployments':
        return this.#redeploy(url, await jsonBody(request));
      case 'POST /v1/integrations/deploy/{p}/{hook}': {
        const project = this.#projects.get(matched.project ?? '');
        if (project === undefined || !project.hooks.has(matched.id ?? '')) throw new FakeHttpError(404, 'not_found', 'Deploy hook not found');
        this.#hookCalls.push({ projectId: project.id, hookId: matched.id ?? '' });
        return json(201, { job: { id: `job_${this.#nextId()}`, state: 'PENDING', createdAt: this.#options.now() } });
      }
      case 'unknown':
        throw new FakeHttpError(404, 'not_found', 'The requested path was not found');
    }
  }

  #list(project: FakeProject, url: URL): Response {
    for (const name of url.searchParams.keys()) {
      if (!['teamId', 'slug', 'decrypt', 'source', 'limit', 'until', 'gitBranch'].includes(name)) {
        throw new FakeHttpError(400, 'bad_request', `Invalid query parameter ${name}`);
      }
    }
    // Newest first by createdAt, like a timestamp cursor would page them.
    const all = [...project.records.values()].sort((a, b) => b.createdAt - a.createdAt || compare(a.id, b.id));
    const size = this.#options.pageSize;
    let page = all;
    let next: number | null = null;
    if (size !== undefined) {
      const until = url.searchParams.get('until');
      const limit = Math.min(size, Number(url.searchParams.get('limit') ?? size));
      const from = until === null ? all : all.filter((record) => record.createdAt < Number(until));
      page = from.slice(0, limit);
      next = from.length > limit ? (page.at(-1)?.createdAt ?? null) : null;
    }
    const envs = page.map((record) => this.#toApi(record));
    return json(200, {
      envs: this.#options.duplicateListing ? [...envs, ...envs] : envs,
      pagination: { count: envs.length, next, prev: null },
    });
  }

  #create(project: FakeProject, body: unknown, upsert: boolean): Response {
    const single = !Array.isArray(body);
    const items = single ? [body] : (body as unknown[]);
    if (items.length === 0) throw new FakeHttpError(400, 'bad_request', 'Invalid request: expected at least one environment variable');
    const limit = this.#options.maxBatchItems;
    if (limit !== undefined && items.length > limit) throw new FakeHttpError(400, 'TOO_MANY_KEYS', `Too many environment variables in one request (at most ${limit})`);
    const created: StoredRecord[] = [];
    const failed: { error: Record<string, unknown> }[] = [];
    for (const raw of items) {
      const parsed = createItem.safeParse(raw);
      const key = typeof (raw as { key?: unknown } | null)?.key === 'string' ? (raw as { key: string }).key : undefined;
      try {
        if (!parsed.success) throw new FakeHttpError(400, 'bad_request', `Invalid request: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim());
        const item = parsed.data;
        const target = item.target === undefined ? [] : typeof item.target === 'string' ? [item.target] : [...item.target];
        const candidate = this.#newRecord({
          key: item.key,
          value: item.value,
          type: item.type,
          target,
          customEnvironmentIds: [...(item.customEnvironmentIds ?? [])],
          gitBranch: item.gitBranch,
          configurationId: undefined,
          contentHint: undefined,
        });
        this.#checkRules(project, candidate);
        const conflict = this.#conflicting(project, candidate, undefined);
        if (conflict !== undefined && upsert) {
          Object.assign(conflict, { value: candidate.value, type: candidate.type, updatedAt: this.#stamp() });
          created.push(conflict);
          continue;
        }
        if (conflict !== undefined) {
          throw new FakeHttpError(400, 'ENV_CONFLICT', `A variable with the name ${candidate.key} already exists for the target ${overlap(conflict, candidate).join(',')}`, {
            envVarId: conflict.id,
            target: overlap(conflict, candidate),
          });
        }
        project.records.set(candidate.id, candidate);
        created.push(candidate);
      } catch (error) {
        if (!(error instanceof FakeHttpError)) throw error;
        const named = this.#options.failedNamesKey && key !== undefined ? { key, envVarKey: key } : {};
        failed.push({ error: { code: error.code, message: error.message, ...named, ...error.extra } });
      }
    }
    const answer = single ? created[0] : created.map((record) => this.#toApi(record));
    if (created.length === 0) {
      const first = failed[0]?.error ?? { code: 'bad_request', message: 'Nothing created' };
      return json(400, { error: first, failed });
    }
    return json(201, { created: single ? this.#toApi(answer as StoredRecord) : answer, failed });
  }

  #edit(project: FakeProject, id: string, body: unknown): Response {
    const record = this.#recordOf(project, id);
    const parsed = editBody.safeParse(body);
    if (!parsed.success) throw new FakeHttpError(400, 'bad_request', `Invalid request: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim());
    const edit = parsed.data;
    if (record.configurationId !== undefined) throw new FakeHttpError(403, 'forbidden', 'This environment variable is managed by an integration');
    if (record.type === 'sensitive' && edit.key !== undefined) {
      throw new FakeHttpError(400, 'bad_request', 'The key of a sensitive environment variable cannot be sent in an edit');
    }
    if (record.type === 'sensitive' && edit.type !== undefined && edit.type !== 'sensitive') {
      throw new FakeHttpError(400, 'bad_request', 'A sensitive environment variable cannot change its type; remove it and add it again');
    }
    const candidate: StoredRecord = {
      ...record,
      key: edit.key ?? record.key,
      value: edit.value ?? record.value,
      type: edit.type ?? record.type,
      target: edit.target === undefined ? [...record.target] : typeof edit.target === 'string' ? [edit.target] : [...edit.target],
      customEnvironmentIds: edit.customEnvironmentIds === undefined ? [...record.customEnvironmentIds] : [...edit.customEnvironmentIds],
      gitBranch: edit.gitBranch === undefined ? record.gitBranch : (edit.gitBranch ?? undefined),
    };
    this.#checkRules(project, candidate);
    const conflict = this.#conflicting(project, candidate, record.id);
    if (conflict !== undefined) {
      throw new FakeHttpError(400, 'ENV_CONFLICT', `A variable with the name ${candidate.key} already exists for the target ${overlap(conflict, candidate).join(',')}`, {
        envVarId: conflict.id,
      });
    }
    Object.assign(record, candidate, { updatedAt: this.#stamp() });
    return json(200, this.#toApi(record));
  }

  #batchDelete(project: FakeProject, body: unknown): Response {
    const parsed = batchDeleteBody.safeParse(body);
    if (!parsed.success) throw new FakeHttpError(400, 'bad_request', 'Invalid request: expected {ids: [...]}');
    const limit = this.#options.maxBatchItems;
    if (limit !== undefined && parsed.data.ids.length > limit) throw new FakeHttpError(400, 'TOO_MANY_IDS', `Too many ids in one request (at most ${limit})`);
    const unknown = parsed.data.ids.filter((id) => !project.records.has(id));
    // Unverified on the real API: the fake takes the strict reading, nothing deleted.
    if (unknown.length > 0) throw new FakeHttpError(404, 'ID_NOT_FOUND', `Environment variable(s) not found: ${unknown.join(', ')}`);
    for (const id of parsed.data.ids) project.records.delete(id);
    return json(200, { deleted: parsed.data.ids.length, ids: parsed.data.ids });
  }

  #deployments(url: URL): Response {
    const projectId = url.searchParams.get('projectId') ?? '';
    const project = this.#projectFor({ route: 'GET /v6/deployments', project: projectId }, url);
    const target = url.searchParams.get('target');
    const state = url.searchParams.get('state');
    const limit = Number(url.searchParams.get('limit') ?? '20');
    const deployments = project.deployments
      .filter((deployment) => (target === null || deployment.target === target) && (state === null || state.split(',').includes(deployment.state)))
      .slice(0, limit)
      .map((deployment) => ({ ...deployment, url: `${deployment.name}-${deployment.uid}.vercel.app` }));
    return json(200, { deployments, pagination: { count: deployments.length, next: null, prev: null } });
  }

  #redeploy(url: URL, body: unknown): Response {
    const parsed = redeployBody.safeParse(body);
    if (!parsed.success) throw new FakeHttpError(400, 'bad_request', 'Invalid request: expected deploymentId and name');
    const owner = [...this.#projects.values()].find((project) => project.deployments.some((deployment) => deployment.uid === parsed.data.deploymentId));
    if (owner === undefined) throw new FakeHttpError(404, 'not_found', 'Deployment not found');
    this.#projectFor({ route: 'POST /v13/deployments', project: owner.id }, url);
    const target = parsed.data.target ?? 'preview';
    this.#redeploys.push({ projectId: owner.id, fromDeployment: parsed.data.deploymentId, target });
    const uid = this.addDeployment(owner.id, { target: target === 'production' ? 'production' : null, state: 'QUEUED' });
    return json(200, { id: uid, url: `${owner.name}-${uid}.vercel.app`, target: target === 'production' ? 'production' : null, readyState: 'QUEUED' });
  }

  /** Vercel's rules for one record (reference §3, §9), and the optional team sensitive policy. */
  #checkRules(project: FakeProject, record: StoredRecord): void {
    if (!keyPattern.test(record.key)) {
      throw new FakeHttpError(400, 'KEY_INVALID_CHARACTERS', 'Only letters, digits and _ are allowed, and must begin with a letter');
    }
    if ((vercelReservedKeys as readonly string[]).includes(record.key)) {
      throw new FakeHttpError(400, 'RESERVED_ENV_VARIABLE', `The name ${record.key} is reserved`);
    }
    if (record.target.length === 0 && record.customEnvironmentIds.length === 0) throw new FakeHttpError(400, 'MISSING_TARGET', 'target or customEnvironmentIds is required');
    const unknownCustom = record.customEnvironmentIds.filter((id) => !project.customEnvironments.some((env) => env.id === id));
    if (unknownCustom.length > 0) throw new FakeHttpError(400, 'bad_request', `Unknown custom environment ${unknownCustom.join(', ')}`);
    if (record.gitBranch !== undefined && (record.target.length !== 1 || record.target[0] !== 'preview')) {
      throw new FakeHttpError(400, 'bad_request', 'gitBranch requires target=preview');
    }
    if (record.type === 'sensitive' && record.target.includes('development')) {
      throw new FakeHttpError(400, 'bad_request', 'Sensitive Environment Variables are not supported on the Development Environment');
    }
    if (project.sensitivePolicy && record.type !== 'sensitive' && record.target.some((target) => target === 'production' || target === 'preview')) {
      throw new FakeHttpError(400, 'bad_request', "This team's sensitive environment variables policy requires production and preview variables to be sensitive");
    }
  }

  /** A record with the same key and git branch whose targets overlap (reference §1, `ENV_CONFLICT`). */
  #conflicting(project: FakeProject, candidate: StoredRecord, self: string | undefined): StoredRecord | undefined {
    return [...project.records.values()].find(
      (other) => other.id !== self && other.key === candidate.key && other.gitBranch === candidate.gitBranch && overlap(other, candidate).length > 0,
    );
  }

  #toApi(record: StoredRecord): Record<string, unknown> {
    const listed =
      record.type === 'plain' || record.type === 'system'
        ? { value: record.value }
        : record.type === 'sensitive'
          ? { value: '' }
          : { value: `enc:${Buffer.from(`${record.id}:${record.updatedAt}`).toString('base64')}`, decrypted: false };
    return {
      id: record.id,
      key: record.key,
      type: record.type,
      target: [...record.target],
      ...(record.customEnvironmentIds.length > 0 ? { customEnvironmentIds: [...record.customEnvironmentIds] } : {}),
      ...(record.gitBranch === undefined ? {} : { gitBranch: record.gitBranch }),
      configurationId: record.configurationId ?? null,
      ...(record.contentHint === undefined ? {} : { contentHint: { ...record.contentHint } }),
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      createdBy: 'user_1',
      updatedBy: 'user_1',
      ...listed,
    };
  }

  // ---- helpers ----------------------------------------------------------------------------

  #match(method: string, url: URL): Matched {
    let path = url.pathname;
    const base = this.#options.basePath;
    if (base !== '' && (path === base || path.startsWith(`${base}/`))) path = path.slice(base.length);
    const parts = path.split('/').filter((part) => part !== '').map((part) => decodeURIComponent(part));
    const [version, kind, project, leaf, id, extra] = parts;
    const n = parts.length;
    const is = (route: VercelRoute, extras: { project?: string | undefined; id?: string | undefined } = {}): Matched => ({
      route,
      ...(extras.project === undefined ? {} : { project: extras.project }),
      ...(extras.id === undefined ? {} : { id: extras.id }),
    });
    if (kind === 'projects' && leaf === 'env') {
      if (version === 'v10' && n === 4 && (method === 'GET' || method === 'POST')) return is(`${method} /v10/projects/{p}/env`, { project });
      if (version === 'v1' && n === 5 && method === 'GET') return is('GET /v1/projects/{p}/env/{id}', { project, id });
      if (version === 'v9' && n === 5 && method === 'PATCH') return is('PATCH /v9/projects/{p}/env/{id}', { project, id });
      if (version === 'v9' && n === 5 && method === 'DELETE') return is('DELETE /v9/projects/{p}/env/{id}', { project, id });
      if (version === 'v1' && n === 4 && method === 'DELETE') return is('DELETE /v1/projects/{p}/env', { project });
    }
    if (version === 'v9' && kind === 'projects' && leaf === 'custom-environments' && n === 4 && method === 'GET') {
      return is('GET /v9/projects/{p}/custom-environments', { project });
    }
    if (version === 'v6' && kind === 'deployments' && n === 2 && method === 'GET') return is('GET /v6/deployments');
    if (version === 'v13' && kind === 'deployments' && n === 2 && method === 'POST') return is('POST /v13/deployments');
    if (version === 'v1' && kind === 'integrations' && project === 'deploy' && n === 5 && method === 'POST' && extra === undefined) {
      return is('POST /v1/integrations/deploy/{p}/{hook}', { project: leaf, id });
    }
    return { route: 'unknown' };
  }

  #projectFor(matched: Matched, url: URL): FakeProject {
    const idOrName = matched.project ?? '';
    const project = this.#projects.get(idOrName) ?? [...this.#projects.values()].find((candidate) => candidate.name === idOrName);
    const teamId = url.searchParams.get('teamId') ?? undefined;
    if (project === undefined || project.teamId !== teamId) {
      throw new FakeHttpError(404, 'not_found', `Project not found`);
    }
    return project;
  }

  #recordOf(project: FakeProject, id: string): StoredRecord {
    const record = project.records.get(id);
    if (record === undefined) throw new FakeHttpError(404, 'ID_NOT_FOUND', `Environment variable ${id} not found`);
    return record;
  }

  #project(projectId: string): FakeProject {
    const project = this.#projects.get(projectId);
    if (project === undefined) throw new Error(`VercelFake: no project ${projectId}; call addProject first`);
    return project;
  }

  #newRecord(fields: Omit<StoredRecord, 'id' | 'createdAt' | 'updatedAt'>): StoredRecord {
    const time = this.#stamp();
    return { ...fields, id: `env_rec_${String(this.#nextId()).padStart(4, '0')}`, createdAt: time, updatedAt: time };
  }

  #takeFailure(method: string, matched: Matched): VercelFakeFailure | undefined {
    const entry = this.#failures.find(
      ({ failure, left }) =>
        left > 0 && (failure.method === undefined || failure.method.toUpperCase() === method) && (failure.route === undefined || failure.route === matched.route),
    );
    if (entry === undefined) return undefined;
    entry.left -= 1;
    return entry.failure;
  }

  #failureResponse(failure: VercelFakeFailure): Response {
    if (failure.networkError === true) return Response.error();
    const status = failure.status ?? 500;
    const headers: Record<string, string> = { ...failure.headers };
    const now = this.#options.now();
    if (status === 429 && failure.headers === undefined) headers['retry-after'] = '1';
    const body =
      failure.body ??
      (status === 429
        ? { error: { code: 'rate_limited', message: 'Rate limit exceeded', limit: { remaining: 0, reset: Math.ceil(now / 1000) + 1, resetMs: now + 1000, total: 100 } } }
        : { error: { code: 'internal_server_error', message: 'An unexpected internal error occurred' } });
    return json(status, body, headers);
  }

  /** A fixed one-minute window per endpoint; it opens with its first request. */
  #limit(route: VercelRoute): Response | undefined {
    const limit = this.#options.perEndpointPerMinute;
    if (limit === false) return undefined;
    const window = this.#window(route);
    if (window.count >= limit) {
      const resetMs = window.start + windowMs;
      const seconds = Math.max(1, Math.ceil((resetMs - this.#options.now()) / 1000));
      return json(
        429,
        { error: { code: 'rate_limited', message: `Rate limit exceeded; try again in ${seconds} seconds`, limit: { remaining: 0, reset: Math.ceil(resetMs / 1000), resetMs, total: limit } } },
        { 'retry-after': String(seconds), ...this.#rateHeaders(limit, 0, resetMs) },
      );
    }
    window.count += 1;
    return undefined;
  }

  #window(route: VercelRoute): { start: number; count: number } {
    const now = this.#options.now();
    const current = this.#windows.get(route);
    if (current !== undefined && now < current.start + windowMs) return current;
    const fresh = { start: now, count: 0 };
    this.#windows.set(route, fresh);
    return fresh;
  }

  #withRateHeaders(response: Response, route: VercelRoute): Response {
    const limit = this.#options.perEndpointPerMinute;
    if (limit === false) return response;
    const window = this.#window(route);
    for (const [name, value] of Object.entries(this.#rateHeaders(limit, Math.max(0, limit - window.count), window.start + windowMs))) {
      response.headers.set(name, value);
    }
    return response;
  }

  #rateHeaders(limit: number, remaining: number, resetMs: number): Record<string, string> {
    if (!this.#options.rateLimitHeaders) return {};
    return { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': String(Math.ceil(resetMs / 1000)) };
  }

  /** A strictly increasing clock, so a later change always has a later `updatedAt`. */
  #stamp(): number {
    this.#lastStamp = Math.max(this.#options.now(), this.#lastStamp + 1);
    return this.#lastStamp;
  }

  #nextId(): number {
    this.#ids += 1;
    return this.#ids;
  }
}

function overlap(a: StoredRecord, b: StoredRecord): string[] {
  return [...a.target.filter((target) => b.target.includes(target)), ...a.customEnvironmentIds.filter((id) => b.customEnvironmentIds.includes(id))];
}

async function jsonBody(request: Request): Promise<unknown> {
  try {
    return (await request.json()) as unknown;
  } catch {
    return undefined;
  }
}

function json(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
