import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { demoTargets } from '../emulator/sample-data.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { apiToken, fn, runtimeEnv, syncBodyOf } from './setup.ts';

/**
 * One EnvSync is another's vault, through two real local runtimes. The vault runtime serves the
 * current Render token at envsync-vault; the client runtime has a stale RENDER_API_TOKEN in its
 * environment (rotated at Render, which now answers 401 to it) and ENVSYNC_VAULT_URL pointing at the
 * vault runtime. Its apply meets the 401, looks through the rest of its discovery chain (the vault)
 * once, and syncs with the token found there.
 */

const vaultToken = 'e2e-vault-token-3c9a1f0b7d2e4a6c8b1d';
const rotated = 'rnd_rotated_e2e_token';
let emulator: Emulator;
let vault: Runtime;
let client: Runtime;

beforeAll(async () => {
  emulator = await startEmulator({ render: { tokens: [rotated], writesPerMinute: false, readsPerMinute: false } });
  vault = await startRuntime({
    env: {
      ENVSYNC_VAULT_TOKEN: vaultToken,
      ENVSYNC_VAULT_TOKEN_KEYS: 'RENDER_API_TOKEN,ENVSYNC_API_TOKEN,STRIPE_KEY',
      RENDER_API_TOKEN: rotated,
      ENVSYNC_API_TOKEN: apiToken,
    },
  });
  client = await startRuntime({
    env: runtimeEnv(emulator, {
      RENDER_API_TOKEN: 'rnd_stale_e2e_token',
      ENVSYNC_DISCOVERY_ORDER: 'env,vault',
      ENVSYNC_VAULT_URL: `${vault.url}${fn('vault')}`,
      ENVSYNC_VAULT_TOKEN: vaultToken,
    }),
  });
}, 240_000);

afterAll(async () => {
  await Promise.all([vault?.stop(), client?.stop()]);
  await emulator?.stop();
});

const ask = (key: string, token: string | null = vaultToken) => vault.call('GET', `${fn('vault')}?key=${key}`, token === null ? {} : { token });

describe('the vault endpoint', () => {
  it('serves a listed name to the vault token, uncached', async () => {
    const result = await ask('RENDER_API_TOKEN');
    expect(result.status).toBe(200);
    expect(result.headers['cache-control']).toBe('no-store');
    expect(result.json).toEqual({ key: 'RENDER_API_TOKEN', value: rotated });
  });

  it('answers 401 without the vault token or with the API token, 403 for names not listed and EnvSync\'s own secrets, 404 for a name without value', async () => {
    expect((await ask('RENDER_API_TOKEN', null)).status).toBe(401);
    expect((await ask('RENDER_API_TOKEN', apiToken)).status).toBe(401);
    expect((await ask('APP_API_URL')).status).toBe(403);
    const own = await ask('ENVSYNC_API_TOKEN');
    expect(own.status).toBe(403);
    expect(own.text).not.toContain(apiToken);
    expect((await ask('STRIPE_KEY')).status).toBe(404);
  });
});

describe('a token rotated at the provider', () => {
  it('is picked up from the other runtime\'s vault after the 401, and the report says so', async () => {
    const before = emulator.render.count('env-vars.list', 401);

    const result = await client.call('POST', fn('apply', '/render'), { token: apiToken });

    expect(result.status).toBe(200);
    const results = syncBodyOf(result).results;
    expect(results.map((report) => [report.target, report.tokenSource, report.errors])).toEqual(demoTargets.render.map((id) => [id, 'vault:RENDER_API_TOKEN', []]));
    expect(emulator.render.count('env-vars.list', 401) - before).toBe(1);
  });

  it('its events are in the events log, with the trigger', async () => {
    const result = await client.call('GET', `${fn('events')}?type=ENVSYNC_COMPLETE&limit=5`, { token: apiToken });

    expect(result.status).toBe(200);
    const events = (result.json as { events: { type: string; trigger: string; provider: string; tokenSource: string; outcome: string }[] }).events;
    expect(events.map((event) => [event.type, event.trigger, event.provider, event.tokenSource, event.outcome])).toEqual(
      demoTargets.render.map(() => ['ENVSYNC_COMPLETE', 'api', 'render', 'vault:RENDER_API_TOKEN', 'applied']),
    );
  });

  it('no token value reached either runtime\'s log', () => {
    for (const output of [vault.output(), client.output()]) {
      expect(output).not.toContain(rotated);
      expect(output).not.toContain(vaultToken);
    }
  });
});
