import { http, HttpResponse, passthrough } from 'msw';
import { describe, expect, it } from 'vitest';
import { VercelFake, type VercelFakeOptions } from '../../../test/emulator/vercel.ts';
import { useLocalBlobs } from '../../../test/support/blobs-server.ts';
import { useMswServer } from '../../../test/support/msw.ts';
import { testSettings } from '../../../test/support/settings.ts';
import { diff, type DiffPolicy } from '../../core/diff.ts';
import { createFingerprinter, type LedgerEntry } from '../../core/ledger.ts';
import { slotKey, type Plan, type RemoteState } from '../../core/plan.ts';
import { createRedactor } from '../../core/redact.ts';
import type { ApplyOutcome, ProviderMemory } from '../../core/adapter.ts';
import { createBudget } from '../../http/budget.ts';
import { createLogger } from '../../logging/logger.ts';
import { connectVercel, type VercelConnection } from './connection.ts';
import { isSensitiveKey, resolveVercelSettings, targetsFor, vercelSettingsSchema, type VercelSettings } from './settings.ts';

const origin = 'https://api.vercel.test';
const server = useMswServer();
const blobs = useLocalBlobs();
const fingerprint = createFingerprinter('test-ledger-secret-0123456789');

/** A fake with projects `prj_a` (name `web`) and `prj_b`, served through msw with unhandled requests failing. */
function fakeVercel(options: VercelFakeOptions = {}): VercelFake {
  const fake = new VercelFake(options).addProject({ id: 'prj_a', name: 'web' }).addProject({ id: 'prj_b' });
  server.use(http.all(`${origin}/*`, ({ request }) => fake.handle(request)));
  return fake;
}

function vercelSettings(env: Record<string, string> = {}): VercelSettings {
  return resolveVercelSettings(vercelSettingsSchema.parse({ ENVSYNC_VERCEL_PROJECT_ID: 'prj_a', VERCEL_API_URL: origin, ...env }));
}

/**
 * Drives syncs the way the engine does (connect once per run; read → diff → reveal hidden values
 * the ledger cannot vouch for → diff → apply; ledger from `done` and from confirmed values),
 * keeping the ledger between runs and every log line for the canary check.
 */
class Harness {
  readonly settings: VercelSettings;
  readonly ledger = new Map<string, LedgerEntry>();
  readonly lines: string[] = [];
  managed: (key: string) => boolean = (key) => key.startsWith('APP_');
  /** The provider's memory between runs, when the test gives it one (the engine does, from Blobs). */
  memory: ProviderMemory | undefined;
  connection: VercelConnection;
  #desired: Map<string, string> = new Map();

  constructor(env: Record<string, string> = {}, token = 'vercel_test_token') {
    this.settings = vercelSettings(env);
    this.connection = this.connect(token);
  }

