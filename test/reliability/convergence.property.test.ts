import fc from 'fast-check';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { syncProvider, type EngineDeps } from '../../src/core/engine.ts';
import { createFingerprinter, InMemoryLedger } from '../../src/core/ledger.ts';
import type { SyncReport } from '../../src/core/report.ts';
import { createBudget } from '../../src/http/budget.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { providers } from '../../src/providers/index.ts';
import { NetlifyFake, type FakeVariableView } from '../emulator/netlify.ts';
import { RenderFake } from '../emulator/render.ts';
import { useMswServer } from '../support/msw.ts';
import { testEnv, testSettings } from '../support/settings.ts';
import { faultKinds, withFaults, type Fault } from './faults.ts';

/**
 * The whole engine, with the real adapters, against the stateful fakes behind a seeded fault
 * schedule: random canonical sets, random target states (managed and unmanaged keys, Netlify
 * contexts with `branch:` values and secrets, Render services with many pages) and random faults
 * (429 with each provider's headers, 500, 503, connection resets, writes that land but whose
 * answer is lost). Each case:
 *
 * 1. seeds the target and runs one clean sync of a *previous* canonical set, so EnvSync owns what
 *    it wrote (the ledger carries over as Blobs would carry it);
 * 2. lets a person edit some of those keys by hand;
 * 3. runs the new canonical set three times under the faults;
 *
 * then checks the properties of issue 8: convergence, unmanaged data byte for byte, the deletion
 * rules, and reports and ledger that tell the truth. Fixed seed and bounded cases, so CI runs the
 * same cases every time; a failure prints the seed and the shrunk counterexample.
 */
const server = useMswServer();
const seed = 20_261_201;
const ledgerSecret = 'property-ledger-secret-0123456789';
const fingerprint = createFingerprinter(ledgerSecret);
const renderApi = 'https://render.test/v1';
const netlifyApi = 'https://netlify.test/api/v1';

const value = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._~:/=+-]{0,14}[A-Za-z0-9]$/);
const managedKey = fc.integer({ min: 0, max: 7 }).map((index) => `APP_K${index}`);
const canonicalSet = fc.dictionary(managedKey, value, { minKeys: 1, maxKeys: 6 });
const fault: fc.Arbitrary<Fault> = fc.record({
  kind: fc.constantFrom(...faultKinds),
  on: fc.constantFrom('read' as const, 'write' as const, 'any' as const),
  skip: fc.integer({ min: 0, max: 6 }),
});
const faults = fc.array(fault, { maxLength: 3 });

function deps(env: Record<string, string>, ledger: InMemoryLedger): EngineDeps {
  const all = testEnv({ RENDER_API_URL: renderApi, NETLIFY_API_URL: netlifyApi, ENVSYNC_LEDGER_SECRET: ledgerSecret, ...env });
  return {
    settings: testSettings({ RENDER_API_URL: renderApi, NETLIFY_API_URL: netlifyApi, ENVSYNC_LEDGER_SECRET: ledgerSecret, ...env }),
    env: all,
    ledger,
    logger: createLogger({ write: () => undefined, level: 'error' }),
    budget: createBudget(25_000),
    adapters: providers,
  };
}

/** The keys a run reports as done (enforce), by op. */
function doneKeys(report: SyncReport | undefined, op: 'create' | 'update' | 'delete'): string[] {
  return (report?.changes ?? []).filter((change) => change.op === op).map((change) => change.key);
}

