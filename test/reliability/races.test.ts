import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { syncProvider, type EngineDeps } from '../../src/core/engine.ts';
import { InMemoryLedger } from '../../src/core/ledger.ts';
import { createBudget } from '../../src/http/budget.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { providers } from '../../src/providers/index.ts';
import { NetlifyFake } from '../emulator/netlify.ts';
import { RenderFake } from '../emulator/render.ts';
import { useMswServer } from '../support/msw.ts';
import { testEnv, testSettings } from '../support/settings.ts';

/**
 * Races with a person (or another tool) editing the target while a sync runs, through the engine,
 * the real adapters and the stateful fakes: what is added between EnvSync's read and its write
 * must survive. Two applies at once and a crashed lock holder are covered in
 * test/e2e/sync.test.ts ("lets one proceed and answers the other 409") and
 * src/storage/locks.test.ts ("lets another holder take over a lease once it has expired").
 */
const server = useMswServer();
const renderApi = 'https://render.test/v1';
const netlifyApi = 'https://netlify.test/api/v1';

function deps(env: Record<string, string>): EngineDeps {
  const all = { RENDER_API_URL: renderApi, NETLIFY_API_URL: netlifyApi, ...env };
  return {
    settings: testSettings(all),
    env: testEnv(all),
    ledger: new InMemoryLedger(),
    logger: createLogger({ write: () => undefined, level: 'error' }),
    budget: createBudget(25_000),
    adapters: providers,
  };
}

const numbered = (prefix: string, count: number, value: string) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`${prefix}${index}`, `${value}-${index}`]));

describe('a variable added while a sync runs', () => {
  it('survives a Render per-key sync that read before it was added', async () => {
    const fake = new RenderFake().seed('srv-a', { OTHER_KEEP: 'k' });
    fake.after('env-vars.list', (self) => self.seed('srv-a', { OTHER_ADDED_MEANWHILE: 'added' }));
    server.use(http.all('https://render.test/*', ({ request }) => fake.handle(request)));

    const [report] = await syncProvider({ provider: 'render', mode: 'enforce' }, deps({ APP_A: 'a', APP_B: 'b' }));

    expect(report?.errors).toEqual([]);
    expect(fake.count('env-vars.replace')).toBe(0);
    expect(fake.variables('srv-a')).toEqual({ OTHER_KEEP: 'k', OTHER_ADDED_MEANWHILE: 'added', APP_A: 'a', APP_B: 'b' });
  });

  it('survives a Render replace-all, whose body comes from a fresh read right before the write', async () => {
    const fake = new RenderFake({ writesPerMinute: false }).seed('srv-a', { OTHER_KEEP: 'k' });
    fake.after('env-vars.list', (self) => self.seed('srv-a', { OTHER_ADDED_MEANWHILE: 'added' }));
    server.use(http.all('https://render.test/*', ({ request }) => fake.handle(request)));
    const canonical = numbered('APP_', 40, 'v');

    const [report] = await syncProvider({ provider: 'render', mode: 'enforce' }, deps(canonical));

    expect(fake.count('env-vars.replace')).toBe(1);
    expect(report?.errors).toEqual([]);
    expect(fake.variables('srv-a')).toEqual({ OTHER_KEEP: 'k', OTHER_ADDED_MEANWHILE: 'added', ...canonical });
  });

  it('survives a Netlify sync, and a managed key created meanwhile in the UI is not overwritten blindly', async () => {
    const fake = new NetlifyFake().addSite({ id: 'site-a', accountSlug: 'team-a' });
    let added = false;
    server.use(
      http.all('https://netlify.test/*', async ({ request }) => {
        const response = await fake.handle(request);
        if (!added && request.method === 'GET' && new URL(request.url).pathname.endsWith('/env')) {
          added = true;
          fake.seed('site-a', 'OTHER_ADDED_MEANWHILE', { values: { all: 'added' } });
          fake.seed('site-a', 'APP_B', { values: { all: 'typed-by-hand' } });
        }
        return response;
      }),
    );

    const [report] = await syncProvider(
      { provider: 'netlify', mode: 'enforce' },
      deps({ ENVSYNC_TARGETS: 'netlify', ENVSYNC_NETLIFY_SITE_ID: 'site-a', APP_A: 'a', APP_B: 'b' }),
    );

    expect(fake.values('site-a', 'OTHER_ADDED_MEANWHILE')).toEqual({ all: 'added' });
    expect(fake.values('site-a', 'APP_A')).toEqual({ all: 'a' });
    // The bulk create of APP_B meets the key a person created: it is reported, never lost silently,
    // and the re-read round makes it equal to the canonical set.
    expect(fake.values('site-a', 'APP_B')).toEqual({ all: 'b' });
    expect(report?.rounds).toBeGreaterThanOrEqual(2);
  });
});
