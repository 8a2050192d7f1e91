import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { apiToken, fn, runtimeEnv } from './setup.ts';

/** ENVSYNC_ENABLED=false: health answers, every sync is refused with 503, the schedule does nothing. */

let emulator: Emulator;
let runtime: Runtime;

beforeAll(async () => {
  emulator = await startEmulator();
  runtime = await startRuntime({ env: runtimeEnv(emulator, { ENVSYNC_ENABLED: 'false' }) });
});

afterAll(async () => {
  await runtime?.stop();
  await emulator?.stop();
});

describe('ENVSYNC_ENABLED=false', () => {
  it('health answers 200 and says EnvSync is disabled', async () => {
    const result = await runtime.call('GET', fn('health'), { token: apiToken });

    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ status: 'ok', enabled: false });
  });

  it.each([
    ['dry-run', fn('dry-run', '/render')],
    ['apply', fn('apply', '/netlify')],
    ['apply-all', fn('apply-all')],
  ])('%s answers 503 with how to enable it, touching no provider', async (_name, path) => {
    const result = await runtime.call('POST', path, { token: apiToken });

    expect(result.status).toBe(503);
    expect(result.json).toEqual({ error: { code: 'disabled', message: expect.stringMatching(/ENVSYNC_ENABLED is not true.*Set ENVSYNC_ENABLED=true/) as unknown } });
    expect(emulator.requestCount()).toBe(0);
  });

  it('the schedule skips: no provider request, no report', async () => {
    await runtime.call('POST', fn('scheduled'));

    expect(emulator.requestCount()).toBe(0);
    const runs = await runtime.call('GET', fn('runs'), { token: apiToken });
    expect(runs.json).toEqual({ runs: [] });
  });
});
