import { describe, expect, it } from 'vitest';
import { preflightOf } from './limits.ts';
import { resolveVercelSettings, vercelSettingsSchema } from './settings.ts';

const options = (env: Record<string, string> = {}) => resolveVercelSettings(vercelSettingsSchema.parse(env)).options;

describe('the Vercel preflight', () => {
  it('warns that a sensitive key skips development, and about reserved names', () => {
    const warnings = preflightOf(new Map([['APP_SECRET', 's'], ['TZ', 'UTC'], ['APP_A', 'a']]), { values: [] }, options({ ENVSYNC_VERCEL_SENSITIVE_KEYS: 'APP_SECRET' }));

    expect(warnings.map((warning) => [warning.code, warning.key, warning.context])).toEqual([
      ['sensitive-development', 'APP_SECRET', 'development'],
      ['reserved-name', 'TZ', undefined],
    ]);
    expect(JSON.stringify(warnings)).not.toContain('UTC');
  });

  it('says nothing about development when it is not managed', () => {
    expect(preflightOf(new Map([['APP_SECRET', 's']]), { values: [] }, options({ ENVSYNC_VERCEL_SENSITIVE_KEYS: 'APP_SECRET', ENVSYNC_VERCEL_TARGETS: 'production' }))).toEqual([]);
  });

  it('sums the 64 KB over every variable of an environment, unmanaged readable values included', () => {
    const desired = new Map([['APP_BIG', 'x'.repeat(40_000)]]);
    const unmanaged = { values: [{ key: 'OTHER', context: 'production', value: 'y'.repeat(30_000), secret: false }] };
    const warnings = preflightOf(desired, unmanaged, options());

    expect(warnings.map((warning) => [warning.code, warning.context])).toEqual([['size-limit', 'production']]);
    expect(preflightOf(desired, { values: [] }, options())).toEqual([]);
  });
});
