import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { NetlifyFake, type MaskedSecretStyle, type NetlifyFakeOptions } from '../../test/emulator/netlify.ts';
import { useMswServer } from '../../test/support/msw.ts';
import { loadSettings } from '../config/load.ts';
import type { Settings } from '../config/settings.ts';
import { diff, type DiffPolicy } from '../core/diff.ts';
import { createFingerprinter, type LedgerEntry } from '../core/ledger.ts';
import { slotKey, type Plan, type RemoteState } from '../core/plan.ts';
import { createRedactor } from '../core/redact.ts';
import { isSyncError, type SyncError } from '../errors.ts';
import { createBudget } from '../http/budget.ts';
import { createLogger } from '../logging/logger.ts';
import { netlifyAdapter } from './netlify.ts';
import type { ApplyOutcome, ProviderConnection } from '../core/adapter.ts';

const origin = 'https://api.netlify.test';
const apiUrl = `${origin}/api/v1`;
const server = useMswServer();
const fingerprint = createFingerprinter('test-ledger-secret-0123456789');

/** A fake with sites `site-a` and `site-b` in team `team-a`, served through msw. */
function fakeNetlify(options: NetlifyFakeOptions = {}): NetlifyFake {
  const fake = new NetlifyFake(options).addSite({ id: 'site-a', accountSlug: 'team-a' }).addSite({ id: 'site-b', accountSlug: 'team-a' });
  server.use(http.all(`${origin}/*`, ({ request }) => fake.handle(request)));
  return fake;
}

function settingsFor(env: Record<string, string> = {}): Settings {
  return loadSettings({
    ENVSYNC_TARGETS: 'netlify',
    ENVSYNC_NETLIFY_SITE_ID: 'site-a',
    ENVSYNC_INCLUDE_PREFIXES: 'APP_',
    NETLIFY_API_URL: apiUrl,
    ...env,
  });
}

/**
 * Drives syncs the way the engine does (connect once, read → diff → apply, ledger from `done`),
 * keeping the ledger between runs and every log line for the canary check.
 */
class Harness {
  readonly settings: Settings;
  readonly ledger = new Map<string, LedgerEntry>();
  readonly lines: string[] = [];
  connection: ProviderConnection;
  #desired: Map<string, string> = new Map();

  constructor(env: Record<string, string> = {}, token = 'nfp_test_token') {
    this.settings = settingsFor(env);
    this.connection = this.connect(token);
  }

