import { parseSyncBody, type SyncBody } from '../../src/service/api/schemas.ts';
import type { Emulator } from '../emulator/server.ts';
import type { CallResult } from './runtime.ts';
import { demoCanonical, demoTargets, demoTokens } from '../emulator/sample-data.ts';

/** The API token the end-to-end runtimes accept. */
export const apiToken = 'e2e-api-token-5f1c0d2a9b7e-0123456789abcdef';

/** Paths of the functions. */
export const fn = (name: string, rest = '') => `/.netlify/functions/envsync-${name}${rest}`;

/**
 * The environment of an end-to-end runtime: enabled, enforcing, the emulator's sample accounts
 * (two Render services, one Netlify site), tokens in the environment, the demo canonical set.
 */
export function runtimeEnv(emulator: Emulator, overrides: Readonly<Record<string, string | undefined>> = {}): Record<string, string | undefined> {
  return {
    ENVSYNC_ENABLED: 'true',
    ENVSYNC_MODE: 'enforce',
    ENVSYNC_TARGETS: 'render,netlify',
    RENDER_SERVICE_ID: demoTargets.render.join(','),
    ENVSYNC_NETLIFY_SITE_ID: demoTargets.netlify.join(','),
    ENVSYNC_INCLUDE_PREFIXES: 'APP_',
    ENVSYNC_LEDGER_SECRET: 'e2e-ledger-secret-8d3f6a1c2b',
    ENVSYNC_DISCOVERY_ORDER: 'env',
    ENVSYNC_API_TOKEN: apiToken,
    RENDER_API_TOKEN: demoTokens.render,
    NETLIFY_API_TOKEN: demoTokens.netlify,
    RENDER_API_URL: emulator.renderApiUrl,
    NETLIFY_API_URL: emulator.netlifyApiUrl,
    ...demoCanonical,
    ...overrides,
  };
}

/** Every secret the runtimes know: none may ever appear in a response. */
export function secretsOf(env: Readonly<Record<string, string | undefined>>): string[] {
  return [env['ENVSYNC_API_TOKEN'], env['ENVSYNC_LEDGER_SECRET'], env['RENDER_API_TOKEN'], env['NETLIFY_API_TOKEN'], ...Object.values(demoCanonical)].filter(
    (value): value is string => value !== undefined && value.length >= 6,
  );
}

/** Polls until `check` returns something other than `undefined`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A sync endpoint's 200 answer, read through the one declared response schema (src/service/api/schemas.ts). */
export function syncBodyOf(result: CallResult): SyncBody {
  return parseSyncBody(result.json);
}