  /** A new connection, as a new run gets. */
  connect(token = 'vercel_test_token'): VercelConnection {
    this.connection = connectVercel(
      {
        settings: testSettings(),
        provider: this.settings,
        token,
        tokenSource: 'env:VERCEL_API_TOKEN',
        budget: createBudget(30_000),
        logger: createLogger({ write: (line) => this.lines.push(line), level: 'debug' }),
        redact: (text) => createRedactor(this.#desired.values())(text),
        ...(this.memory === undefined ? {} : { memory: this.memory }),
      },
      this.settings,
    );
    return this.connection;
  }

  /** Reads and plans, revealing `encrypted` values that have no ledger entry, as the engine does. */
  async plan(desired: Record<string, string>, projectId = 'prj_a'): Promise<{ plan: Plan; remote: RemoteState }> {
    this.#desired = new Map(Object.entries(desired));
    let remote = await this.connection.read(projectId);
    let plan = diff(this.#desired, remote, this.policy());
    const hidden = plan.changes.filter((change) => change.reason === 'unverifiable');
    if (hidden.length > 0) {
      remote = await this.connection.reveal(projectId, remote, hidden);
      plan = diff(this.#desired, remote, this.policy());
      for (const change of hidden) {
        const confirmed = plan.changes.find((other) => other.key === change.key && other.context === change.context && other.op === 'noop');
        const at = remote.values.find((value) => value.key === change.key && value.context === change.context)?.updatedAt;
        if (confirmed !== undefined) this.#remember(change.key, change.context, at);
      }
    }
    return { plan, remote };
  }

  /** One round: read, plan, apply, record. */
  async sync(desired: Record<string, string>, projectId = 'prj_a'): Promise<{ plan: Plan; outcome: ApplyOutcome }> {
    const { plan, remote } = await this.plan(desired, projectId);
    const outcome = await this.connection.apply(projectId, plan, this.#desired, remote);
    for (const change of outcome.done) {
      if (change.op === 'delete') this.ledger.delete(slotKey(change.key, change.context));
      else this.#remember(change.key, change.context, change.remoteUpdatedAt);
    }
    return { plan, outcome };
  }

  #remember(key: string, context: string, remoteUpdatedAt: string | undefined): void {
    const value = this.#desired.get(key) ?? '';
    this.ledger.set(slotKey(key, context), {
      key,
      context,
      fingerprint: fingerprint(key, value),
      writtenAt: new Date().toISOString(),
      ...(remoteUpdatedAt === undefined ? {} : { remoteUpdatedAt }),
    });
  }

  policy(): DiffPolicy {
    return {
      isManaged: this.managed,
      contextsFor: (key) => targetsFor(key, this.settings.options),
      isSecret: (key) => isSensitiveKey(key, this.settings.options),
      allowDeletions: true,
      deleteScope: 'managed',
      allowsEmptyValues: true,
      ledger: this.ledger,
      fingerprint,
    };
  }
}

function ops(plan: Plan): string[] {
  return plan.changes.filter((change) => change.op !== 'noop').map((change) => `${change.op} ${change.key} ${change.context}${change.reason === undefined ? '' : ` (${change.reason})`}`);
}

const everywhere = ['production', 'preview', 'development'];

function unexpected(): never {
  throw new Error('expected a failure');
}

describe('reading a Vercel project', () => {
  it('reads one value per (key, environment), hiding encrypted and sensitive values, in one request', async () => {
    const fake = fakeVercel();
    fake.seed('prj_a', { key: 'APP_PLAIN', value: 'p', type: 'plain', target: ['production', 'preview'] });
    fake.seed('prj_a', { key: 'APP_ENC', value: 'e', type: 'encrypted', target: ['development'] });
    fake.seed('prj_a', { key: 'APP_SENS', value: 's', type: 'sensitive', target: ['production'] });
    const remote = await new Harness().connection.read('prj_a');

    expect(remote.values.map(({ key, context, value, secret }) => `${key} ${context} ${String(value)} ${String(secret)}`).sort()).toEqual([
      'APP_ENC development undefined false',
      'APP_PLAIN preview p false',
      'APP_PLAIN production p false',
      'APP_SENS production undefined true',
    ]);
    expect(remote.values.find((value) => value.key === 'APP_ENC')?.updatedAt).toBe(new Date(fake.records('prj_a').find((record) => record.key === 'APP_ENC')?.updatedAt ?? 0).toISOString());
    expect(fake.count()).toBe(1);
  });

  it('leaves integration-managed, branch-specific and system records out of what can be planned', async () => {
    const fake = fakeVercel();
    fake.seed('prj_a', { key: 'APP_DB', value: 'x', configurationId: 'icfg_1' });
    fake.seed('prj_a', { key: 'APP_KV', value: 'x', contentHint: { type: 'redis-database-id', storeId: 'store_1' } });
    fake.seed('prj_a', { key: 'APP_URL', value: 'branch', type: 'plain', target: ['preview'], gitBranch: 'feature-x' });
    const harness = new Harness();
    const remote = await harness.connection.read('prj_a');

    expect(remote.values).toEqual([]);
    expect(remote.held?.map((held) => `${held.key} ${held.context} ${held.holder}`)).toEqual([
      'APP_DB production integration-managed',
      'APP_DB preview integration-managed',
      'APP_DB development integration-managed',
      'APP_KV production integration-managed',
      'APP_KV preview integration-managed',
      'APP_KV development integration-managed',
      'APP_URL preview:feature-x branch-specific',
    ]);
    expect(harness.connection.snapshotOf(remote)?.held.map((held) => `${held.key} ${held.reason} ${held.environments.join(',')}`)).toEqual([
      'APP_DB integration-managed production,preview,development',
      'APP_KV integration-managed production,preview,development',
      'APP_URL branch-specific preview:feature-x',
    ]);
  });

  it('drops records the list returns twice', async () => {
    const fake = fakeVercel({ duplicateListing: true });
    fake.seed('prj_a', { key: 'APP_A', value: 'a', type: 'plain', target: ['production'] });
    const remote = await new Harness().connection.read('prj_a');
    expect(remote.values).toHaveLength(1);
  });

  it('follows pagination.next with until', async () => {
    const fake = fakeVercel({ pageSize: 2 });
    for (const key of ['APP_A', 'APP_B', 'APP_C', 'APP_D', 'APP_E']) fake.seed('prj_a', { key, value: key, type: 'plain', target: ['production'] });
    const remote = await new Harness().connection.read('prj_a');

    expect(remote.values.map((value) => value.key).sort()).toEqual(['APP_A', 'APP_B', 'APP_C', 'APP_D', 'APP_E']);
    expect(fake.count('GET /v10/projects/{p}/env')).toBe(3);
  });

  it('sends teamId on every call, so a team project is found', async () => {
    const fake = new VercelFake().addProject({ id: 'prj_t', teamId: 'team_1' });
    server.use(http.all(`${origin}/*`, ({ request }) => fake.handle(request)));
    fake.addDeployment('prj_t');
    const harness = new Harness({ ENVSYNC_VERCEL_PROJECT_ID: 'prj_t', VERCEL_TEAM_ID: 'team_1', ENVSYNC_VERCEL_TARGETS: 'production' });
    await harness.sync({ APP_A: 'a' }, 'prj_t');
    await harness.connection.redeploy('prj_t');

    expect(fake.requests.map((request) => `${request.route} ${request.status}`)).toEqual([
      'GET /v10/projects/{p}/env 200',
      'POST /v10/projects/{p}/env 201',
      'GET /v6/deployments 200',
      'POST /v13/deployments 200',
    ]);
  });

  it('names the project and the settings to check when the project is unknown, and the token source when it is refused', async () => {
    fakeVercel();
    const unknown = await new Harness().connection.read('prj_zzz').then(unexpected, (error: unknown) => error as Error);
    const refused = await new Harness({}, 'wrong').connection.read('prj_a').then(unexpected, (error: unknown) => error as Error);

    expect(unknown).toMatchObject({ code: 'provider-not-found' });
    expect(unknown.message).toContain('prj_zzz');
    expect(unknown.message).toContain('ENVSYNC_VERCEL_PROJECT_ID');
    expect(unknown.message).toContain('VERCEL_TEAM_ID');
    expect(refused).toMatchObject({ code: 'provider-auth' });
    expect(refused.message).toContain('env:VERCEL_API_TOKEN');
  });

  it('fails on a malformed list and writes nothing', async () => {
    const fake = fakeVercel();
    fake.fail({ route: 'GET /v10/projects/{p}/env', status: 200, body: { environment: [] } });
    const error = await new Harness().sync({ APP_A: 'a' }).then(unexpected, (thrown: unknown) => thrown as Error);

    expect(error).toMatchObject({ code: 'provider-response-invalid' });
    expect(fake.writeCount()).toBe(0);
  });
});

describe('request counts', () => {
  it('creates 50 variables in one request', async () => {
    const fake = fakeVercel();
    const desired = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`APP_KEY_${String(index).padStart(2, '0')}`, `value-${index}`]));
    const { outcome } = await new Harness().sync(desired);

    expect(outcome.errors).toEqual([]);
    expect(outcome.done).toHaveLength(150);
    expect(fake.count('POST /v10/projects/{p}/env')).toBe(1);
    expect(fake.writeCount()).toBe(1);
    expect(fake.records('prj_a')).toHaveLength(50);
    expect(fake.valuesFor('prj_a', 'preview')['APP_KEY_07']).toBe('value-7');
  });

  it('splits a batch Vercel refuses as too large (TOO_MANY_KEYS, TOO_MANY_IDS) into halves until it fits', async () => {
    const fake = fakeVercel({ maxBatchItems: 20 });
    const keys = Array.from({ length: 50 }, (_, index) => `APP_KEY_${String(index).padStart(2, '0')}`);
    const harness = new Harness();
    const { outcome } = await harness.sync(Object.fromEntries(keys.map((key, index) => [key, `value-${index}`])));

    expect(outcome.errors).toEqual([]);
    expect(fake.records('prj_a')).toHaveLength(50);
    // 50 refused, 25 + 25 refused, then 13 + 12 + 13 + 12 created.
    expect(fake.count('POST /v10/projects/{p}/env')).toBe(7);

    const removed = await harness.sync(Object.fromEntries(keys.slice(0, 20).map((key, index) => [key, `value-${index}`])));
    expect(removed.outcome.errors).toEqual([]);
    expect(fake.records('prj_a')).toHaveLength(20);
    // 30 ids refused, then 15 + 15 deleted.
    expect(fake.count('DELETE /v1/projects/{p}/env')).toBe(3);
  });

  it('a sync with nothing to change is one list request per project, encrypted and sensitive values included', async () => {
    const fake = fakeVercel();
    const harness = new Harness({ ENVSYNC_VERCEL_PROJECT_ID: 'prj_a,prj_b', ENVSYNC_VERCEL_SENSITIVE_PREFIXES: 'APP_SECRET_' });
    const desired = { APP_A: 'a', APP_B: 'b', APP_SECRET_KEY: 's3cret-value' };
    await harness.sync(desired, 'prj_a');
    await harness.sync(desired, 'prj_b');
    fake.clearLog();

    harness.connect();
    const first = await harness.sync(desired, 'prj_a');
    const second = await harness.sync(desired, 'prj_b');

    expect(ops(first.plan)).toEqual([]);
    expect(ops(second.plan)).toEqual([]);
    expect(fake.requests.map((request) => `${request.method} ${request.project ?? ''}`)).toEqual(['GET prj_a', 'GET prj_b']);
  });
});

