import { loadSettings } from '../../src/config/load.ts';
import type { Settings } from '../../src/config/settings.ts';

/** A valid enabled configuration for one Render target, with overrides as environment variables. */
export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    ENVSYNC_ENABLED: 'true',
    ENVSYNC_MODE: 'enforce',
    ENVSYNC_TARGETS: 'render',
    RENDER_SERVICE_ID: 'srv-a',
    ENVSYNC_INCLUDE_PREFIXES: 'APP_',
    ENVSYNC_LEDGER_SECRET: 'test-ledger-secret-0123456789',
    ENVSYNC_DISCOVERY_ORDER: 'env',
    RENDER_API_TOKEN: 'rnd_test_token',
    NETLIFY_API_TOKEN: 'nfp_test_token',
    ...overrides,
  };
}

/** Parsed settings for {@link testEnv}. */
export function testSettings(overrides: Record<string, string | undefined> = {}): Settings {
  return loadSettings(testEnv(overrides));
}
