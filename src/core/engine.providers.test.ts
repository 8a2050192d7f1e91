import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { NetlifyFake } from '../../test/emulator/netlify.ts';
import { RenderFake } from '../../test/emulator/render.ts';
import { VercelFake } from '../../test/emulator/vercel.ts';
import { useMswServer } from '../../test/support/msw.ts';
import { testEnv, testSettings } from '../../test/support/settings.ts';
import { createBudget } from '../http/budget.ts';
import { createLogger } from '../logging/logger.ts';
import { providers } from '../providers/index.ts';
import { syncProvider, type EngineDeps } from './engine.ts';
import { InMemoryLedger } from './ledger.ts';

/**
 * The engine with the real adapters against the stateful fakes: whole syncs, several runs in a
 * row, with the ledger carried between runs as Blobs would carry it.
 */
const server = useMswServer();
const renderApi = 'https://render.test/v1';
const netlifyApi = 'https://netlify.test/api/v1';

function deps(env: Record<string, string | undefined>, ledger = new InMemoryLedger(), lines: string[] = []): EngineDeps {
  const all = testEnv({ RENDER_API_URL: renderApi, NETLIFY_API_URL: netlifyApi, ...env });
  return {
    settings: testSettings({ RENDER_API_URL: renderApi, NETLIFY_API_URL: netlifyApi, ...env }),
    env: all,
    ledger,
    logger: createLogger({ write: (line) => lines.push(line), level: 'debug' }),
    budget: createBudget(25_000),
    adapters: providers,
  };
}

describe('engine with the Render adapter', () => {
  it('converges in one run and the second run is all noop with zero writes', async () => {
    const fake = new RenderFake().seed('srv-a', { APP_OLD: 'x', KEEP_ME: 'unmanaged' });
    server.use(http.all('https://render.test/*', ({ request }) => fake.handle(request)));
    const ledger = new InMemoryLedger();
    const env = { APP_A: 'a', APP_B: 'b' };

    const [first] = await syncProvider({ provider: 'render', mode: 'enforce' }, deps(env, ledger));
    const writesAfterFirst = fake.count('write');
    const [second] = await syncProvider({ provider: 'render', mode: 'enforce' }, deps(env, ledger));

    expect(first?.summary).toEqual({ create: 2, update: 0, delete: 0, noop: 0 });
    expect(fake.variables('srv-a')).toEqual({ APP_A: 'a', APP_B: 'b', APP_OLD: 'x', KEEP_ME: 'unmanaged' });
    expect(second?.summary).toEqual({ create: 0, update: 0, delete: 0, noop: 2 });
    expect(fake.count('write')).toBe(writesAfterFirst);
  });
});

