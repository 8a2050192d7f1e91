import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { fn, runtimeEnv } from './setup.ts';

/** A broken configuration and no ENVSYNC_API_TOKEN: health lists every problem, the rest stays closed. */

let emulator: Emulator;
let runtime: Runtime;

beforeAll(async () => {
  emulator = await startEmulator();
  const env = runtimeEnv(emulator, {
    ENVSYNC_TARGETS: 'render',
    RENDER_SERVICE_ID: undefined,
    ENVSYNC_INCLUDE_PREFIXES: undefined,
    ENVSYNC_LEDGER_SECRET: undefined,
    ENVSYNC_API_TOKEN: undefined,
  });
  runtime = await startRuntime({ env });
});

afterAll(async () => {
  await runtime?.stop();
  await emulator?.stop();
});

describe('an invalid configuration', () => {
  it('public health answers 500 misconfigured naming every setting at fault, and no value', async () => {
    const result = await runtime.call('GET', fn('health'));

    expect(result.status).toBe(500);
    expect(result.json).toMatchObject({ name: 'envsync', status: 'misconfigured' });
    expect((result.json as { settings: string[] }).settings.sort()).toEqual(['ENVSYNC_INCLUDE_PREFIXES', 'ENVSYNC_LEDGER_SECRET', 'RENDER_SERVICE_ID']);
    expect(emulator.requestCount()).toBe(0);
  });

  it.each([
    ['POST', fn('apply', '/render')],
    ['POST', fn('apply-all')],
    ['GET', fn('runs')],
    ['GET', fn('tickets')],
  ])('%s %s is closed while ENVSYNC_API_TOKEN is unset, even with a token sent', async (method, path) => {
    const result = await runtime.call(method, path, { token: 'anything' });

    expect(result.status).toBe(401);
    expect((result.json as { error: { message: string } }).error.message).toMatch(/ENVSYNC_API_TOKEN is not set.*openssl rand -hex 32/);
    expect(emulator.requestCount()).toBe(0);
  });
});
