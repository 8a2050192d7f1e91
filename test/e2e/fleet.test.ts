import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { demoCanonical } from '../emulator/sample-data.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { apiToken, eventually, fn, runtimeEnv } from './setup.ts';

/**
 * A fleet larger than one invocation should sync (6 Render services and 4 Netlify sites, above the
 * fan-out threshold of 8): apply-all and the schedule hand it to the background function, which
 * records its progress, and the runs endpoint shows it.
 */

const services = Array.from({ length: 6 }, (_, index) => `srv-fleet-${index + 1}`);
const sites = Array.from({ length: 4 }, (_, index) => `site-fleet-${index + 1}`);

let emulator: Emulator;
let runtime: Runtime;

beforeAll(async () => {
  emulator = await startEmulator({ sampleData: false, render: { writesPerMinute: false, readsPerMinute: false } });
  for (const id of services) emulator.render.seed(id, { APP_LOG_LEVEL: 'debug', OWN_SECRET: 'kept' });
  for (const id of sites) emulator.netlify.addSite({ id, accountId: 'acc-fleet' }).seed(id, 'APP_API_URL', { values: { all: 'https://old.example' } });
  runtime = await startRuntime({ env: runtimeEnv(emulator, { RENDER_SERVICE_ID: services.join(','), ENVSYNC_NETLIFY_SITE_ID: sites.join(',') }) });
});

afterAll(async () => {
  await runtime?.stop();
  await emulator?.stop();
});

interface Progress {
  runId: string;
  status: string;
  pending: string[];
  done: string[];
  error?: string;
}

function converged(): boolean {
  return (
    services.every((id) => Object.entries(demoCanonical).every(([key, value]) => emulator.render.variables(id)[key] === value)) &&
    sites.every((id) => Object.entries(demoCanonical).every(([key, value]) => emulator.netlify.values(id, key)?.['all'] === value))
  );
}

describe('a fleet above the fan-out threshold', () => {
  it('dry-run of one provider (6 targets) still answers in the same request', async () => {
    const result = await runtime.call('POST', fn('dry-run', '/render'), { token: apiToken });

    expect(result.status).toBe(200);
    expect((result.json as { results: unknown[] }).results).toHaveLength(6);
  });

  it('apply-all answers 202 with a runId, and the runs endpoint follows the background run to the end', async () => {
    const result = await runtime.call('POST', fn('apply-all'), { token: apiToken });

    expect(result.status).toBe(202);
    const queued = result.json as { runId: string; status: string; targets: number; progress: string };
    expect(queued).toMatchObject({ status: 'queued', targets: 10, progress: `/.netlify/functions/envsync-runs?runId=${queued.runId}` });

    const final = await eventually(async () => {
      const progress = (await runtime.call('GET', queued.progress, { token: apiToken })).json as { progress: Progress };
      return progress.progress.status === 'done' || progress.progress.status === 'failed' ? progress.progress : undefined;
    }, 90_000, 'the background run');

    expect(final).toMatchObject({ runId: queued.runId, status: 'done', pending: [] });
    expect(final.error).toBeUndefined();
    expect(final.done).toEqual([...services.map((id) => `render:${id}`), ...sites.map((id) => `netlify:${id}`)]);
    expect(converged()).toBe(true);
    for (const id of services) expect(emulator.render.variables(id)['OWN_SECRET']).toBe('kept');
    const runs = (await runtime.call('GET', `${fn('runs')}?limit=10`, { token: apiToken })).json as { runs: { runId: string; applied: boolean }[] };
    expect(runs.runs.filter((run) => run.runId === queued.runId && run.applied)).toHaveLength(10);
  }, 120_000);

  it('the schedule hands the fleet to the background function too, which repairs drift', async () => {
    emulator.render.seed('srv-fleet-3', { APP_LOG_LEVEL: 'trace' });
    emulator.netlify.editInUi('site-fleet-2', 'APP_SUPPORT_EMAIL', 'all', 'drifted@example.com');
    expect(converged()).toBe(false);

    await runtime.call('POST', fn('scheduled'));

    await eventually(() => Promise.resolve(converged() ? true : undefined), 90_000, 'the scheduled background run');
  }, 120_000);

  it('an unknown run id has no progress', async () => {
    const result = await runtime.call('GET', `${fn('runs')}?runId=0000-no-such-run`, { token: apiToken });

    expect(result.status).toBe(404);
    expect((result.json as { error: { code: string } }).error.code).toBe('not-found');
  });
});
