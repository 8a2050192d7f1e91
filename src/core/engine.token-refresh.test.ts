import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { RenderFake } from '../../test/emulator/render.ts';
import { useMswServer } from '../../test/support/msw.ts';
import { testEnv, testSettings } from '../../test/support/settings.ts';
import { createTokenCache } from '../discovery/index.ts';
import { createBudget } from '../http/budget.ts';
import { createLogger } from '../logging/logger.ts';
import { providers } from '../providers/index.ts';
import { syncProvider, type EngineDeps } from './engine.ts';
import { InMemoryLedger } from './ledger.ts';

/**
 * A provider token rotated while EnvSync runs: Render starts answering 401 to the token found first
 * (the environment), and the run looks through the rest of the discovery chain (a vault) once,
 * then carries on with the token found there. Render is the stateful fake behind msw; the vault an
 * msw handler speaking the vault protocol.
 */
const server = useMswServer();
const renderApi = 'https://render.test/v1';
const vaultUrl = 'https://vault.test/secret';

function setup(env: Record<string, string>, vaultToken: string | undefined) {
  const fake = new RenderFake({ tokens: ['rnd_old'] }).seed('srv-a', {}).seed('srv-b', {}).seed('srv-c', {});
  const vaultCalls: string[] = [];
  server.use(
    http.all('https://render.test/*', ({ request }) => fake.handle(request)),
    http.get(vaultUrl, ({ request }) => {
      vaultCalls.push(new URL(request.url).searchParams.get('key') ?? '');
      return vaultToken === undefined ? HttpResponse.json({ error: 'not found' }, { status: 404 }) : HttpResponse.json({ key: 'RENDER_API_TOKEN', value: vaultToken });
    }),
  );
  const all = testEnv({
    RENDER_API_URL: renderApi,
    RENDER_SERVICE_ID: 'srv-a,srv-b,srv-c',
    RENDER_API_TOKEN: 'rnd_old',
    ENVSYNC_DISCOVERY_ORDER: 'env,vault',
    ENVSYNC_VAULT_URL: vaultUrl,
    ENVSYNC_VAULT_TOKEN: 'vault-token-0123456789abcdef0123456789',
    APP_A: 'a',
    ...env,
  });
  const settings = testSettings(all);
  const lines: string[] = [];
  const logger = createLogger({ write: (line) => lines.push(line) });
  const deps: EngineDeps = {
    settings,
    env: all,
    ledger: new InMemoryLedger(),
    logger,
    budget: createBudget(25_000),
    adapters: providers,
    tokens: createTokenCache({ settings, env: all, fetch: globalThis.fetch, readFile: () => Promise.reject(new Error('no files')), logger }),
  };
  return { fake, deps, vaultCalls, lines };
}

describe('token refresh on 401', () => {
  it('picks up a token rotated mid-run from the vault, once, and the reports say where it came from', async () => {
    const { fake, deps, vaultCalls, lines } = setup({}, 'rnd_new');
    // Rotate after the first target's write: srv-b's first read meets a 401.
    fake.after('env-var.put', (render) => render.rotateTokens(['rnd_new']));

    const reports = await syncProvider({ provider: 'render', mode: 'enforce' }, deps);

    expect(reports.map((report) => [report.target, report.tokenSource, report.errors.map((error) => error.code)])).toEqual([
      ['srv-a', 'env:RENDER_API_TOKEN', []],
      ['srv-b', 'vault:RENDER_API_TOKEN', []],
      ['srv-c', 'vault:RENDER_API_TOKEN', []],
    ]);
    expect(fake.variables('srv-b')).toEqual({ APP_A: 'a' });
    expect(fake.variables('srv-c')).toEqual({ APP_A: 'a' });
    expect(vaultCalls).toEqual(['RENDER_API_TOKEN']);
    expect(fake.count('env-vars.list', 401)).toBe(1);
    expect(lines.join('\n')).not.toContain('rnd_new');
  });

  it('refreshes once per run: a token rejected everywhere is one failure naming every place looked, and no more requests', async () => {
    const { fake, deps, vaultCalls } = setup({}, 'rnd_also_stale');
    fake.rotateTokens(['rnd_nobody_has']);

    const reports = await syncProvider({ provider: 'render', mode: 'enforce' }, deps);

    expect(vaultCalls).toEqual(['RENDER_API_TOKEN']);
    // srv-a: the 401 with the env token, then the 401 with the vault's; srv-b and srv-c are not tried.
    expect(fake.count('env-vars.list', 401)).toBe(2);
    expect(fake.log).toHaveLength(2);
    for (const report of reports) expect(report.errors.map((error) => error.code)).toEqual(['provider-auth']);
    for (const report of reports) expect(report.errors[0]?.message).toMatch(/Render answered 401 to every RENDER_API_TOKEN found this run, the last from vault:RENDER_API_TOKEN; the sources of ENVSYNC_DISCOVERY_ORDER \(env, vault\)/);
  });

  it('says every place looked when no other source has a different token', async () => {
    const { fake, deps } = setup({}, 'rnd_old');
    fake.rotateTokens(['rnd_nobody_has']);

    const reports = await syncProvider({ provider: 'render', mode: 'enforce' }, deps);

    expect(fake.log).toHaveLength(1);
    const message = reports[0]?.errors[0]?.message ?? '';
    expect(reports[0]?.errors[0]?.code).toBe('provider-auth');
    expect(message).toMatch(/Render rejected RENDER_API_TOKEN from env:RENDER_API_TOKEN \(401\), and no other source had a different one: looked in env:RENDER_API_TOKEN \(rejected\), vault:RENDER_API_TOKEN \(the same rejected token\)/);
    expect(reports.every((report) => report.errors[0]?.message === message)).toBe(true);
    expect(message).not.toContain('rnd_');
  });
});
