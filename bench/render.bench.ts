import { http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import { RenderFake } from '../test/emulator/render.ts';
import { createRenderAdapter } from '../src/providers/render.ts';
import { numberedVariables, renderSession, renderTestBase, syncOnce } from '../test/support/render-harness.ts';

/**
 * Render adapter throughput against the stateful fake through msw: what a sync of a large service
 * costs in CPU (zod validation, body building, msw round trips) and in requests. Rate limits are
 * off in the fake and in the adapter, so every iteration runs at full speed; the request counts
 * per operation are printed after the run.
 */

const fake = new RenderFake({ writesPerMinute: false, readsPerMinute: false });
const server = setupServer(http.all(`${renderTestBase}/*`, ({ request }) => fake.handle(request)));
const adapter = createRenderAdapter({ writesPerMinute: 1_000_000 });
const unmanaged = numberedVariables('OTHER_', 700, 'keep');
const requestsPerOperation = new Map<string, Record<string, number>>();
let round = 0;

fake.seed('srv-read', { ...unmanaged, ...numberedVariables('APP_', 300, 'v') });
fake.seed('srv-bulk', { ...unmanaged, ...numberedVariables('APP_', 300, 'v') });
fake.seed('srv-small', { ...unmanaged, ...numberedVariables('APP_', 300, 'v') });

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => {
  server.close();
  for (const [operation, counts] of requestsPerOperation) {
    process.stdout.write(`render bench requests per "${operation}": ${JSON.stringify(counts)}\n`);
  }
});

/** Runs `operation` and keeps the request counts of its last run. */
async function measured(name: string, operation: () => Promise<unknown>): Promise<void> {
  fake.clearLog();
  await operation();
  requestsPerOperation.set(name, fake.counts());
}

describe('Render adapter, 1,000 variables per service', () => {
  bench('read 1,000 variables', async () => {
    await measured('read 1,000 variables', () => adapter.connect(renderSession()).read('srv-read'));
  });

  bench('read + plan + apply: 300 changed of 1,000 (replace-all)', async () => {
    round += 1;
    const desired = numberedVariables('APP_', 300, `bulk-${round}`);
    await measured('300 changed of 1,000', () => syncOnce(adapter.connect(renderSession()), 'srv-bulk', desired));
  });

  bench('read + plan + apply: 10 changed of 1,000 (per key)', async () => {
    round += 1;
    const desired = { ...numberedVariables('APP_', 300, 'v'), ...numberedVariables('APP_', 10, `small-${round}`) };
    await measured('10 changed of 1,000', () => syncOnce(adapter.connect(renderSession()), 'srv-small', desired));
  });

  bench('read + plan: nothing to change on 1,000', async () => {
    const desired = numberedVariables('APP_', 300, 'v');
    await measured('nothing to change', () => syncOnce(adapter.connect(renderSession()), 'srv-read', desired));
  });
});
