import { bench, describe } from 'vitest';
import { NetlifyFake } from '../test/emulator/netlify.ts';
import { loadSettings } from '../src/config/load.ts';
import { diff, type DiffPolicy } from '../src/core/diff.ts';
import { createFingerprinter, type LedgerEntry } from '../src/core/ledger.ts';
import { slotKey, type PlannedChange } from '../src/core/plan.ts';
import { createBudget } from '../src/http/budget.ts';
import { silentLogger } from '../src/logging/logger.ts';
import { netlifyAdapter } from '../src/providers/netlify.ts';
import { planWrites } from '../src/providers/netlify/write-plan.ts';
import type { SiteSnapshot } from '../src/providers/netlify/snapshot.ts';

/**
 * Read + plan + apply of 300 keys × 4 contexts against the in-memory fake (fetch injected, no msw),
 * so the numbers are the adapter's own cost plus the fake's. Request counts are asserted in tests.
 */

const apiUrl = 'https://api.netlify.test/api/v1';
const keyCount = 300;
const settings = loadSettings({
  ENVSYNC_TARGETS: 'netlify',
  ENVSYNC_NETLIFY_SITE_ID: 'site-a',
  ENVSYNC_INCLUDE_PREFIXES: 'APP_',
  ENVSYNC_NETLIFY_CONTEXTS: 'production,deploy-preview,branch-deploy,dev',
  ENVSYNC_NETLIFY_SECRET_PREFIXES: 'APP_SECRET_',
  NETLIFY_API_URL: apiUrl,
});
const fingerprint = createFingerprinter('bench-ledger-secret-0123456789');

function desiredSet(version: string): Map<string, string> {
  return new Map(
    Array.from({ length: keyCount }, (_, index) => [index % 10 === 0 ? `APP_SECRET_${index}` : `APP_KEY_${index}`, `value-${index}-${version}`]),
  );
}

function newFake(): NetlifyFake {
  return new NetlifyFake({ rateLimit: { limit: 1e9, windowMs: 60_000 } }).addSite({ id: 'site-a', accountSlug: 'team-a' });
}

/** One engine-like round over `fake`, updating `ledger`; returns the number of changes done. */
async function syncOnce(fake: NetlifyFake, desired: Map<string, string>, ledger: Map<string, LedgerEntry>): Promise<number> {
  const connection = netlifyAdapter.connect({
    settings,
    provider: settings.providers.netlify,
    token: 'nfp_test_token',
    tokenSource: 'env:NETLIFY_API_TOKEN',
    budget: createBudget(60_000),
    logger: silentLogger,
    redact: (text) => text,
    fetch: (input, init) => fake.handle(new Request(input, init)),
  });
  const policy: DiffPolicy = {
    isManaged: (key) => key.startsWith('APP_'),
    contextsFor: (key) => netlifyAdapter.contextsFor(key, settings.providers.netlify.options),
    isSecret: (key) => netlifyAdapter.isSecret(key, settings.providers.netlify.options),
    allowDeletions: false,
    deleteScope: 'owned',
    allowsEmptyValues: true,
    ledger,
    fingerprint,
  };
  const remote = await connection.read('site-a');
  const plan = diff(desired, remote, policy);
  const outcome = await connection.apply('site-a', plan, desired, remote);
  for (const change of outcome.done) {
    ledger.set(slotKey(change.key, change.context), {
      key: change.key,
      context: change.context,
      fingerprint: fingerprint(change.key, desired.get(change.key) ?? ''),
      writtenAt: new Date().toISOString(),
      ...(change.remoteUpdatedAt === undefined ? {} : { remoteUpdatedAt: change.remoteUpdatedAt }),
    });
  }
  return outcome.done.length;
}

describe(`Netlify sync of ${keyCount} keys × 4 contexts`, () => {
  bench('first sync: one bulk create', async () => {
    await syncOnce(newFake(), desiredSet('a'), new Map());
  });

  const steadyFake = newFake();
  const steadyLedger = new Map<string, LedgerEntry>();
  let seeded: Promise<number> | undefined;
  bench('steady state: read and plan, no write', async () => {
    seeded ??= syncOnce(steadyFake, desiredSet('a'), steadyLedger);
    await seeded;
    await syncOnce(steadyFake, desiredSet('a'), steadyLedger);
  });

  const changingFake = newFake();
  const changingLedger = new Map<string, LedgerEntry>();
  let round = 0;
  bench('every value changed: one PUT per plain key, PATCHes per secret context', async () => {
    round += 1;
    await syncOnce(changingFake, desiredSet(String(round)), changingLedger);
  });
});

describe('planWrites (pure)', () => {
  const snapshot: SiteSnapshot = {
    siteId: 'site-a',
    account: 'team-a',
    variables: new Map(
      Array.from({ length: 1_000 }, (_, index) => [
        `K${index}`,
        {
          key: `K${index}`,
          secret: false,
          scopes: undefined,
          updatedAt: undefined,
          values: ['production', 'deploy-preview', 'branch-deploy', 'dev'].map((context) => ({ id: `${index}-${context}`, context, value: 'old' })),
        },
      ]),
    ),
  };
  const changes: PlannedChange[] = [...snapshot.variables.keys()].flatMap((key) =>
    ['production', 'deploy-preview'].map((context) => ({ op: 'update' as const, key, context, secret: false })),
  );
  const values = new Map([...snapshot.variables.keys()].map((key) => [key, 'new']));

  bench('1,000 keys × 2 changed contexts', () => {
    planWrites(changes, snapshot, values, { managesEveryContext: false, contextsFor: () => ['production', 'deploy-preview'] });
  });
});
