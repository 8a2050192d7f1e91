import { describe, expect, it } from 'vitest';
import { testSettings } from '../../test/support/settings.ts';
import { createKeyFilter, loadCanonical } from './canonical.ts';

describe('loadCanonical', () => {
  it('keeps keys with an include prefix and no exclude prefix', async () => {
    const settings = testSettings({ ENVSYNC_INCLUDE_PREFIXES: 'APP_,PUBLIC_', ENVSYNC_EXCLUDE_PREFIXES: 'APP_LOCAL_' });
    const env = { APP_A: '1', PUBLIC_B: '2', APP_LOCAL_C: '3', PATH: '/bin', HOME: '/root' };
    const canonical = await loadCanonical(settings, env);
    expect(Object.fromEntries(canonical.values)).toEqual({ APP_A: '1', PUBLIC_B: '2' });
    expect(canonical.source).toBe('environment');
  });

  it("never includes EnvSync's own credentials, whatever the prefixes say", async () => {
    const settings = testSettings({ ENVSYNC_INCLUDE_PREFIXES: 'ENVSYNC_,RENDER_,NETLIFY_,APP_' });
    const env = {
      ENVSYNC_API_TOKEN: 'a',
      ENVSYNC_LEDGER_SECRET: 'b',
      ENVSYNC_VAULT_TOKEN: 'c',
      RENDER_API_TOKEN: 'd',
      NETLIFY_API_TOKEN: 'e',
      NETLIFY_AUTH_TOKEN: 'f',
      RENDER_SERVICE_ID: 'g',
      NETLIFY_FRONTEND_URL: 'kept',
      APP_X: 'kept',
    };
    const canonical = await loadCanonical(settings, env);
    expect([...canonical.values.keys()].sort()).toEqual(['APP_X', 'NETLIFY_FRONTEND_URL']);
  });

  it('never includes the runtime\'s credentials and variables, whatever the prefixes say, but keeps a user\'s own NETLIFY_ variable', async () => {
    const settings = testSettings({ ENVSYNC_INCLUDE_PREFIXES: 'A,L,N,P,H,T,S,U,D' });
    const env = {
      AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key',
      AWS_SESSION_TOKEN: 'fake-session-token',
      AWS_ACCESS_KEY_ID: 'fake-key-id',
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'envsync-apply',
      LAMBDA_TASK_ROOT: '/var/task',
      NETLIFY_BLOBS_CONTEXT: 'eyJ0b2tlbiI6ImZha2UifQ==',
      NETLIFY_PURGE_API_TOKEN: 'fake-purge-token',
      NETLIFY_FUNCTIONS_TOKEN: 'fake-functions-token',
      NETLIFY_DEV: 'true',
      NETLIFY_LOCAL: 'true',
      NETLIFY_CLI_VERSION: '23.0.0',
      NODE_OPTIONS: '--max-old-space-size=1024',
      PATH: '/usr/bin',
      NODE: '/usr/bin/node',
      HOME: '/home/sbx',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      SITE_ID: 'site-1',
      URL: 'https://example.netlify.app',
      NETLIFY_FRONTEND_URL: 'kept',
      APP_X: 'kept',
      LOG_LEVEL: 'kept',
    };
    const kept = await loadCanonical(settings, env);
    expect([...kept.values.keys()].sort()).toEqual(['APP_X', 'LOG_LEVEL', 'NETLIFY_FRONTEND_URL']);
  });

  it('keeps the Lambda runtime\'s _ names out even if a prefix for them got past the settings check', () => {
    // The settings refuse a `_` prefix; the filter denies the family on its own as well.
    const isManaged = createKeyFilter({ ...testSettings(), includePrefixes: ['_', 'APP_'] });
    expect(['_HANDLER', '_X_AMZN_TRACE_ID', '_AWS_XRAY_DAEMON_ADDRESS', 'APP_X'].filter(isManaged)).toEqual(['APP_X']);
  });

  it('treats an empty include list as a configuration error, never as everything', async () => {
    const settings = testSettings({ ENVSYNC_ENABLED: 'false', ENVSYNC_INCLUDE_PREFIXES: '' });
    await expect(loadCanonical(settings, { APP_A: '1' })).rejects.toMatchObject({ code: 'canonical-invalid' });
  });

  it('reads a dotenv file instead of the environment, filtered the same way', async () => {
    const settings = testSettings({ ENVSYNC_CANONICAL_FILE: '/cfg/canonical.env' });
    const files: Record<string, string> = { '/cfg/canonical.env': 'APP_A=1\nOTHER=2\n' };
    const canonical = await loadCanonical(settings, { APP_FROM_ENV: 'ignored' }, (path) => Promise.resolve(files[path] ?? ''));
    expect(Object.fromEntries(canonical.values)).toEqual({ APP_A: '1' });
    expect(canonical.source).toBe('file:/cfg/canonical.env');
  });

  it('names an unreadable canonical file and what to check', async () => {
    const settings = testSettings({ ENVSYNC_CANONICAL_FILE: '/nope/canonical.env' });
    await expect(loadCanonical(settings, {})).rejects.toThrow(/ENVSYNC_CANONICAL_FILE \/nope\/canonical\.env could not be read \(ENOENT\)/);
  });
});
