import { describe, expect, it } from 'vitest';
import { testSettings } from '../../test/support/settings.ts';
import { loadCanonical } from './canonical.ts';

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