  /** A new connection, as a new run gets. */
  connect(token = 'nfp_test_token'): ProviderConnection {
    this.connection = netlifyAdapter.connect({
      settings: this.settings,
      provider: this.settings.providers.netlify,
      token,
      tokenSource: 'env:NETLIFY_API_TOKEN',
      budget: createBudget(30_000),
      logger: createLogger({ write: (line) => this.lines.push(line), level: 'debug' }),
      redact: (text) => createRedactor(this.#desired.values())(text),
    });
    return this.connection;
  }

  plan(desired: Record<string, string>, remote: RemoteState): Plan {
    this.#desired = new Map(Object.entries(desired));
    return diff(this.#desired, remote, this.policy());
  }

  /** One round: read, plan, apply, record. */
  async sync(desired: Record<string, string>, siteId = 'site-a'): Promise<{ plan: Plan; outcome: ApplyOutcome }> {
    const remote = await this.connection.read(siteId);
    const plan = this.plan(desired, remote);
    const outcome = await this.connection.apply(siteId, plan, this.#desired, remote);
    this.record(outcome);
    return { plan, outcome };
  }

  record(outcome: ApplyOutcome): void {
    for (const change of outcome.done) {
      const slot = slotKey(change.key, change.context);
      const value = this.#desired.get(change.key);
      if (change.op === 'delete' || value === undefined) {
        this.ledger.delete(slot);
        continue;
      }
      this.ledger.set(slot, {
        key: change.key,
        context: change.context,
        fingerprint: fingerprint(change.key, value),
        writtenAt: new Date().toISOString(),
        ...(change.remoteUpdatedAt === undefined ? {} : { remoteUpdatedAt: change.remoteUpdatedAt }),
      });
    }
  }

  policy(): DiffPolicy {
    return {
      isManaged: (key) => key.startsWith('APP_'),
      contextsFor: (key) => netlifyAdapter.contextsFor(key, this.settings.providers.netlify.options),
      isSecret: (key) => netlifyAdapter.isSecret(key, this.settings.providers.netlify.options),
      allowDeletions: this.settings.allowDeletions,
      deleteScope: this.settings.deleteScope,
      allowsEmptyValues: netlifyAdapter.capabilities.allowsEmptyValues,
      ledger: this.ledger,
      fingerprint,
    };
  }
}

function ops(plan: Plan): string[] {
  return plan.changes.map((change) => `${change.op} ${change.key} ${change.context}${change.reason === undefined ? '' : ` (${change.reason})`}`);
}

async function caught(promise: Promise<unknown>): Promise<SyncError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isSyncError(error)) throw new Error(`expected a SyncError, got ${String(error)}`);
  return error;
}

const contexts = { ENVSYNC_NETLIFY_CONTEXTS: 'production,deploy-preview' };

/** The API's value objects of a key outside `contexts`, exactly as a GET returns them (JSON text). */
async function unmanagedValueObjects(fake: NetlifyFake, key: string): Promise<string> {
  const response = await fake.handle(
    new Request(`${apiUrl}/accounts/team-a/env/${key}?site_id=site-a`, { headers: { authorization: 'Bearer nfp_test_token' } }),
  );
  const variable = (await response.json()) as { values: { context: string }[] };
  return JSON.stringify(variable.values.filter((value) => value.context !== 'production' && value.context !== 'deploy-preview'));
}

describe('reading a Netlify site', () => {
  it('reads every value per context, naming branch values branch:<name>', async () => {
    const fake = fakeNetlify();
    fake.seed('site-a', 'APP_URL', { values: { production: 'https://p', 'branch:staging': 'https://s' } });
    const remote = await new Harness().connection.read('site-a');

    expect(remote.values.map(({ key, context, value, secret }) => ({ key, context, value, secret }))).toEqual([
      { key: 'APP_URL', context: 'production', value: 'https://p', secret: false },
      { key: 'APP_URL', context: 'branch:staging', value: 'https://s', secret: false },
    ]);
    expect(remote.values[0]?.updatedAt).toBe(fake.variable('site-a', 'APP_URL')?.updatedAt);
    expect(fake.count()).toBe(2);
  });

  it.each<MaskedSecretStyle>(['omitted', 'empty', 'null', 'masked'])('reads a secret as hidden when its masked value comes back %s', async (style) => {
    const fake = fakeNetlify({ maskedSecrets: style });
    fake.seed('site-a', 'APP_KEY', { secret: true, scopes: ['builds'], values: { production: 'real-secret', dev: 'local' } });
    const remote = await new Harness().connection.read('site-a');

    expect(remote.values.map(({ context, value, secret }) => ({ context, value, secret }))).toEqual([
      { context: 'production', value: undefined, secret: true },
      { context: 'dev', value: undefined, secret: true },
    ]);
    expect(remote.values[0]?.updatedAt).toBe(fake.variable('site-a', 'APP_KEY')?.updatedAt);
  });

  it('resolves the account once for two sites', async () => {
    const fake = fakeNetlify();
    const harness = new Harness({ ENVSYNC_NETLIFY_SITE_ID: 'site-a,site-b' });
    await harness.connection.read('site-a');
    await harness.connection.read('site-b');

    expect(fake.count('GET /sites/{site_id}')).toBe(1);
    expect(fake.count('GET /accounts/{account_id}/env')).toBe(2);
  });

  it('takes the account from NETLIFY_ACCOUNT_ID without looking the site up', async () => {
    const fake = fakeNetlify();
    await new Harness({ NETLIFY_ACCOUNT_ID: 'acc-0001' }).connection.read('site-a');

    expect(fake.count('GET /sites/{site_id}')).toBe(0);
    expect(fake.count()).toBe(1);
  });

  it("finds the account of a site in another team with one extra lookup", async () => {
    const fake = fakeNetlify();
    fake.addSite({ id: 'site-c', accountSlug: 'team-c' });
    fake.seed('site-c', 'APP_X', { values: { all: 'x' } });
    const harness = new Harness({ ENVSYNC_NETLIFY_SITE_ID: 'site-a,site-c' });
    await harness.connection.read('site-a');
    const remote = await harness.connection.read('site-c');

    expect(remote.values.map((value) => value.key)).toEqual(['APP_X']);
    expect(fake.count('GET /sites/{site_id}')).toBe(2);
    expect(fake.count('GET /accounts/{account_id}/env', { status: 404 })).toBe(1);
  });

  it('names the token source when Netlify rejects the token', async () => {
    fakeNetlify();
    const error = await caught(new Harness({}, 'nfp_wrong').connection.read('site-a'));

    expect(error.code).toBe('provider-auth');
    expect(error.message).toContain('env:NETLIFY_API_TOKEN');
    expect(error.message).toContain('NETLIFY_API_TOKEN');
  });

  it('reports an unknown site id by name', async () => {
    const fake = fakeNetlify();
    const error = await caught(new Harness().connection.read('site-zzz'));

    expect(error.code).toBe('provider-not-found');
    expect(error.message).toContain('site-zzz');
    expect(error.message).toContain('ENVSYNC_NETLIFY_SITE_ID');
    expect(fake.count()).toBe(1);
  });

  it('reports an unknown site id when the account comes from NETLIFY_ACCOUNT_ID', async () => {
    fakeNetlify();
    const error = await caught(new Harness({ NETLIFY_ACCOUNT_ID: 'team-a' }).connection.read('site-zzz'));

    expect(error.code).toBe('provider-not-found');
    expect(error.message).toContain('NETLIFY_ACCOUNT_ID');
  });

  it('fails on a malformed list response and writes nothing', async () => {
    const fake = fakeNetlify();
    fake.fail({ route: 'GET /accounts/{account_id}/env', status: 200, body: { env: [] } });
    const harness = new Harness();
    const error = await caught(harness.sync({ APP_NEW: 'v' }));

    expect(error.code).toBe('provider-response-invalid');
    expect(error.message).toContain('GET /accounts/team-a/env');
    expect(fake.writeCount()).toBe(0);
  });

  it('follows Link rel="next" pages', async () => {
    const fake = fakeNetlify({ pageSize: 2 });
    for (const key of ['APP_A', 'APP_B', 'APP_C', 'APP_D', 'APP_E']) fake.seed('site-a', key, { values: { all: key } });
    const remote = await new Harness().connection.read('site-a');

    expect(remote.values.map((value) => value.key)).toEqual(['APP_A', 'APP_B', 'APP_C', 'APP_D', 'APP_E']);
    expect(fake.count('GET /accounts/{account_id}/env')).toBe(3);
  });

  it('refuses to follow a next-page link away from NETLIFY_API_URL', async () => {
    const fake = fakeNetlify();
    fake.fail({ route: 'GET /accounts/{account_id}/env', status: 200, body: [], headers: { link: '<https://evil.test/api/v1/accounts/team-a/env?page=2>; rel="next"' } });
    const error = await caught(new Harness().connection.read('site-a'));

    expect(error.code).toBe('provider-response-invalid');
    expect(error.message).toContain('https://evil.test');
    expect(fake.count()).toBe(2);
  });
});

describe('writing a Netlify site', () => {
  it('creates are sent in one request', async () => {
    const fake = fakeNetlify();
    const { plan, outcome } = await new Harness(contexts).sync({ APP_A: 'a', APP_B: 'b', APP_C: 'c', APP_D: 'd' });

    expect(plan.changes.filter((change) => change.op === 'create')).toHaveLength(8);
    expect(outcome.errors).toEqual([]);
    expect(outcome.done).toHaveLength(8);
    expect(fake.count('POST /accounts/{account_id}/env')).toBe(1);
    expect(fake.writeCount()).toBe(1);
    expect(fake.values('site-a', 'APP_C')).toEqual({ production: 'c', 'deploy-preview': 'c' });
  });

  it('a sync with nothing to change sends no write', async () => {
    const fake = fakeNetlify();
    const harness = new Harness({ ...contexts, ENVSYNC_NETLIFY_SECRET_PREFIXES: 'APP_SECRET_' });
    const desired = { APP_A: 'a', APP_SECRET_KEY: 's3cret-value' };
    await harness.sync(desired);
    fake.clearLog();

    harness.connect();
    const { plan, outcome } = await harness.sync(desired);

    expect(plan.changes.every((change) => change.op === 'noop')).toBe(true);
    expect(outcome).toEqual({ done: [], errors: [] });
    expect(fake.writeCount()).toBe(0);
    expect(fake.count()).toBe(2);
  });

  it('values of an unmanaged context are untouched by update and delete', async () => {
    const fake = fakeNetlify();
    fake.seed('site-a', 'APP_URL', { values: { production: 'old', 'deploy-preview': 'preview-only', dev: 'local' } });
    const harness = new Harness({ ENVSYNC_NETLIFY_CONTEXTS: 'production', ENVSYNC_ALLOW_DELETIONS: 'true', ENVSYNC_DELETE_SCOPE: 'managed' });

    const updated = await harness.sync({ APP_URL: 'new' });
    expect(ops(updated.plan)).toEqual(['update APP_URL production (value-differs)']);
    expect(fake.values('site-a', 'APP_URL')).toEqual({ production: 'new', 'deploy-preview': 'preview-only', dev: 'local' });
    expect(fake.count('PATCH /accounts/{account_id}/env/{key}')).toBe(1);

    const deleted = await harness.sync({});
    expect(ops(deleted.plan)).toEqual(['delete APP_URL production']);
    expect(deleted.outcome.errors).toEqual([]);
    expect(fake.values('site-a', 'APP_URL')).toEqual({ 'deploy-preview': 'preview-only', dev: 'local' });
    expect(fake.count('DELETE /accounts/{account_id}/env/{key}/value/{id}')).toBe(1);
    expect(fake.count('DELETE /accounts/{account_id}/env/{key}')).toBe(0);
  });

  it('deletes the whole variable only when nothing else remains', async () => {
    const fake = fakeNetlify();
    fake.seed('site-a', 'APP_OLD', { values: { production: 'p', 'deploy-preview': 'd' } });
    const harness = new Harness({ ...contexts, ENVSYNC_ALLOW_DELETIONS: 'true', ENVSYNC_DELETE_SCOPE: 'managed' });
    const { outcome } = await harness.sync({});

    expect(outcome.done.map((change) => `${change.op} ${change.context}`)).toEqual(['delete deploy-preview', 'delete production']);
    expect(fake.keys('site-a')).toEqual([]);
    expect(fake.writeCount()).toBe(1);
    expect(fake.count('DELETE /accounts/{account_id}/env/{key}')).toBe(1);
  });

  it('updates several managed contexts by PATCH, leaving the unmanaged contexts of the key alone', async () => {
    const fake = fakeNetlify();
    fake.seed('site-a', 'APP_URL', { scopes: ['builds', 'post_processing'], values: { production: 'p0', 'deploy-preview': 'd0', 'branch:staging': 'keep' } });
    const { outcome } = await new Harness(contexts).sync({ APP_URL: 'v1' });

    expect(outcome.errors).toEqual([]);
    expect(fake.count('PATCH /accounts/{account_id}/env/{key}')).toBe(2);
    expect(fake.count('PUT /accounts/{account_id}/env/{key}')).toBe(0);
    expect(fake.variable('site-a', 'APP_URL')).toMatchObject({
      scopes: ['builds', 'post_processing'],
      secret: false,
      values: { production: 'v1', 'deploy-preview': 'v1', 'branch:staging': 'keep' },
    });
  });

  it('keeps every unmanaged value object byte for byte, and an edit made to one after the read survives', async () => {
    const fake = fakeNetlify();
    fake.seed('site-a', 'APP_URL', { values: { production: 'p0', 'deploy-preview': 'd0', 'branch:staging': 'staging-0', 'branch-deploy': 'bd-0' } });
    const harness = new Harness(contexts);
    const remote = await harness.connection.read('site-a');
    const plan = harness.plan({ APP_URL: 'v1' }, remote);
    fake.editInUi('site-a', 'APP_URL', 'branch:staging', 'staging-edited-after-read');
    const unmanagedBefore = await unmanagedValueObjects(fake, 'APP_URL');

    const outcome = await harness.connection.apply('site-a', plan, new Map([['APP_URL', 'v1']]), remote);

    expect(outcome.errors).toEqual([]);
    expect(outcome.done.map((change) => `${change.op} ${change.context}`)).toEqual(['update deploy-preview', 'update production']);
    expect(fake.count('PUT /accounts/{account_id}/env/{key}')).toBe(0);
    expect(await unmanagedValueObjects(fake, 'APP_URL')).toBe(unmanagedBefore);
    expect(unmanagedBefore).toContain('staging-edited-after-read');
    expect(fake.values('site-a', 'APP_URL')).toMatchObject({ production: 'v1', 'deploy-preview': 'v1' });
  });

  it('replaces a variable in one PUT only when every one of its values is managed', async () => {
    const fake = fakeNetlify();
    fake.seed('site-a', 'APP_URL', { values: { production: 'p0', 'deploy-preview': 'd0' } });
    const { outcome } = await new Harness(contexts).sync({ APP_URL: 'v1' });

    expect(outcome.errors).toEqual([]);
    expect(fake.count('PUT /accounts/{account_id}/env/{key}')).toBe(1);
    expect(fake.writeCount()).toBe(1);
    expect(fake.values('site-a', 'APP_URL')).toEqual({ production: 'v1', 'deploy-preview': 'v1' });
  });

  it('patches a secret per context, since a masked value cannot be carried', async () => {
    const fake = fakeNetlify();
    fake.seed('site-a', 'APP_SECRET_KEY', {
      secret: true,
      scopes: ['builds', 'functions'],
      values: { production: 'p0', 'deploy-preview': 'd0', 'branch:hidden': 'unmanaged-secret' },
    });
    const harness = new Harness({ ...contexts, ENVSYNC_NETLIFY_SECRET_KEYS: 'APP_SECRET_KEY' });
    const { plan, outcome } = await harness.sync({ APP_SECRET_KEY: 'new-secret' });

    expect(ops(plan)).toEqual(['update APP_SECRET_KEY deploy-preview (unverifiable)', 'update APP_SECRET_KEY production (unverifiable)']);
    expect(outcome.errors).toEqual([]);
    expect(fake.count('PATCH /accounts/{account_id}/env/{key}')).toBe(2);
    expect(fake.count('PUT /accounts/{account_id}/env/{key}')).toBe(0);
    expect(fake.values('site-a', 'APP_SECRET_KEY')).toEqual({ production: 'new-secret', 'deploy-preview': 'new-secret', 'branch:hidden': 'unmanaged-secret' });
  });

  it('records the write response updated_at for every context the write changed', async () => {
    const fake = fakeNetlify();
    fake.seed('site-a', 'APP_SECRET_KEY', { secret: true, scopes: ['builds'], values: { production: 'p0', 'deploy-preview': 'd0', dev: '' } });
    const harness = new Harness({ ...contexts, ENVSYNC_NETLIFY_SECRET_KEYS: 'APP_SECRET_KEY' });
    const { outcome } = await harness.sync({ APP_SECRET_KEY: 'v' });

    const updatedAt = fake.variable('site-a', 'APP_SECRET_KEY')?.updatedAt;
    expect(outcome.done.map((change) => change.remoteUpdatedAt)).toEqual([updatedAt, updatedAt]);
  });

  it('keeps going after a lost bulk-create response without repeating it, and the re-read converges', async () => {
    const fake = fakeNetlify();
    fake.fail({ route: 'POST /accounts/{account_id}/env', status: 502, afterApply: true });
    const harness = new Harness(contexts);
    const first = await harness.sync({ APP_A: 'a', APP_B: 'b' });

    expect(first.outcome.done).toEqual([]);
    expect(first.outcome.errors.map((error) => [error.key, error.code, error.retryable])).toEqual([
      ['APP_A', 'outcome-unknown', true],
      ['APP_B', 'outcome-unknown', true],
    ]);
    expect(fake.count('POST /accounts/{account_id}/env')).toBe(1);

    const second = await harness.sync({ APP_A: 'a', APP_B: 'b' });
    expect(second.plan.changes.every((change) => change.op === 'noop')).toBe(true);
    expect(fake.writeCount()).toBe(1);
  });

  it('isolates a key created meanwhile in the UI and still creates the others', async () => {
    const fake = fakeNetlify();
    const harness = new Harness({ ENVSYNC_NETLIFY_CONTEXTS: 'production' });
    const desired = { APP_A: 'a', APP_B: 'b', APP_C: 'c', APP_D: 'd' };
    const remote = await harness.connection.read('site-a');
    const plan = harness.plan(desired, remote);
    fake.editInUi('site-a', 'APP_C', 'production', 'typed-in-ui');
    const outcome = await harness.connection.apply('site-a', plan, new Map(Object.entries(desired)), remote);

    expect(outcome.done.map((change) => change.key)).toEqual(['APP_A', 'APP_B', 'APP_D']);
    expect(outcome.errors.map((error) => [error.key, error.code, error.retryable])).toEqual([['APP_C', 'conflict', true]]);
    // One batch of 4, its halves, and the halves of the rejected half.
    expect(fake.count('POST /accounts/{account_id}/env')).toBe(5);
  });

  it('spends a handful of requests, not one per key, when every create is rejected', async () => {
    const fake = fakeNetlify();
    fake.fail({ route: 'POST /accounts/{account_id}/env', status: 422, times: 100, body: { code: 422, message: 'Plan does not allow this' } });
    const desired = Object.fromEntries(Array.from({ length: 16 }, (_, index) => [`APP_K${index}`, `v${index}`]));
    const { outcome } = await new Harness({ ENVSYNC_NETLIFY_CONTEXTS: 'production' }).sync(desired);

    expect(outcome.done).toEqual([]);
    expect(new Set(outcome.errors.map((error) => error.key)).size).toBe(16);
    expect(outcome.errors.every((error) => error.code === 'provider-rejected' && !error.retryable)).toBe(true);
    expect(fake.count('POST /accounts/{account_id}/env')).toBe(9);
  });

  it('rejects a write after four 429s instead of reporting success', async () => {
    const fake = fakeNetlify();
    fake.seed('site-a', 'APP_URL', { values: { production: 'old' } });
    fake.fail({ route: 'PATCH /accounts/{account_id}/env/{key}', status: 429, times: 4 });
    const { outcome } = await new Harness({ ENVSYNC_NETLIFY_CONTEXTS: 'production' }).sync({ APP_URL: 'new' });

    expect(outcome.done).toEqual([]);
    expect(outcome.errors.map((error) => [error.key, error.code, error.retryable])).toEqual([['APP_URL', 'provider-rate-limited', true]]);
    expect(fake.count('PATCH /accounts/{account_id}/env/{key}')).toBe(4);
    expect(fake.values('site-a', 'APP_URL')).toEqual({ production: 'old' });
  });

  it('sends nothing more once the rate limit is used up, leaving the rest for the next run', async () => {
    const fake = fakeNetlify({ rateLimit: { limit: 2, windowMs: 3_600_000 } });
    fake.seed('site-a', 'APP_A', { values: { production: 'old' } });
    fake.seed('site-a', 'APP_B', { values: { production: 'old' } });
    const { outcome } = await new Harness({ ENVSYNC_NETLIFY_CONTEXTS: 'production' }).sync({ APP_A: 'a', APP_B: 'b', APP_C: 'c' });

    expect(outcome.done).toEqual([]);
    expect(outcome.errors.map((error) => [error.key, error.code, error.retryable])).toEqual([
      ['APP_A', 'provider-rate-limited', true],
      ['APP_B', 'provider-rate-limited', true],
      ['APP_C', 'provider-rate-limited', true],
    ]);
    expect(fake.count()).toBe(2);
  });

  it('waits for the rate-limit reset when it fits the budget, instead of spending a request on a 429', async () => {
    const fake = fakeNetlify({ rateLimit: { limit: 3, windowMs: 1_000 } });
    fake.seed('site-a', 'APP_SECRET_KEY', { secret: true, scopes: ['builds'], values: { 'branch:keep': 'x' } });
    const harness = new Harness({ ENVSYNC_NETLIFY_SECRET_KEYS: 'APP_SECRET_KEY' });
    const { outcome } = await harness.sync({ APP_SECRET_KEY: 'v' });

    expect(outcome.errors).toEqual([]);
    expect(outcome.done).toHaveLength(4);
    expect(fake.count('PATCH /accounts/{account_id}/env/{key}')).toBe(4);
    expect(fake.count(undefined, { status: 429 })).toBe(0);
  });

  it('stops writing once the token is rejected mid-run', async () => {
    const fake = fakeNetlify();
    fake.seed('site-a', 'APP_OLD', { values: { production: 'old' } });
    fake.fail({ route: 'POST /accounts/{account_id}/env', status: 401, body: { code: 401, message: 'Access Denied' } });
    const { outcome } = await new Harness({ ENVSYNC_NETLIFY_CONTEXTS: 'production' }).sync({ APP_NEW: 'n', APP_OLD: 'changed' });

    expect(outcome.done).toEqual([]);
    expect(outcome.errors.map((error) => [error.key, error.code])).toEqual([
      ['APP_NEW', 'provider-auth'],
      ['APP_OLD', 'provider-auth'],
    ]);
    expect(outcome.errors[0]?.message).toContain('env:NETLIFY_API_TOKEN');
    expect(fake.writeCount()).toBe(1);
  });

  it('reports a variable deleted in the UI after the read as retryable, and recreates it on the re-read', async () => {
    const fake = fakeNetlify();
    fake.seed('site-a', 'APP_URL', { values: { production: 'old' } });
    const harness = new Harness({ ENVSYNC_NETLIFY_CONTEXTS: 'production' });
    const remote = await harness.connection.read('site-a');
    const plan = harness.plan({ APP_URL: 'new' }, remote);
    fake.deleteInUi('site-a', 'APP_URL');
    const outcome = await harness.connection.apply('site-a', plan, new Map([['APP_URL', 'new']]), remote);

    expect(outcome.errors.map((error) => [error.key, error.code, error.retryable])).toEqual([['APP_URL', 'conflict', true]]);
    await harness.sync({ APP_URL: 'new' });
    expect(fake.values('site-a', 'APP_URL')).toEqual({ production: 'new' });
  });

  it('reads the site itself before applying a plan made from a state it did not read', async () => {
    const fake = fakeNetlify();
    fake.seed('site-a', 'APP_URL', { values: { production: 'old' } });
    const harness = new Harness({ ENVSYNC_NETLIFY_CONTEXTS: 'production' });
    const remote = await harness.connection.read('site-a');
    const plan = harness.plan({ APP_URL: 'new' }, remote);
    fake.clearLog();
    const outcome = await harness.connect().apply('site-a', plan, new Map([['APP_URL', 'new']]), { values: [...remote.values] });

    expect(outcome.errors).toEqual([]);
    expect(fake.requests.map((request) => request.route)).toEqual([
      'GET /sites/{site_id}',
      'GET /accounts/{account_id}/env',
      'PATCH /accounts/{account_id}/env/{key}',
    ]);
  });

  it('never lets a value reach an error or a log line', async () => {
    const canary = 'CANARY-7d1e5b0a-value';
    const fake = fakeNetlify();
    fake.seed('site-a', 'APP_PUT', { values: { production: 'old', 'deploy-preview': 'old' } });
    fake.seed('site-a', 'APP_PATCH', { secret: true, scopes: ['builds'], values: { production: 'old', 'branch:x': 'keep' } });
    const echo = { status: 422, body: { code: 422, message: `value ${canary} is not allowed` } };
    fake.fail({ route: 'POST /accounts/{account_id}/env', ...echo });
    fake.fail({ route: 'PUT /accounts/{account_id}/env/{key}', ...echo });
    fake.fail({ route: 'PATCH /accounts/{account_id}/env/{key}', ...echo });
    const harness = new Harness({ ...contexts, ENVSYNC_NETLIFY_SECRET_KEYS: 'APP_PATCH' });
    const { outcome } = await harness.sync({ APP_NEW: canary, APP_PUT: canary, APP_PATCH: canary });

    expect(outcome.errors).toHaveLength(3);
    const text = JSON.stringify([outcome.errors.map((error) => error.message), harness.lines]);
    expect(text).toContain('may quote a value');
    expect(text).not.toContain(canary);
  });
});

describe('Netlify secrets', () => {
  const secrets = { ENVSYNC_NETLIFY_SECRET_PREFIXES: 'APP_SECRET_' };

  it('writes a secret with is_secret, explicit contexts and no post-processing scope', async () => {
    const fake = fakeNetlify();
    await new Harness(secrets).sync({ APP_SECRET_TOKEN: 'tok', APP_PLAIN: 'plain' });

    expect(fake.variable('site-a', 'APP_SECRET_TOKEN')).toMatchObject({
      secret: true,
      scopes: ['builds', 'functions', 'runtime'],
      values: { production: 'tok', 'deploy-preview': 'tok', 'branch-deploy': 'tok', 'dev-server': 'tok' },
    });
    expect(fake.variable('site-a', 'APP_PLAIN')).toMatchObject({ secret: false, values: { all: 'plain' } });
    expect(fake.writeCount()).toBe(1);
  });

  it('a secret whose fingerprint matches is a noop even though its value reads masked', async () => {
    const fake = fakeNetlify({ maskedSecrets: 'masked' });
    const harness = new Harness(secrets);
    await harness.sync({ APP_SECRET_TOKEN: 'tok' });
    fake.clearLog();

    const { plan } = await harness.sync({ APP_SECRET_TOKEN: 'tok' });

    expect(ops(plan)).toEqual([
      'noop APP_SECRET_TOKEN branch-deploy',
      'noop APP_SECRET_TOKEN deploy-preview',
      'noop APP_SECRET_TOKEN dev-server',
      'noop APP_SECRET_TOKEN production',
    ]);
    expect(fake.writeCount()).toBe(0);
  });

  it('a secret edited in the UI after EnvSync wrote it is detected as drift and restored', async () => {
    const fake = fakeNetlify();
    const harness = new Harness(secrets);
    await harness.sync({ APP_SECRET_TOKEN: 'tok' });
    fake.editInUi('site-a', 'APP_SECRET_TOKEN', 'production', 'typed-in-ui');
    fake.clearLog();

    const { plan, outcome } = await harness.sync({ APP_SECRET_TOKEN: 'tok' });

    expect(plan.changes.every((change) => change.op === 'update' && change.reason === 'drift')).toBe(true);
    expect(outcome.errors).toEqual([]);
    expect(fake.values('site-a', 'APP_SECRET_TOKEN')?.['production']).toBe('tok');
    // Every value of the variable is managed, so one PUT replaces all four.
    expect(fake.count('PUT /accounts/{account_id}/env/{key}')).toBe(1);
    expect(fake.writeCount()).toBe(1);

    const after = await harness.sync({ APP_SECRET_TOKEN: 'tok' });
    expect(after.plan.changes.every((change) => change.op === 'noop')).toBe(true);
  });

  it('a changed canonical value of a secret is written even though the remote value cannot be read', async () => {
    const fake = fakeNetlify();
    const harness = new Harness(secrets);
    await harness.sync({ APP_SECRET_TOKEN: 'tok' });
    const { plan } = await harness.sync({ APP_SECRET_TOKEN: 'tok-2' });

    expect(plan.changes.every((change) => change.reason === 'value-differs')).toBe(true);
    expect(fake.values('site-a', 'APP_SECRET_TOKEN')?.['dev-server']).toBe('tok-2');
  });

  it.each(['post_processing', 'post-processing'])('turns a plain all-contexts variable into a secret in one PUT (scope spelled %s)', async (spelling) => {
    const fake = fakeNetlify();
    fake.seed('site-a', 'APP_SECRET_TOKEN', { scopes: ['builds', 'functions', 'runtime', spelling], values: { all: 'old', dev: 'local' } });
    const harness = new Harness(secrets);
    const { plan, outcome } = await harness.sync({ APP_SECRET_TOKEN: 'tok' });

    expect(plan.changes.map((change) => change.op)).toEqual(['create', 'create', 'create', 'create']);
    expect(outcome.errors).toEqual([]);
    expect(fake.variable('site-a', 'APP_SECRET_TOKEN')).toMatchObject({
      secret: true,
      scopes: ['builds', 'functions', 'runtime'],
      values: { dev: 'local', production: 'tok', 'deploy-preview': 'tok', 'branch-deploy': 'tok', 'dev-server': 'tok' },
    });
    expect(fake.count('PUT /accounts/{account_id}/env/{key}')).toBe(1);
    expect(fake.writeCount()).toBe(1);
  });

  it('refuses to turn a variable into a secret when that would rewrite its unmanaged all value', async () => {
    const fake = fakeNetlify();
    fake.seed('site-a', 'APP_SECRET_TOKEN', { values: { all: 'old' } });
    const { outcome } = await new Harness({ ...secrets, ENVSYNC_NETLIFY_CONTEXTS: 'production' }).sync({ APP_SECRET_TOKEN: 'tok' });

    expect(outcome.errors.map((error) => [error.key, error.code])).toEqual([['APP_SECRET_TOKEN', 'conflict']]);
    expect(outcome.errors[0]?.message).toContain('ENVSYNC_NETLIFY_SECRET_KEYS');
    expect(fake.writeCount()).toBe(0);
    expect(fake.values('site-a', 'APP_SECRET_TOKEN')).toEqual({ all: 'old' });
  });

  it('refuses to write an all value into a variable made secret in the UI, naming the setting to change', async () => {
    const fake = fakeNetlify();
    fake.seed('site-a', 'APP_TOKEN', { secret: true, scopes: ['builds'], values: { production: 'x' } });
    const { outcome } = await new Harness().sync({ APP_TOKEN: 'tok' });

    expect(outcome.errors.map((error) => [error.key, error.code])).toEqual([['APP_TOKEN', 'conflict']]);
    expect(outcome.errors[0]?.message).toContain('ENVSYNC_NETLIFY_SECRET_KEYS');
    expect(fake.writeCount()).toBe(0);
  });
});

describe('rebuilding a Netlify site', () => {
  it('starts one API build per site, however often it is asked', async () => {
    const fake = fakeNetlify();
    const { connection } = new Harness({ ENVSYNC_REDEPLOY: 'true' });

    expect(await connection.redeploy('site-a')).toEqual({ status: 'triggered' });
    expect(await connection.redeploy('site-a')).toEqual({ status: 'triggered' });
    expect(fake.builds).toEqual([{ siteId: 'site-a', via: 'api' }]);
    expect(fake.count('POST /sites/{site_id}/builds')).toBe(1);
  });

  it('calls the build hook, without the token, when it belongs to the only site', async () => {
    const fake = fakeNetlify();
    const hookId = fake.addBuildHook('site-a');
    const authorizations: (string | null)[] = [];
    server.use(
      http.post(`${origin}/build_hooks/:id`, ({ request }) => {
        authorizations.push(request.headers.get('authorization'));
        return fake.handle(request);
      }),
    );
    const { connection } = new Harness({ ENVSYNC_NETLIFY_BUILD_HOOK: `${origin}/build_hooks/${hookId}` });

    expect(await connection.redeploy('site-a')).toEqual({ status: 'triggered' });
    expect(fake.builds).toEqual([{ siteId: 'site-a', via: 'hook' }]);
    expect(authorizations).toEqual([null]);
    expect(fake.count('POST /sites/{site_id}/builds')).toBe(0);
  });

  it('uses API builds when several sites share one configured build hook', async () => {
    const fake = fakeNetlify();
    const hookId = fake.addBuildHook('site-a');
    const { connection } = new Harness({ ENVSYNC_NETLIFY_SITE_ID: 'site-a,site-b', ENVSYNC_NETLIFY_BUILD_HOOK: `${origin}/build_hooks/${hookId}` });
    await connection.redeploy('site-a');
    await connection.redeploy('site-b');

    expect(fake.builds).toEqual([
      { siteId: 'site-a', via: 'api' },
      { siteId: 'site-b', via: 'api' },
    ]);
  });

  it('reports a failed build without throwing, saying how to apply the values by hand', async () => {
    const fake = fakeNetlify();
    fake.fail({ route: 'POST /sites/{site_id}/builds', status: 500 });
    const outcome = await new Harness().connection.redeploy('site-a');

    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toContain('Trigger deploy');
    expect(fake.builds).toEqual([]);
  });
});
