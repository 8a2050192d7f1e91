import { describe, expect, it } from 'vitest';
import { isSyncError } from '../errors.ts';
import { loadSettings } from './load.ts';

function errorOf(env: Record<string, string>): Error {
  try {
    loadSettings(env);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected loadSettings to throw');
}

describe('loadSettings', () => {
  it('applies the documented defaults to an empty environment', () => {
    const settings = loadSettings({});
    expect(settings).toMatchObject({
      enabled: false,
      mode: 'dry-run',
      schedule: '@hourly',
      targets: [],
      allowDeletions: false,
      deleteScope: 'owned',
      maxDeletions: 10,
      redeploy: false,
      providers: {
        render: { targetIds: [], apiUrl: 'https://api.render.com/v1' },
        netlify: { targetIds: [], apiUrl: 'https://api.netlify.com/api/v1', options: { contexts: ['all'] } },
      },
    });
    expect(settings.discovery.order).toEqual(['env', 'secret_files', 'vault', 'dashboard']);
    expect(settings.discovery.secretDirs).toEqual(['/etc/secrets', './secrets']);
    // Discovery defaults come from the registry: one secret file and one vault key per provider.
    expect(settings.discovery.secretFileNames).toEqual(['render.token', 'netlify.token', 'vercel.token']);
    expect(settings.discovery.vaultTokenKeys).toEqual(['RENDER_API_TOKEN', 'NETLIFY_API_TOKEN', 'VERCEL_API_TOKEN']);
    expect(settings.reservedKeys).toEqual(expect.arrayContaining(['RENDER_API_TOKEN', 'NETLIFY_API_TOKEN', 'NETLIFY_AUTH_TOKEN', 'RENDER_SERVICE_ID', 'ENVSYNC_LEDGER_SECRET', 'VERCEL_API_TOKEN', 'ENVSYNC_VERCEL_PROJECT_ID']));
  });

  it('trims CSV items, drops empty ones and accepts yes/no/1/0 booleans', () => {
    const settings = loadSettings({
      ENVSYNC_TARGETS: ' render , ,netlify,',
      RENDER_SERVICE_ID: 'srv-1, srv-2',
      ENVSYNC_ALLOW_DELETIONS: 'YES',
      ENVSYNC_REDEPLOY: '0',
      ENVSYNC_MODE: 'Enforce',
    });
    expect(settings.targets).toEqual(['render', 'netlify']);
    expect(settings.providers.render.targetIds).toEqual(['srv-1', 'srv-2']);
    expect(settings.allowDeletions).toBe(true);
    expect(settings.redeploy).toBe(false);
    expect(settings.mode).toBe('enforce');
  });

  it('reads ENVSYNC_NETLIFY_SITE_ID first and NETLIFY_SITE_ID as a fallback', () => {
    expect(loadSettings({ NETLIFY_SITE_ID: 'site-b' }).providers.netlify.targetIds).toEqual(['site-b']);
    expect(loadSettings({ NETLIFY_SITE_ID: 'site-b', ENVSYNC_NETLIFY_SITE_ID: 'site-a' }).providers.netlify.targetIds).toEqual(['site-a']);
  });

  it('fails with one error listing every bad setting', () => {
    const error = errorOf({
      ENVSYNC_ENABLED: 'maybe',
      ENVSYNC_MODE: 'yolo',
      ENVSYNC_TARGETS: 'render,heroku',
      ENVSYNC_MAX_DELETIONS: '-3',
      RENDER_API_URL: 'ftp://nope',
    });
    expect(isSyncError(error) && error.code).toBe('config-invalid');
    for (const name of ['ENVSYNC_ENABLED', 'ENVSYNC_MODE', 'ENVSYNC_TARGETS', 'ENVSYNC_MAX_DELETIONS', 'RENDER_API_URL']) {
      expect(error.message).toContain(name);
    }
    expect(error.message).toMatch(/5 problems/);
  });

  it('never echoes what a bad setting held', () => {
    const secretish = 'sk_live_SHOULD_NOT_APPEAR_123';
    const error = errorOf({ ENVSYNC_MODE: secretish, ENVSYNC_ENABLED: secretish, ENVSYNC_VAULT_URL: secretish, ENVSYNC_LEDGER_SECRET: 'short' });
    expect(error.message).not.toContain(secretish);
    expect(error.message).not.toContain('short');
  });

  it('lists cross-setting problems together with a setting that failed its own check', () => {
    const error = errorOf({ ENVSYNC_ENABLED: 'true', ENVSYNC_MODE: 'sometimes', ENVSYNC_TARGETS: 'render' });
    expect(error.message).toContain('ENVSYNC_MODE');
    expect(error.message).toContain('RENDER_SERVICE_ID');
    expect(error.message).toContain('ENVSYNC_INCLUDE_PREFIXES');
  });

  it('requires prefixes, targets, target ids and a ledger secret once enabled', () => {
    const error = errorOf({ ENVSYNC_ENABLED: 'true', ENVSYNC_TARGETS: 'render,netlify' });
    expect(error.message).toContain('ENVSYNC_INCLUDE_PREFIXES');
    expect(error.message).toContain('ENVSYNC_LEDGER_SECRET');
    expect(error.message).toContain('RENDER_SERVICE_ID');
    expect(error.message).toContain('ENVSYNC_NETLIFY_SITE_ID');
  });

  it('accepts https receivers and plain http only on loopback, and requires a webhook secret with webhook URLs', () => {
    const ok = loadSettings({ ENVSYNC_WEBHOOK_URLS: 'https://hooks.example.com/a,http://localhost:9000/b,http://127.0.0.1:1/c,http://[::1]:2/d', ENVSYNC_WEBHOOK_SECRET: 'whsec-0123456789abcdef' });
    expect(ok.events).toMatchObject({ webhookUrls: expect.arrayContaining(['https://hooks.example.com/a']) as unknown, attempts: 3, attemptTimeoutMs: 2000, deadlineMs: 5000, kept: 500 });
    expect(ok.events.webhookUrls).toHaveLength(4);
    const plain = errorOf({ ENVSYNC_WEBHOOK_URLS: 'http://hooks.example.com/a', ENVSYNC_WEBHOOK_SECRET: 'whsec-0123456789abcdef', ENVSYNC_SLACK_WEBHOOK_URL: 'http://hooks.slack.com/services/x' });
    expect(plain.message).toMatch(/ENVSYNC_WEBHOOK_URLS.*expected an https URL/);
    expect(plain.message).toMatch(/ENVSYNC_SLACK_WEBHOOK_URL.*expected an https URL/);
    expect(errorOf({ ENVSYNC_WEBHOOK_URLS: 'https://hooks.example.com/a' }).message).toMatch(/ENVSYNC_WEBHOOK_SECRET.*required when ENVSYNC_WEBHOOK_URLS is set/);
    expect(errorOf({ ENVSYNC_WEBHOOK_SECRET: 'short' }).message).toMatch(/ENVSYNC_WEBHOOK_SECRET.*at least 16/);
  });

  it('rejects mixing the all context with specific Netlify contexts, and unknown contexts', () => {
    expect(errorOf({ ENVSYNC_NETLIFY_CONTEXTS: 'all,production' }).message).toContain('ENVSYNC_NETLIFY_CONTEXTS');
    expect(errorOf({ ENVSYNC_NETLIFY_CONTEXTS: 'prod' }).message).toContain('branch:<branch name>');
    expect(loadSettings({ ENVSYNC_NETLIFY_CONTEXTS: 'production,branch:staging' }).providers.netlify.options.contexts).toEqual(['production', 'branch:staging']);
  });

  it('requires both access tokens to be 32+ characters and different from each other', () => {
    const long = 'a'.repeat(32);
    const error = errorOf({ ENVSYNC_API_TOKEN: 'x'.repeat(31), ENVSYNC_READ_TOKEN: 'y'.repeat(12) });
    expect(error.message).toMatch(/ENVSYNC_API_TOKEN: expected at least 32 characters/);
    expect(error.message).toMatch(/ENVSYNC_READ_TOKEN: expected at least 32 characters/);
    expect(errorOf({ ENVSYNC_API_TOKEN: long, ENVSYNC_READ_TOKEN: long }).message).toMatch(/ENVSYNC_READ_TOKEN: must differ from ENVSYNC_API_TOKEN/);
    expect(loadSettings({ ENVSYNC_API_TOKEN: long, ENVSYNC_READ_TOKEN: 'b'.repeat(40) })).toMatchObject({ apiToken: long, readToken: 'b'.repeat(40) });
  });

  it('takes vault and dashboard token URLs over https only, plain http only on loopback hosts', () => {
    const error = errorOf({ ENVSYNC_VAULT_URL: 'http://vault.example.com/v1/secret', ENVSYNC_DASHBOARD_TOKEN_URLS: 'https://ok.example.com/t,http://dash.example.com/t' });
    expect(error.message).toMatch(/ENVSYNC_VAULT_URL: expected an https URL/);
    expect(error.message).toMatch(/ENVSYNC_DASHBOARD_TOKEN_URLS: expected an https URL/);
    expect(error.message).toMatch(/2 problems/);
    const local = loadSettings({
      ENVSYNC_VAULT_URL: 'http://127.0.0.1:8200/v1/secret',
      ENVSYNC_DASHBOARD_TOKEN_URLS: 'http://localhost:9000/tokens,http://[::1]:9000/tokens,https://dash.example.com/tokens',
    });
    expect(local.discovery.vaultUrl).toBe('http://127.0.0.1:8200/v1/secret');
    expect(local.discovery.dashboardUrls).toHaveLength(3);
    expect(errorOf({ ENVSYNC_VAULT_URL: 'http://127.0.0.1.evil.example/v1' }).message).toMatch(/ENVSYNC_VAULT_URL/);
  });

  it('refuses an include prefix that can only match names the runtime sets, naming the family', () => {
    for (const prefix of ['AWS_', 'AWS_SECRET', 'LAMBDA_', '_', 'NODE_']) {
      const error = errorOf({ ENVSYNC_INCLUDE_PREFIXES: `APP_,${prefix}` });
      expect(error.message).toMatch(/ENVSYNC_INCLUDE_PREFIXES: a prefix matches only (AWS_|LAMBDA_|_|NODE_)\* names, which the function's runtime sets/);
    }
    expect(loadSettings({ ENVSYNC_INCLUDE_PREFIXES: 'AWS,NETLIFY_,APP_' }).includePrefixes).toEqual(['AWS', 'NETLIFY_', 'APP_']);
  });
});