describe('Render under faults (property)', () => {
  const scenario = fc.record({
    previous: canonicalSet,
    next: canonicalSet,
    handEdited: fc.uniqueArray(managedKey, { maxLength: 3 }),
    strays: fc.dictionary(fc.integer({ min: 0, max: 3 }).map((index) => `APP_STRAY${index}`), value, { maxKeys: 2 }),
    unmanaged: fc.dictionary(fc.integer({ min: 0, max: 9 }).map((index) => `OTHER_${index}`), value, { maxKeys: 4 }),
    filler: fc.constantFrom(0, 0, 130),
    allowDeletions: fc.boolean(),
    maxDeletions: fc.integer({ min: 1, max: 4 }),
    faults,
  });

  it('converges in at most 3 runs, keeps unmanaged keys byte for byte, and deletes only what it owns and may', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (input) => {
        const fake = new RenderFake({ writesPerMinute: false, readsPerMinute: false });
        const unmanaged: Record<string, string> = { ...input.unmanaged };
        for (let index = 0; index < input.filler; index += 1) unmanaged[`FILLER_${String(index).padStart(3, '0')}`] = `f${index}`;
        fake.seed('srv-a', { ...unmanaged, ...input.strays });
        let handle = (request: Request) => fake.handle(request);
        server.use(http.all('https://render.test/*', ({ request }) => handle(request)));

        const ledger = new InMemoryLedger();
        const base = { ENVSYNC_ALLOW_DELETIONS: String(input.allowDeletions), ENVSYNC_MAX_DELETIONS: String(input.maxDeletions) };
        await syncProvider({ provider: 'render', mode: 'enforce' }, deps({ ...base, ...input.previous }, ledger));
        const edited = input.handEdited.filter((key) => key in input.previous);
        for (const key of edited) fake.seed('srv-a', { [key]: `hand-${key}` });
        const before = fake.variables('srv-a');

        const faulty = withFaults((request) => fake.handle(request), input.faults, 'render');
        handle = faulty.handle;
        const reports: (SyncReport | undefined)[] = [];
        for (let run = 0; run < 3; run += 1) {
          const [report] = await syncProvider({ provider: 'render', mode: 'enforce' }, deps({ ...base, ...input.next }, ledger));
          reports.push(report);
          const now = fake.variables('srv-a');
          // Reports tell the truth: what a run says it wrote or deleted is what the target holds.
          for (const key of [...doneKeys(report, 'create'), ...doneKeys(report, 'update')]) expect(now[key]).toBe(input.next[key]);
          for (const key of doneKeys(report, 'delete')) expect(now[key]).toBeUndefined();
          expect(new Set(doneKeys(report, 'delete')).size).toBeLessThanOrEqual(input.maxDeletions);
        }
        const after = fake.variables('srv-a');

        // Unmanaged keys: byte for byte what they were.
        for (const [key, original] of Object.entries(unmanaged)) expect(after[key]).toBe(original);
        const stale = Object.keys(before).filter((key) => key.startsWith('APP_') && !(key in input.next));
        const ownedStale = stale.filter((key) => key in input.previous && !edited.includes(key));
        if (input.allowDeletions && ownedStale.length > input.maxDeletions) {
          // Too many deletions: the plan is refused whole and the target stays as it was.
          expect(reports.some((report) => report?.refusal !== undefined)).toBe(true);
          expect(reports.flatMap((report) => doneKeys(report, 'delete'))).toEqual([]);
          expect(after).toEqual(before);
          return;
        }
        // Convergence: every canonical key holds its canonical value.
        for (const [key, canonical] of Object.entries(input.next)) expect(after[key]).toBe(canonical);
        // Deletions: never a key EnvSync does not own, never one changed since it wrote it, never with deletions off.
        for (const key of stale) {
          const owned = ownedStale.includes(key);
          if (!input.allowDeletions || !owned) expect(after[key], `${key} must survive`).toBe(before[key]);
          else expect(after[key], `${key} is owned and stale`).toBeUndefined();
        }
        // The ledger matches what landed: every entry's fingerprint is the target's current value.
        for (const entry of await ledger.load({ provider: 'render', id: 'srv-a' })) {
          const current = after[entry.key];
          expect(current, `ledger entry ${entry.key} names a key the target no longer has`).toBeDefined();
          if (current !== undefined && !edited.includes(entry.key)) expect(entry.fingerprint, `ledger fingerprint of ${entry.key}`).toBe(fingerprint(entry.key, current));
        }
      }),
      { seed, numRuns: 25, endOnFailure: true },
    );
  }, 240_000);
});

