import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { demoTargets } from '../emulator/sample-data.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { apiToken, fn, runtimeEnv } from './setup.ts';

/**
 * The function's own credentials never reach a target, through the real local runtime: fake AWS
 * credentials and a Blobs context sit in the function's environment next to the runtime's own
 * variables (`AWS_REGION`, `AWS_LAMBDA_*`, `NETLIFY_DEV`, `NETLIFY_LOCAL`, `NETLIFY_CLI_VERSION`, its
 * own `NETLIFY_BLOBS_CONTEXT`), and the include prefixes would match every one of them.
 */

const fakeCredentials = {
  AWS_SECRET_ACCESS_KEY: 'fake-aws-secret-access-key-7c1e9b',
  AWS_SESSION_TOKEN: 'fake-aws-session-token-3f8d2a',
  NETLIFY_BLOBS_CONTEXT: 'ZmFrZS1ibG9icy1jb250ZXh0LTlhNGU=',
};

let emulator: Emulator;
let runtime: Runtime;

beforeAll(async () => {
  emulator = await startEmulator();
  runtime = await startRuntime({
    env: runtimeEnv(emulator, { ENVSYNC_INCLUDE_PREFIXES: 'APP_,AWS,LAMBDA,NETLIFY_,NODE', NETLIFY_USER_FLAG: 'users-own-flag', ...fakeCredentials }),
  });
});

afterAll(async () => {
  await runtime?.stop();
  await emulator?.stop();
});

const isRuntimeName = (key: string) =>
  /^(AWS|LAMBDA|NODE|_)/.test(key) || ['NETLIFY_BLOBS_CONTEXT', 'NETLIFY_DEV', 'NETLIFY_LOCAL', 'NETLIFY_CLI_VERSION', 'NETLIFY_PURGE_API_TOKEN'].includes(key);

describe("the runtime's credentials and variables", () => {
  it('are never synced to any target, while a user\'s own NETLIFY_ variable is', async () => {
    const keysNow = () => [
      ...demoTargets.render.flatMap((id) => Object.keys(emulator.render.variables(id)).map((key) => `${id}:${key}`)),
      ...demoTargets.netlify.flatMap((id) => emulator.netlify.keys(id).map((key) => `${id}:${key}`)),
    ];
    // The sample targets hold unmanaged variables of their own (NODE_VERSION, ...): only what the sync added counts.
    const before = new Set(keysNow());

    const result = await runtime.call('POST', fn('apply-all'), { token: apiToken });

    expect(result.status).toBe(200);
    const written = keysNow()
      .filter((entry) => !before.has(entry))
      .map((entry) => entry.slice(entry.indexOf(':') + 1));
    expect(written.filter(isRuntimeName)).toEqual([]);
    expect(written).toContain('NETLIFY_USER_FLAG');
    for (const id of demoTargets.render) expect(emulator.render.variables(id)['NETLIFY_USER_FLAG']).toBe('users-own-flag');
  });

  it('appear in no answer, report or Blobs file, not even by name', async () => {
    const runs = await runtime.call('GET', `${fn('runs')}?limit=10`, { token: apiToken });
    const texts = [runs.text, ...(await runtime.blobFiles()), runtime.output()];

    for (const value of Object.values(fakeCredentials)) for (const text of texts) expect(text).not.toContain(value);
    expect(runs.text).not.toMatch(/AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|NETLIFY_BLOBS_CONTEXT/);
  });
});
