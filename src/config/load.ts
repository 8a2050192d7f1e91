import { SyncError } from '../errors.ts';
import type { EnvSource } from './general.ts';
import { settingNames, settingsSchema, type Settings } from './settings.ts';

export type { EnvSource } from './general.ts';

/**
 * Parses and validates every setting at once.
 *
 * @throws SyncError `config-invalid` listing every bad setting with what was expected. The message
 *   names settings but never repeats what was given: a mistyped setting may well hold a token.
 */
export function loadSettings(env: EnvSource): Settings {
  const input: Record<string, string | undefined> = {};
  for (const name of settingNames) input[name] = env[name];
  const result = settingsSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = [
    ...new Set(result.error.issues.map((issue) => `${String(issue.path[0] ?? '(settings)')}: ${issue.message}`)),
  ];
  throw new SyncError(
    'config-invalid',
    `EnvSync's configuration is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.join('; ')}. Fix these environment variables and try again.`,
  );
}

/** The names EnvSync keeps out of the canonical set; see {@link isReservedKey}. */
export function reservedKeys(settings: Pick<Settings, 'reservedKeys'>): ReadonlySet<string> {
  return new Set(settings.reservedKeys);
}

export { isReservedKey } from './reserved.ts';