describe('hidden values', () => {
  it('reads an encrypted record it has no ledger entry for once, and writes nothing when it already holds the canonical value', async () => {
    const fake = fakeVercel();
    fake.seed('prj_a', { key: 'APP_TOKEN', value: 'same-value', type: 'encrypted' });
    const harness = new Harness();
    const first = await harness.sync({ APP_TOKEN: 'same-value' });

    expect(ops(first.plan)).toEqual([]);
    expect(fake.count('GET /v1/projects/{p}/env/{id}')).toBe(1);
    expect(fake.writeCount()).toBe(0);

    fake.clearLog();
    harness.connect();
    const second = await harness.sync({ APP_TOKEN: 'same-value' });
    expect(ops(second.plan)).toEqual([]);
    expect(fake.count()).toBe(1);
  });

  it('keeps integration records held after reading hidden values', async () => {
    const fake = fakeVercel();
    fake.seed('prj_a', { key: 'APP_TOKEN', value: 'same-value', type: 'encrypted' });
    fake.seed('prj_a', { key: 'APP_DB', value: 'integration', configurationId: 'icfg_1', target: ['production'] });
    const { plan } = await new Harness({ ENVSYNC_VERCEL_TARGETS: 'production' }).sync({ APP_TOKEN: 'same-value', APP_DB: 'mine' });

    expect(ops(plan)).toEqual([]);
    expect(plan.skipped.map((skip) => `${skip.key} ${skip.context} ${skip.detail ?? ''}`)).toEqual(['APP_DB production integration-managed']);
    expect(fake.writeCount()).toBe(0);
  });

  it('updates an encrypted record whose decrypted value differs, with one edit for all its environments', async () => {
    const fake = fakeVercel();
    fake.seed('prj_a', { key: 'APP_TOKEN', value: 'old-value', type: 'encrypted' });
    const { plan, outcome } = await new Harness().sync({ APP_TOKEN: 'new-value' });

    expect(ops(plan)).toEqual(['update APP_TOKEN development (value-differs)', 'update APP_TOKEN preview (value-differs)', 'update APP_TOKEN production (value-differs)']);
    expect(outcome.errors).toEqual([]);
    expect(fake.count('PATCH /v9/projects/{p}/env/{id}')).toBe(1);
    expect(fake.records('prj_a')).toMatchObject([{ key: 'APP_TOKEN', value: 'new-value', target: everywhere }]);
  });

  it('writes a sensitive record it has no ledger entry for, since it cannot be read, and says why', async () => {
    const fake = fakeVercel();
    fake.seed('prj_a', { key: 'APP_SECRET', value: 'unknown', type: 'sensitive', target: ['production', 'preview'] });
    const { plan } = await new Harness({ ENVSYNC_VERCEL_SENSITIVE_KEYS: 'APP_SECRET' }).sync({ APP_SECRET: 'canonical-secret' });

    expect(ops(plan)).toEqual(['update APP_SECRET preview (unverifiable)', 'update APP_SECRET production (unverifiable)']);
    expect(fake.count('GET /v1/projects/{p}/env/{id}')).toBe(0);
    expect(fake.count('PATCH /v9/projects/{p}/env/{id}')).toBe(1);
    expect(fake.records('prj_a')[0]).toMatchObject({ value: 'canonical-secret', type: 'sensitive' });
  });

  it('detects an edit in the dashboard as drift through updatedAt, and puts the canonical value back', async () => {
    const fake = fakeVercel();
    const harness = new Harness();
    await harness.sync({ APP_TOKEN: 'canonical' });
    const id = fake.records('prj_a')[0]?.id ?? '';
    fake.editInDashboard('prj_a', id, 'edited-by-hand');

    harness.connect();
    const { plan } = await harness.sync({ APP_TOKEN: 'canonical' });
    expect(ops(plan)).toEqual(['update APP_TOKEN development (drift)', 'update APP_TOKEN preview (drift)', 'update APP_TOKEN production (drift)']);
    expect(fake.records('prj_a')[0]?.value).toBe('canonical');
  });
});

