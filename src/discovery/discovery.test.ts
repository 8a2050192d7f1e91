import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../config/load.ts';
import { createLogger } from '../logging/logger.ts';
import { startLocalServer, type LocalServer } from '../../test/support/local-server.ts';
import { createTokenCache, discoverToken, type DiscoveryContext } from './index.ts';

const render = { provider: 'render', tokenName: 'RENDER_API_TOKEN' };
let server: LocalServer;
let dir: string;
let logLines: string[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'envsync-secrets-'));
  server = await startLocalServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/vault/secret') {
      if (req.headers.authorization !== 'Bearer vault-token') return void res.writeHead(403).end('{}');
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ key: url.searchParams.get('key'), value: 'rnd_from_vault' }));
    }
    if (url.pathname === '/vault-html/secret') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end('<html>login</html>');
    }
    if (url.pathname === '/dashboard/tokens') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ RENDER_API_TOKEN: 'rnd_from_dashboard' }));
    }
    if (url.pathname === '/dashboard/slow') return; // never answers: the client must time out
    if (url.pathname === '/dashboard/broken') return void res.writeHead(502).end('bad gateway');
    res.writeHead(404).end();
  });
});
afterAll(() => server.close());

function context(env: Record<string, string>): DiscoveryContext {
  logLines = [];
  return {
    settings: loadSettings({ ENVSYNC_SECRET_DIRS: dir, ENVSYNC_DISCOVERY_TIMEOUT_MS: '300', ...env }),
    env,
    fetch,
    readFile: (file) => readFile(file, 'utf8'),
    logger: createLogger({ write: (line) => logLines.push(line) }),
  };
}

describe('discoverToken', () => {
  it('takes the token from its environment variable first', async () => {
    const found = await discoverToken(render, context({ RENDER_API_TOKEN: ' rnd_env ' }));
    expect(found).toEqual({ token: 'rnd_env', source: 'env:RENDER_API_TOKEN' });
  });

  it("reads a secret file whose name starts with the provider's name, trimmed", async () => {
    await writeFile(path.join(dir, 'render.token'), 'rnd_file\n');
    const found = await discoverToken(render, context({}));
    expect(found).toEqual({ token: 'rnd_file', source: `secret_file:${path.join(dir, 'render.token')}` });
  });

  it('falls through an empty secret file to the vault, with a warning', async () => {
    await writeFile(path.join(dir, 'render.token'), '  \n');
    const ctx = context({ ENVSYNC_VAULT_URL: `${server.url}/vault/secret`, ENVSYNC_VAULT_TOKEN: 'vault-token' });
    const found = await discoverToken(render, ctx);
    expect(found).toEqual({ token: 'rnd_from_vault', source: 'vault:RENDER_API_TOKEN' });
    expect(server.requests.at(-1)).toMatchObject({ url: '/vault/secret?key=RENDER_API_TOKEN', authorization: 'Bearer vault-token' });
    expect(logLines.join('\n')).toContain('is empty');
  });

  it('falls through a vault answering HTML to the dashboard', async () => {
    const ctx = context({
      ENVSYNC_SECRET_DIRS: '/nonexistent',
      ENVSYNC_VAULT_URL: `${server.url}/vault-html/secret`,
      ENVSYNC_DASHBOARD_TOKEN_URLS: `${server.url}/dashboard/tokens`,
    });
    const found = await discoverToken(render, ctx);
    expect(found.source).toBe(`dashboard:${server.url}/dashboard/tokens`);
    expect(logLines.join('\n')).toMatch(/not JSON/);
  });

  it('falls through a dashboard URL that times out or fails to the next one', async () => {
    const ctx = context({
      ENVSYNC_SECRET_DIRS: '/nonexistent',
      ENVSYNC_DASHBOARD_TOKEN_URLS: `${server.url}/dashboard/slow,${server.url}/dashboard/broken,${server.url}/dashboard/tokens`,
    });
    const found = await discoverToken(render, ctx);
    expect(found.token).toBe('rnd_from_dashboard');
    expect(logLines.join('\n')).toMatch(/timed out after 300 ms/);
    expect(logLines.join('\n')).toMatch(/answered 502/);
  });

  it('names every place it looked when no source has the token', async () => {
    const ctx = context({
      ENVSYNC_SECRET_DIRS: '/nonexistent',
      ENVSYNC_VAULT_URL: `${server.url}/vault-html/secret`,
      ENVSYNC_DASHBOARD_TOKEN_URLS: `${server.url}/dashboard/broken?sig=SECRETQUERY`,
    });
    const error = await discoverToken(render, ctx).then(
      () => new Error('expected discovery to fail'),
      (e: unknown) => e as Error,
    );
    expect(error).toMatchObject({ code: 'token-missing' });
    expect(error.message).toContain('environment variable RENDER_API_TOKEN (not set)');
    expect(error.message).toContain('/nonexistent/render.token (not found)');
    expect(error.message).toContain('vault');
    expect(error.message).toContain(`dashboard ${server.url}/dashboard/broken (answered 502)`);
    expect(error.message).not.toContain('SECRETQUERY');
  });

  it('follows ENVSYNC_DISCOVERY_ORDER', async () => {
    const ctx = context({ ENVSYNC_DISCOVERY_ORDER: 'dashboard,env', ENVSYNC_DASHBOARD_TOKEN_URLS: `${server.url}/dashboard/tokens`, RENDER_API_TOKEN: 'rnd_env' });
    expect((await discoverToken(render, ctx)).source).toMatch(/^dashboard:/);
  });

  it('never logs the token it found', async () => {
    const ctx = context({ RENDER_API_TOKEN: 'rnd_canary_token_value' });
    await discoverToken(render, ctx);
    expect(logLines.join('\n')).not.toContain('rnd_canary_token_value');
  });
});

describe('createTokenCache', () => {
  it('looks a token up once per invocation however many times it is asked for', async () => {
    const ctx = context({ ENVSYNC_DISCOVERY_ORDER: 'dashboard', ENVSYNC_DASHBOARD_TOKEN_URLS: `${server.url}/dashboard/tokens` });
    const before = server.requests.length;
    const tokens = createTokenCache(ctx);
    await Promise.all([tokens(render), tokens(render), tokens(render)]);
    expect(server.requests.length - before).toBe(1);
  });
});
