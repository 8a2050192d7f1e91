import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryProvider } from '../../../test/support/memory-provider.ts';
import { createLogger } from '../../logging/logger.ts';
import type { ServiceDeps } from '../deps.ts';
import { serve } from '../http/endpoint.ts';
import { vaultEndpoint } from './vault.ts';

/** The vault endpoint with `new Request()`; the end-to-end test runs it against another runtime's discovery chain. */

const vaultToken = 'vault-token-0123456789abcdef0123456789';
let secretDir: string;
let lines: string[];

beforeAll(async () => {
  secretDir = await mkdtemp(path.join(tmpdir(), 'envsync-vault-'));
  await writeFile(path.join(secretDir, 'NETLIFY_API_TOKEN'), 'nfp_from_secret_file\n');
});

async function get(query: string, env: Record<string, string>, authorization: string | null = `Bearer ${vaultToken}`) {
  lines = [];
  const render = new MemoryProvider('render');
  const deps: ServiceDeps = {
    env: { ENVSYNC_SECRET_DIRS: secretDir, ...env },
    openStorage: () => {
      throw new Error('the vault needs no storage');
    },
    adapters: { render: render.adapter, netlify: new MemoryProvider('netlify').adapter, vercel: new MemoryProvider('vercel').adapter },
    logger: createLogger({ write: (line) => lines.push(line) }),
  };
  const headers: Record<string, string> = authorization === null ? {} : { authorization };
  const response = await serve(vaultEndpoint, new Request(`http://localhost/.netlify/functions/envsync-vault${query}`, { headers }), deps);
  return { status: response.status, cache: response.headers.get('cache-control'), body: (await response.json()) as Record<string, unknown> };
}

const enabled = {
  ENVSYNC_VAULT_TOKEN: vaultToken,
  ENVSYNC_VAULT_TOKEN_KEYS: 'RENDER_API_TOKEN,NETLIFY_API_TOKEN,STRIPE_KEY,ENVSYNC_API_TOKEN,ENVSYNC_LEDGER_SECRET',
  RENDER_API_TOKEN: 'rnd_from_env',
  ENVSYNC_API_TOKEN: 'api-token-0123456789abcdef0123456789',
  ENVSYNC_LEDGER_SECRET: 'ledger-secret-0123456789',
  APP_SECRET: 'app-value',
};

describe('envsync-vault', () => {
  it('is not there (404 JSON) while ENVSYNC_VAULT_TOKEN is unset', async () => {
    const result = await get('?key=RENDER_API_TOKEN', { RENDER_API_TOKEN: 'rnd_from_env' });
    expect(result.status).toBe(404);
    expect(result.body).toEqual({ error: { code: 'not-found', message: expect.stringMatching(/disabled.*ENVSYNC_VAULT_TOKEN/) as unknown } });
  });

  it('answers 401 without the vault token, with another scheme, or with a wrong one (the API token included)', async () => {
    expect((await get('?key=RENDER_API_TOKEN', enabled, null)).status).toBe(401);
    expect((await get('?key=RENDER_API_TOKEN', enabled, `Basic ${vaultToken}`)).status).toBe(401);
    expect((await get('?key=RENDER_API_TOKEN', enabled, 'Bearer wrong')).status).toBe(401);
    expect((await get('?key=RENDER_API_TOKEN', enabled, `Bearer ${enabled.ENVSYNC_API_TOKEN}`)).status).toBe(401);
  });

  it('serves a listed name from the environment, then from a secret file, with cache-control no-store', async () => {
    expect(await get('?key=RENDER_API_TOKEN', enabled)).toEqual({ status: 200, cache: 'no-store', body: { key: 'RENDER_API_TOKEN', value: 'rnd_from_env' } });
    expect((await get('?key=NETLIFY_API_TOKEN', enabled)).body).toEqual({ key: 'NETLIFY_API_TOKEN', value: 'nfp_from_secret_file' });
  });

  it('answers 403 for a name not listed, and always for EnvSync\'s own secrets even when listed', async () => {
    const notListed = await get('?key=APP_SECRET', enabled);
    expect(notListed.status).toBe(403);
    expect(notListed.body).toEqual({ error: { code: 'forbidden', message: expect.stringMatching(/APP_SECRET is not in ENVSYNC_VAULT_TOKEN_KEYS/) as unknown } });
    for (const own of ['ENVSYNC_API_TOKEN', 'ENVSYNC_LEDGER_SECRET', 'ENVSYNC_VAULT_TOKEN', 'ENVSYNC_READ_TOKEN', 'ENVSYNC_WEBHOOK_SECRET']) {
      const result = await get(`?key=${own}`, { ...enabled, ENVSYNC_VAULT_TOKEN_KEYS: `${enabled.ENVSYNC_VAULT_TOKEN_KEYS},${own}` });
      expect(result.status, own).toBe(403);
      expect(JSON.stringify(result.body)).toMatch(/never serves/);
    }
  });

  it('answers 404 for an allowed name with no value, and 400 without a valid ?key=', async () => {
    const missing = await get('?key=STRIPE_KEY', enabled);
    expect(missing.status).toBe(404);
    expect(JSON.stringify(missing.body)).toMatch(/STRIPE_KEY is allowed but has no value/);
    expect((await get('', enabled)).status).toBe(400);
    expect((await get('?key=../etc/passwd', enabled)).status).toBe(400);
    expect((await get('?key=A&key=B', enabled)).status).toBe(400);
  });

  it('never logs or echoes a value or a token', async () => {
    const all: string[] = [];
    for (const query of ['?key=RENDER_API_TOKEN', '?key=ENVSYNC_API_TOKEN', '?key=APP_SECRET']) {
      const result = await get(query, enabled);
      all.push(...lines, query === '?key=RENDER_API_TOKEN' ? '' : JSON.stringify(result.body));
    }
    const text = all.join('\n');
    for (const secret of ['rnd_from_env', vaultToken, enabled.ENVSYNC_API_TOKEN, 'app-value']) expect(text).not.toContain(secret);
    expect(text).toContain('vault.served');
  });
});
