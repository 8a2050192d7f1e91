import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { NetlifyFake, type NetlifyFakeOptions } from '../../../test/emulator/netlify.ts';
import { useMswServer } from '../../../test/support/msw.ts';
import { loadSettings } from '../../config/load.ts';
import { diff } from '../../core/diff.ts';
import { createFingerprinter } from '../../core/ledger.ts';
import { createBudget } from '../../http/budget.ts';
import { silentLogger } from '../../logging/logger.ts';
import { netlifyAdapter } from '../netlify.ts';

/**
 * Issue 10, slow path 2: Netlify key writes run as many at once as the token's rate window allows
 * (16 to start with, fewer as `X-RateLimit-Remaining` falls), so a large change set takes a
 * fraction of the sequential time and never meets a 429; each key's own requests stay in order.
 * Asserted through what the fake saw, never through timings.
 */

const origin = 'https://api.netlify.test';
const server = useMswServer();

interface Observed {
  readonly fake: NetlifyFake;
  /** Most requests the fake was answering at once. */
  maxInFlight: number;
  /** Most requests about one key at once (must stay 1). */
  maxPerKey: number;
}

function observedFake(options: NetlifyFakeOptions, holdMs: number): Observed {
  const fake = new NetlifyFake(options).addSite({ id: 'site-a', accountSlug: 'team-a' });
  const observed: Observed = { fake, maxInFlight: 0, maxPerKey: 0 };
  let inFlight = 0;
  const perKey = new Map<string, number>();
  server.use(
    http.all(`${origin}/*`, async ({ request }) => {
      const key = new URL(request.url).pathname.split('/env/')[1]?.split('/')[0];
      inFlight += 1;
      observed.maxInFlight = Math.max(observed.maxInFlight, inFlight);
      if (key !== undefined) {
        perKey.set(key, (perKey.get(key) ?? 0) + 1);
        observed.maxPerKey = Math.max(observed.maxPerKey, perKey.get(key) ?? 0);
      }
      try {
        // Every answer takes a moment, as over a network, so overlapping requests really overlap.
        await new Promise((resolve) => setTimeout(resolve, holdMs));
        return await fake.handle(request);
      } finally {
        inFlight -= 1;
        if (key !== undefined) perKey.set(key, (perKey.get(key) ?? 1) - 1);
      }
    }),
  );
  return observed;
}

async function syncSite(keys: number, contexts: string, seed: (fake: NetlifyFake, key: string) => void, fake: NetlifyFake) {
  const settings = loadSettings({
    ENVSYNC_TARGETS: 'netlify',
    ENVSYNC_NETLIFY_SITE_ID: 'site-a',
    ENVSYNC_INCLUDE_PREFIXES: 'APP_',
    ENVSYNC_NETLIFY_CONTEXTS: contexts,
    NETLIFY_ACCOUNT_ID: 'team-a',
    NETLIFY_API_URL: `${origin}/api/v1`,
  });
  const desired = new Map(Array.from({ length: keys }, (_, index) => [`APP_K${String(index).padStart(3, '0')}`, `new-${index}`]));
  for (const key of desired.keys()) seed(fake, key);
  const connection = netlifyAdapter.connect({
    settings,
    provider: settings.providers.netlify,
    token: 'nfp_test_token',
    tokenSource: 'env:NETLIFY_API_TOKEN',
    budget: createBudget(30_000),
    logger: silentLogger,
    redact: (text) => text,
  });
  const remote = await connection.read('site-a');
  const plan = diff(desired, remote, {
    isManaged: (key) => key.startsWith('APP_'),
    contextsFor: (key) => netlifyAdapter.contextsFor(key, settings.providers.netlify.options),
    isSecret: () => false,
    allowDeletions: false,
    deleteScope: 'owned',
    allowsEmptyValues: true,
    ledger: new Map(),
    fingerprint: createFingerprinter('test-ledger-secret-0123456789'),
  });
  return { outcome: await connection.apply('site-a', plan, desired, remote), desired };
}

describe('Netlify key writes in parallel, sized by the rate window', () => {
  it('starts with 16 keys at once, one request per key at a time', async () => {
    const observed = observedFake({}, 20);

    const { outcome } = await syncSite(40, 'all', (fake, key) => fake.seed('site-a', key, { values: { all: 'old' } }), observed.fake);

    expect(outcome.errors).toEqual([]);
    expect(outcome.done).toHaveLength(40);
    expect(observed.fake.count('PATCH /accounts/{account_id}/env/{key}') + observed.fake.count('PUT /accounts/{account_id}/env/{key}')).toBe(40);
    expect(observed.maxInFlight).toBe(16);
    expect(observed.maxPerKey).toBe(1);
  });

  it("keeps each key's own requests in order: two contexts of one key are never written at once", async () => {
    const observed = observedFake({}, 10);

    const { outcome } = await syncSite(
      20,
      'production,deploy-preview',
      (fake, key) => fake.seed('site-a', key, { values: { production: 'old', 'deploy-preview': 'old', 'branch-deploy': 'theirs' } }),
      observed.fake,
    );

    expect(outcome.errors).toEqual([]);
    expect(observed.fake.count('PATCH /accounts/{account_id}/env/{key}')).toBe(40);
    expect(observed.maxPerKey).toBe(1);
    expect(observed.maxInFlight).toBeGreaterThan(1);
  });

  it('backs off as X-RateLimit-Remaining falls and waits for the reset instead of meeting a 429', async () => {
    // A window of 12 requests a second: 1 list + 30 writes need three windows.
    const observed = observedFake({ rateLimit: { limit: 12, windowMs: 1_000 } }, 5);

    const { outcome, desired } = await syncSite(30, 'all', (fake, key) => fake.seed('site-a', key, { values: { all: 'old' } }), observed.fake);

    expect(outcome.errors).toEqual([]);
    expect(observed.fake.count(undefined, { status: 429 })).toBe(0);
    expect(observed.fake.requests).toHaveLength(31);
    expect(observed.maxInFlight).toBeLessThanOrEqual(12);
    for (const [key, value] of desired) expect(observed.fake.values('site-a', key)).toEqual({ all: value });
  });
});