describe('Netlify under faults (property)', () => {
  const managedContexts = ['production', 'deploy-preview'] as const;
  const unmanagedContext = fc.constantFrom('branch-deploy', 'branch:staging');
  const scenario = fc.record({
    previous: canonicalSet,
    next: canonicalSet,
    secretKeys: fc.uniqueArray(managedKey, { maxLength: 3 }),
    handEdited: fc.uniqueArray(managedKey, { maxLength: 2 }),
    foreignContexts: fc.dictionary(managedKey, fc.tuple(unmanagedContext, value), { maxKeys: 3 }),
    unmanaged: fc.dictionary(fc.integer({ min: 0, max: 5 }).map((index) => `OTHER_${index}`), fc.tuple(unmanagedContext, value), { maxKeys: 3 }),
    allowDeletions: fc.boolean(),
    maxDeletions: fc.integer({ min: 1, max: 4 }),
    faults,
  });

  it('converges in at most 3 runs and never touches an unmanaged key or context', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (input) => {
        const fake = new NetlifyFake({ rateLimit: { limit: 100_000, windowMs: 60_000 } }).addSite({ id: 'site-a', accountSlug: 'team-a' });
        for (const [key, [context, text]] of Object.entries(input.unmanaged)) fake.seed('site-a', key, { values: { [context]: text } });
        let handle = (request: Request) => fake.handle(request);
        server.use(http.all('https://netlify.test/*', ({ request }) => handle(request)));

        const ledger = new InMemoryLedger();
        const secretKeys = input.secretKeys.join(',');
        const base = {
          ENVSYNC_TARGETS: 'netlify',
          ENVSYNC_NETLIFY_SITE_ID: 'site-a',
          ENVSYNC_NETLIFY_CONTEXTS: managedContexts.join(','),
          ...(secretKeys === '' ? {} : { ENVSYNC_NETLIFY_SECRET_KEYS: secretKeys }),
          ENVSYNC_ALLOW_DELETIONS: String(input.allowDeletions),
          ENVSYNC_MAX_DELETIONS: String(input.maxDeletions),
        };
        await syncProvider({ provider: 'netlify', mode: 'enforce' }, deps({ ...base, ...input.previous }, ledger));
        // Someone adds a value in a context EnvSync does not manage, and edits some keys by hand.
        for (const [key, [context, text]] of Object.entries(input.foreignContexts)) {
          if (fake.variable('site-a', key) === undefined) fake.seed('site-a', key, { values: { [context]: text } });
          else fake.editInUi('site-a', key, context, text);
        }
        // A person's edit: a plain value changed by hand, or (for a secret, whose value EnvSync cannot
        // read) any edit of the variable, which moves its updated_at.
        const touchedSecrets = Object.keys(input.foreignContexts).filter((key) => key in input.previous && input.secretKeys.includes(key));
        const edited = [...input.handEdited.filter((key) => key in input.previous && !input.secretKeys.includes(key)), ...touchedSecrets];
        await new Promise((resolve) => setTimeout(resolve, 2));
        for (const key of edited) fake.editInUi('site-a', key, 'production', `hand-${key}`);
        const before = new Map(fake.keys('site-a').map((key) => [key, fake.variable('site-a', key)]));

        handle = withFaults((request) => fake.handle(request), input.faults, 'netlify').handle;
        const reports: (SyncReport | undefined)[] = [];
        for (let run = 0; run < 3; run += 1) {
          const [report] = await syncProvider({ provider: 'netlify', mode: 'enforce' }, deps({ ...base, ...input.next }, ledger));
          reports.push(report);
          for (const change of report?.changes ?? []) {
            if (change.op === 'create' || change.op === 'update') expect(fake.values('site-a', change.key)?.[change.context ?? '']).toBe(input.next[change.key]);
          }
          expect(new Set(doneKeys(report, 'delete')).size).toBeLessThanOrEqual(input.maxDeletions);
        }

        const ownedStale = Object.keys(input.previous).filter((key) => !(key in input.next) && !edited.includes(key));
        const refused = input.allowDeletions && ownedStale.length > input.maxDeletions;
        if (refused) {
          expect(reports.some((report) => report?.refusal !== undefined)).toBe(true);
          expect(reports.flatMap((report) => doneKeys(report, 'delete'))).toEqual([]);
        }
        // A key that can only converge by rewriting an unmanaged context is left alone, with an error naming it.
        const conflicts = new Set((reports.at(-1)?.errors ?? []).filter((error) => error.code === 'conflict').map((error) => error.key));
        for (const [key, canonical] of Object.entries(input.next)) {
          if (conflicts.has(key)) {
            expect(Object.keys(before.get(key)?.values ?? {}).some((context) => !(managedContexts as readonly string[]).includes(context))).toBe(true);
            continue;
          }
          for (const context of managedContexts) {
            const expected = refused ? before.get(key)?.values[context] : canonical;
            expect(fake.values('site-a', key)?.[context], `${key} in ${context}`).toBe(expected);
          }
        }
        for (const [key, variable] of before) {
          const now = fake.variable('site-a', key);
          if (!key.startsWith('APP_')) {
            expect(now, `unmanaged ${key}`).toEqual(variable);
            continue;
          }
          // Unmanaged contexts of managed keys keep their value objects: value and id.
          for (const [context, text] of Object.entries(variable?.values ?? {})) {
            if ((managedContexts as readonly string[]).includes(context)) continue;
            expect(now?.values[context], `${key} in ${context}`).toBe(text);
            expect(now?.valueIds[context], `${key} id in ${context}`).toBe(variable?.valueIds[context]);
          }
        }
        // Deletions: never with deletions off, never a key hand-edited since EnvSync wrote it.
        for (const [key, variable] of before) {
          if (!key.startsWith('APP_') || key in input.next) continue;
          const now = managedValues(fake.variable('site-a', key));
          if (refused || !input.allowDeletions || !ownedStale.includes(key)) expect(now, `${key} must survive`).toEqual(managedValues(variable));
          else expect(now, `${key} is owned and stale`).toEqual({});
        }
      }),
      { seed, numRuns: 25, endOnFailure: true },
    );
  }, 240_000);
});

function managedValues(variable: FakeVariableView | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [context, text] of Object.entries(variable?.values ?? {})) if (context === 'production' || context === 'deploy-preview') values[context] = text;
  return values;
}