describe('writing records that cover several environments', () => {
  it('splits a record only when one of its environments must keep its value', async () => {
    const fake = fakeVercel();
    fake.seed('prj_a', { key: 'APP_URL', value: 'old', type: 'plain' });
    const { outcome } = await new Harness({ ENVSYNC_VERCEL_TARGETS: 'production,preview' }).sync({ APP_URL: 'new' });

    expect(outcome.errors).toEqual([]);
    expect(fake.valuesFor('prj_a', 'production')['APP_URL']).toBe('new');
    expect(fake.valuesFor('prj_a', 'preview')['APP_URL']).toBe('new');
    expect(fake.valuesFor('prj_a', 'development')['APP_URL']).toBe('old');
    expect(fake.count('PATCH /v9/projects/{p}/env/{id}')).toBe(1);
    expect(fake.count('POST /v10/projects/{p}/env')).toBe(1);
  });

  it('edits two records of one key with one request each when both must change', async () => {
    const fake = fakeVercel();
    fake.seed('prj_a', { key: 'APP_URL', value: 'p', type: 'plain', target: ['production'] });
    fake.seed('prj_a', { key: 'APP_URL', value: 'd', type: 'plain', target: ['preview', 'development'] });
    await new Harness().sync({ APP_URL: 'new' });

    expect(fake.count('PATCH /v9/projects/{p}/env/{id}')).toBe(2);
    expect(fake.writeCount()).toBe(2);
    expect(everywhere.map((target) => fake.valuesFor('prj_a', target)['APP_URL'])).toEqual(['new', 'new', 'new']);
  });

  it('never touches integration or branch records, whatever the prefixes', async () => {
    const fake = fakeVercel();
    fake.seed('prj_a', { key: 'APP_DB', value: 'integration-value', configurationId: 'icfg_1', target: ['production', 'preview'] });
    fake.seed('prj_a', { key: 'APP_URL', value: 'branch-value', type: 'plain', target: ['preview'], gitBranch: 'feature-x' });
    const harness = new Harness({ ENVSYNC_VERCEL_TARGETS: 'preview' });
    const { plan } = await harness.sync({ APP_URL: 'canonical', APP_DB: 'canonical-db' });

    expect(ops(plan)).toEqual(['create APP_URL preview']);
    expect(plan.skipped.map((skip) => `${skip.key} ${skip.context} ${skip.detail ?? ''}`)).toEqual([
      'APP_DB preview integration-managed',
      'APP_DB production integration-managed',
      'APP_URL preview:feature-x branch-specific',
    ]);
    const after = fake.records('prj_a');

    expect(after.find((record) => record.gitBranch === 'feature-x')?.value).toBe('branch-value');
    expect(after.find((record) => record.key === 'APP_DB')?.value).toBe('integration-value');
    expect(fake.valuesFor('prj_a', 'preview')['APP_URL']).toBe('canonical');
    expect(fake.writeCount()).toBe(1);
  });

  it('deletes whole records in one batch request and trims a record that keeps other environments', async () => {
    const fake = fakeVercel();
    fake.seed('prj_a', { key: 'APP_OLD_A', value: 'a', type: 'plain', target: ['production', 'preview'] });
    fake.seed('prj_a', { key: 'APP_OLD_B', value: 'b', type: 'plain', target: ['production'] });
    fake.seed('prj_a', { key: 'APP_OLD_C', value: 'c', type: 'plain' });
    const { outcome } = await new Harness({ ENVSYNC_VERCEL_TARGETS: 'production,preview' }).sync({ APP_KEEP: 'k' });

    expect(outcome.errors).toEqual([]);
    expect(fake.count('DELETE /v1/projects/{p}/env')).toBe(1);
    expect(fake.count('PATCH /v9/projects/{p}/env/{id}')).toBe(1);
    expect(fake.records('prj_a').map((record) => `${record.key} ${record.target.join(',')}`)).toEqual(['APP_KEEP production,preview', 'APP_OLD_C development']);
  });
});