describe('engine with the Netlify adapter', () => {
  const netlifyEnv = {
    ENVSYNC_TARGETS: 'netlify',
    ENVSYNC_NETLIFY_SITE_ID: 'site-a',
    ENVSYNC_NETLIFY_SECRET_PREFIXES: 'APP_SECRET_',
  };

  function fake(): NetlifyFake {
    const netlify = new NetlifyFake().addSite({ id: 'site-a', accountSlug: 'team-a' });
    server.use(http.all('https://netlify.test/*', ({ request }) => netlify.handle(request)));
    return netlify;
  }

  it('a secret whose fingerprint matches is a noop on the next run although its value reads masked', async () => {
    const netlify = fake();
    const ledger = new InMemoryLedger();
    const env = { ...netlifyEnv, APP_SECRET_KEY: 's3cret-value', APP_PLAIN: 'p' };

    await syncProvider({ provider: 'netlify', mode: 'enforce' }, deps(env, ledger));
    netlify.clearLog();
    const [second] = await syncProvider({ provider: 'netlify', mode: 'enforce' }, deps(env, ledger));

    expect(second?.summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(netlify.writeCount()).toBe(0);
    expect(netlify.values('site-a', 'APP_SECRET_KEY')).toMatchObject({ production: 's3cret-value' });
  });

  it('a write to one context of a secret does not make its other contexts look like drift', async () => {
    const netlify = fake();
    const ledger = new InMemoryLedger();
    const env = { ...netlifyEnv, ENVSYNC_NETLIFY_CONTEXTS: 'production', APP_SECRET_KEY: 's1' };
    await syncProvider({ provider: 'netlify', mode: 'enforce' }, deps(env, ledger));
    await new Promise((resolve) => setTimeout(resolve, 5));

    const wider = { ...env, ENVSYNC_NETLIFY_CONTEXTS: 'production,deploy-preview' };
    const [added] = await syncProvider({ provider: 'netlify', mode: 'enforce' }, deps(wider, ledger));
    netlify.clearLog();
    const [third] = await syncProvider({ provider: 'netlify', mode: 'enforce' }, deps(wider, ledger));

    expect(added?.changes.filter((change) => change.op !== 'noop')).toEqual([{ op: 'create', key: 'APP_SECRET_KEY', context: 'deploy-preview' }]);
    expect(third?.changes.every((change) => change.op === 'noop')).toBe(true);
    expect(netlify.writeCount()).toBe(0);
  });

  it('a secret edited in the UI after EnvSync wrote it is detected as drift and rewritten', async () => {
    const netlify = fake();
    const ledger = new InMemoryLedger();
    const env = { ...netlifyEnv, ENVSYNC_NETLIFY_CONTEXTS: 'production', APP_SECRET_KEY: 'canonical' };
    await syncProvider({ provider: 'netlify', mode: 'enforce' }, deps(env, ledger));
    await new Promise((resolve) => setTimeout(resolve, 5));
    netlify.editInUi('site-a', 'APP_SECRET_KEY', 'production', 'typed-by-hand');

    const [dry] = await syncProvider({ provider: 'netlify', mode: 'dry-run' }, deps(env, ledger));
    const [fixed] = await syncProvider({ provider: 'netlify', mode: 'enforce' }, deps(env, ledger));

    expect(dry?.pending).toEqual([{ op: 'update', key: 'APP_SECRET_KEY', context: 'production', reason: 'drift' }]);
    expect(fixed?.summary.update).toBe(1);
    expect(netlify.values('site-a', 'APP_SECRET_KEY')).toMatchObject({ production: 'canonical' });
  });

  it('never puts a value in a log line or report across create, drift and failure', async () => {
    const canary = 'CANARY-netlify-9d1f-never-logged';
    const netlify = fake();
    const lines: string[] = [];
    const ledger = new InMemoryLedger();
    const env = { ...netlifyEnv, APP_SECRET_KEY: canary, APP_PLAIN: canary };
    const reports = [
      ...(await syncProvider({ provider: 'netlify', mode: 'enforce' }, deps(env, ledger, lines))),
      ...(await syncProvider({ provider: 'netlify', mode: 'dry-run' }, deps({ ...env, APP_PLAIN: `${canary}-2` }, ledger, lines))),
    ];
    expect(netlify.values('site-a', 'APP_PLAIN')).toBeDefined();
    expect(lines.join('\n')).not.toContain(canary);
    expect(JSON.stringify(reports)).not.toContain(canary);
  });
});

describe('engine with the Vercel adapter', () => {
  const vercelApi = 'https://vercel.test';
  const vercelEnv = {
    ENVSYNC_TARGETS: 'vercel',
    ENVSYNC_VERCEL_PROJECT_ID: 'prj_a,prj_b',
    VERCEL_API_URL: vercelApi,
    VERCEL_API_TOKEN: 'vercel_test_token',
    ENVSYNC_VERCEL_SENSITIVE_PREFIXES: 'APP_SECRET_',
    ENVSYNC_REDEPLOY: 'true',
  };

  function fake(): VercelFake {
    const vercel = new VercelFake().addProject({ id: 'prj_a' }).addProject({ id: 'prj_b' });
    vercel.addDeployment('prj_a');
    vercel.addDeployment('prj_b');
    server.use(http.all(`${vercelApi}/*`, ({ request }) => vercel.handle(request)));
    return vercel;
  }

  it('creates 50 keys with one request per project, and a no-op run is one request per project with no redeploy', async () => {
    const vercel = fake();
    const ledger = new InMemoryLedger();
    const keys = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`APP_KEY_${String(index).padStart(2, '0')}`, `value-${index}`]));
    const env = { ...vercelEnv, ...keys, APP_SECRET_TOKEN: 'sensitive-value' };

    const first = await syncProvider({ provider: 'vercel', mode: 'enforce' }, deps(env, ledger));
    expect(first.map((report) => [report.target, report.summary.create, report.redeploy])).toEqual([
      ['prj_a', 152, 'triggered'],
      ['prj_b', 152, 'triggered'],
    ]);
    expect(vercel.count('POST /v10/projects/{p}/env')).toBe(2);
    expect(first[0]?.warnings?.map((warning) => warning.code)).toEqual(['sensitive-development']);

    vercel.clearLog();
    const second = await syncProvider({ provider: 'vercel', mode: 'enforce' }, deps(env, ledger));
    expect(second.map((report) => [report.summary.create + report.summary.update + report.summary.delete, report.applied, report.redeploy])).toEqual([
      [0, false, 'not-needed'],
      [0, false, 'not-needed'],
    ]);
    expect(vercel.requests.map((request) => `${request.method} ${request.project ?? ''}`)).toEqual(['GET prj_a', 'GET prj_b']);
    expect(vercel.redeploys).toHaveLength(2);
  });

  it('reports integration and branch records as skipped and never writes them', async () => {
    const vercel = fake();
    vercel.seed('prj_a', { key: 'APP_DB', value: 'integration', configurationId: 'icfg_1' });
    const env = { ...vercelEnv, ENVSYNC_VERCEL_PROJECT_ID: 'prj_a', APP_DB: 'mine' };

    const [report] = await syncProvider({ provider: 'vercel', mode: 'enforce' }, deps(env));

    expect(report?.skipped.map((skip) => `${skip.key} ${skip.context ?? ''} ${skip.detail ?? ''}`)).toEqual([
      'APP_DB development integration-managed',
      'APP_DB preview integration-managed',
      'APP_DB production integration-managed',
    ]);
    expect(report?.applied).toBe(false);
    expect(vercel.writeCount()).toBe(0);
  });
});
