import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { RenderFake } from '../../test/emulator/render.ts';
import { useMswServer } from '../../test/support/msw.ts';
import { testEnv, testSettings } from '../../test/support/settings.ts';
import { createBudget } from '../http/budget.ts';
import { createLogger } from '../logging/logger.ts';
import { providers } from '../providers/index.ts';
import { syncProvider, type EngineDeps } from './engine.ts';
import { createFingerprinter, InMemoryLedger } from './ledger.ts';

/** Found by the convergence property (test/reliability): a write whose answer was lost did land. */
const server = useMswServer();
const secret = 'confirm-landed-ledger-secret-0123';

function deps(env: Record<string, string>, ledger: InMemoryLedger): EngineDeps {
  const all = { RENDER_API_URL: 'https://render.test/v1', ENVSYNC_LEDGER_SECRET: secret, ENVSYNC_ALLOW_DELETIONS: 'true', ...env };
  return { settings: testSettings(all), env: testEnv(all), ledger, logger: createLogger({ write: () => undefined }), budget: createBudget(25_000), adapters: providers };
}

describe('a write that landed although its answer was lost', () => {
  it('is recorded in the ledger, so the key is still deleted as EnvSync-owned later', async () => {
    const fake = new RenderFake().seed('srv-a', { OTHER: 'kept' });
    let dropNextPut = false;
    server.use(
      http.all('https://render.test/*', async ({ request }) => {
        if (dropNextPut && request.method === 'PUT') {
          dropNextPut = false;
          await fake.handle(request);
          return HttpResponse.error();
        }
        return fake.handle(request);
      }),
    );
    const ledger = new InMemoryLedger();
    await syncProvider({ provider: 'render', mode: 'enforce' }, deps({ APP_A: 'one', APP_B: 'b' }, ledger));

    dropNextPut = true;
    await syncProvider({ provider: 'render', mode: 'enforce' }, deps({ APP_A: 'two', APP_B: 'b' }, ledger));
    expect(fake.variables('srv-a')['APP_A']).toBe('two');
    const entry = (await ledger.load({ provider: 'render', id: 'srv-a' })).find((candidate) => candidate.key === 'APP_A');
    expect(entry?.fingerprint).toBe(createFingerprinter(secret)('APP_A', 'two'));

    const [removal] = await syncProvider({ provider: 'render', mode: 'enforce' }, deps({ APP_B: 'b' }, ledger));
    expect(removal?.skipped).toEqual([]);
    expect(fake.variables('srv-a')).toEqual({ OTHER: 'kept', APP_B: 'b' });
  });
});