describe('sensitive keys', () => {
  it('never targets development with a sensitive key', async () => {
    const fake = fakeVercel();
    const { plan } = await new Harness({ ENVSYNC_VERCEL_SENSITIVE_PREFIXES: 'APP_SECRET_' }).sync({ APP_SECRET_KEY: 'k', APP_NAME: 'n' });

    expect(ops(plan).filter((op) => op.includes('APP_SECRET_KEY'))).toEqual(['create APP_SECRET_KEY preview', 'create APP_SECRET_KEY production']);
    expect(fake.records('prj_a').map((record) => `${record.key} ${record.type} ${record.target.join(',')}`)).toEqual([
      'APP_NAME encrypted production,preview,development',
      'APP_SECRET_KEY sensitive production,preview',
    ]);
  });

  it('turns an encrypted record into a sensitive one by trimming it and creating the sensitive record', async () => {
    const fake = fakeVercel();
    fake.seed('prj_a', { key: 'APP_KEY', value: 'k', type: 'encrypted' });
    const { plan, outcome } = await new Harness({ ENVSYNC_VERCEL_SENSITIVE_KEYS: 'APP_KEY' }).sync({ APP_KEY: 'k' });

    expect(ops(plan)).toEqual(['update APP_KEY preview (secret-flag)', 'update APP_KEY production (secret-flag)']);
    expect(outcome.errors).toEqual([]);
    expect(fake.records('prj_a').map((record) => `${record.type} ${record.target.join(',')}`)).toEqual(['encrypted development', 'sensitive production,preview']);
  });

  it("names ENVSYNC_VERCEL_TYPE when the team's sensitive policy refuses an encrypted value", async () => {
    const fake = new VercelFake().addProject({ id: 'prj_p', sensitivePolicy: true });
    server.use(http.all(`${origin}/*`, ({ request }) => fake.handle(request)));
    const { outcome } = await new Harness({ ENVSYNC_VERCEL_PROJECT_ID: 'prj_p', ENVSYNC_VERCEL_TARGETS: 'production' }).sync({ APP_A: 'a' }, 'prj_p');

    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]).toMatchObject({ code: 'value-rejected', key: 'APP_A' });
    expect(outcome.errors[0]?.message).toContain('ENVSYNC_VERCEL_TYPE=sensitive');

    const fixed = await new Harness({ ENVSYNC_VERCEL_PROJECT_ID: 'prj_p', ENVSYNC_VERCEL_TARGETS: 'production', ENVSYNC_VERCEL_TYPE: 'sensitive' }).sync({ APP_A: 'a' }, 'prj_p');
    expect(fixed.outcome.errors).toEqual([]);
  });
});

describe('a batch create that partly fails', () => {
  it.each([true, false])('attributes a conflict to its key (failure names the key: %s)', async (namesKey) => {
    const fake = fakeVercel({ failedNamesKey: namesKey });
    const harness = new Harness({ ENVSYNC_VERCEL_TARGETS: 'production' });
    const { plan, remote } = await harness.plan({ APP_A: 'a', APP_B: 'b', APP_C: 'c' });
    fake.seed('prj_a', { key: 'APP_B', value: 'someone-else', type: 'plain', target: ['production'] });
    const outcome = await harness.connection.apply('prj_a', plan, new Map(Object.entries({ APP_A: 'a', APP_B: 'b', APP_C: 'c' })), remote);

    expect(outcome.done.map((change) => change.key)).toEqual(['APP_A', 'APP_C']);
    expect(outcome.errors.map((error) => [error.code, error.key, error.retryable])).toEqual([['conflict', 'APP_B', true]]);
    expect(fake.count('POST /v10/projects/{p}/env')).toBe(1);
  });

  it('treats a 5xx on the batch as an unknown outcome for every key, without repeating it', async () => {
    const fake = fakeVercel();
    fake.fail({ route: 'POST /v10/projects/{p}/env', status: 502, afterApply: true });
    const { outcome } = await new Harness({ ENVSYNC_VERCEL_TARGETS: 'production' }).sync({ APP_A: 'a', APP_B: 'b' });

    expect(outcome.done).toEqual([]);
    expect(outcome.errors.map((error) => [error.code, error.key, error.retryable])).toEqual([
      ['outcome-unknown', 'APP_A', true],
      ['outcome-unknown', 'APP_B', true],
    ]);
    expect(fake.count('POST /v10/projects/{p}/env')).toBe(1);
  });

  it('refuses a reserved name without sending it', async () => {
    const fake = fakeVercel();
    const harness = new Harness({ ENVSYNC_VERCEL_TARGETS: 'production' });
    harness.managed = () => true;
    const { outcome } = await harness.sync({ TZ: 'UTC', APP_A: 'a' });

    expect(outcome.errors.map((error) => [error.code, error.key])).toEqual([['value-rejected', 'TZ']]);
    expect(fake.records('prj_a').map((record) => record.key)).toEqual(['APP_A']);
  });
});

describe('rate limits', () => {
  it('waits out a 429 as Retry-After says, then carries on', async () => {
    const fake = fakeVercel();
    fake.fail({ route: 'GET /v10/projects/{p}/env', status: 429, headers: { 'retry-after': '0' } });
    const remote = await new Harness().connection.read('prj_a');

    expect(remote.values).toEqual([]);
    expect(fake.requests.map((request) => request.status)).toEqual([429, 200]);
  });
});

describe('custom environments', () => {
  it('resolves a custom environment slug once per run and writes to it by id', async () => {
    const fake = fakeVercel();
    const staging = fake.addCustomEnvironment('prj_a', 'staging');
    const harness = new Harness({ ENVSYNC_VERCEL_TARGETS: 'production,staging' });
    await harness.sync({ APP_A: 'a' });
    const second = await harness.sync({ APP_A: 'a' });

    expect(ops(second.plan)).toEqual([]);
    expect(fake.valuesFor('prj_a', staging)['APP_A']).toBe('a');
    expect(fake.count('GET /v9/projects/{p}/custom-environments')).toBe(1);
  });

  it('remembers the ids between runs in the Blobs memory: a no-op run is one request; a failed apply makes the next run look them up again', async () => {
    server.use(http.all('http://localhost:*/*', () => passthrough()));
    const fake = fakeVercel();
    fake.addCustomEnvironment('prj_a', 'staging');
    const harness = new Harness({ ENVSYNC_VERCEL_TARGETS: 'production,staging' });
    harness.memory = blobs.open().providerMemory('vercel');
    harness.connect();
    await harness.sync({ APP_A: 'a' });
    const lookups = () => fake.count('GET /v9/projects/{p}/custom-environments');
    expect(lookups()).toBe(1);

    harness.connect();
    const before = fake.requests.length;
    const noop = await harness.sync({ APP_A: 'a' });
    expect(ops(noop.plan)).toEqual([]);
    expect(fake.requests.slice(before).map((request) => request.route)).toEqual(['GET /v10/projects/{p}/env']);

    // A write that fails (an id Vercel no longer knows, say) drops the memory: the next run asks again.
    harness.connect();
    server.use(http.post(`${origin}/v10/projects/prj_a/env`, () => HttpResponse.json({ error: { code: 'bad_request', message: 'no such environment' } }, { status: 400 })));
    const failed = await harness.sync({ APP_A: 'a', APP_B: 'b' });
    expect(failed.outcome.errors.length).toBeGreaterThan(0);
    harness.connect();
    await harness.plan({ APP_A: 'a', APP_B: 'b' });
    expect(lookups()).toBe(2);
  });

  it('names ENVSYNC_VERCEL_TARGETS when a slug does not exist', async () => {
    fakeVercel();
    const error = await new Harness({ ENVSYNC_VERCEL_TARGETS: 'production,qa' }).connection.read('prj_a').then(unexpected, (thrown: unknown) => thrown as Error);
    expect(error).toMatchObject({ code: 'config-invalid' });
    expect(error.message).toContain('ENVSYNC_VERCEL_TARGETS');
  });
});

describe('redeploying', () => {
  it('redeploys the latest production deployment as production, once per project per run', async () => {
    const fake = fakeVercel();
    fake.addDeployment('prj_a', { target: null });
    const latest = fake.addDeployment('prj_a');
    const harness = new Harness();

    expect(await harness.connection.redeploy('prj_a')).toEqual({ status: 'triggered' });
    expect(await harness.connection.redeploy('prj_a')).toEqual({ status: 'triggered' });
    expect(fake.redeploys).toEqual([{ projectId: 'prj_a', fromDeployment: latest, target: 'production' }]);
  });

  it('calls the deploy hook configured for the project, without the token', async () => {
    const fake = fakeVercel();
    const hook = fake.addDeployHook('prj_a');
    const harness = new Harness({ ENVSYNC_VERCEL_DEPLOY_HOOKS: `prj_a=${origin}/v1/integrations/deploy/prj_a/${hook}` });

    expect(await harness.connection.redeploy('prj_a')).toEqual({ status: 'triggered' });
    expect(fake.hookCalls).toEqual([{ projectId: 'prj_a', hookId: hook }]);
    expect(fake.redeploys).toEqual([]);
  });

  it('fails with a fix when the project has no production deployment', async () => {
    fakeVercel();
    const outcome = await new Harness().connection.redeploy('prj_a');
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toContain('ENVSYNC_VERCEL_DEPLOY_HOOKS');
  });
});

describe('values stay out of logs and errors', () => {
  it('never logs a canonical value', async () => {
    const fake = fakeVercel();
    fake.seed('prj_a', { key: 'APP_TOKEN', value: 'old-canary-value', type: 'encrypted' });
    const harness = new Harness();
    const { outcome } = await harness.sync({ APP_TOKEN: 'canary-value-123', APP_NEW: 'canary-value-456' });

    const text = JSON.stringify([harness.lines, outcome]);
    expect(text).not.toContain('canary-value');
  });
});
