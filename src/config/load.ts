import { SyncError } from '../errors.ts';
import { settingNames, settingsSchema, type Settings } from './settings.ts';

/** A read-only view of environment variables: `process.env`, `Netlify.env.toObject()` or a test's object. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

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

/**
 * Names that are EnvSync's own credentials or settings. They are never part of the canonical set,
 * whatever the include prefixes say: syncing EnvSync's own token into a target would leak it.
 */
export function reservedKeys(settings: Settings): ReadonlySet<string> {
  return new Set([
    ...settingNames,
    'RENDER_API_TOKEN',
    'NETLIFY_API_TOKEN',
    'NETLIFY_AUTH_TOKEN',
    ...settings.discovery.vaultTokenKeys,
  ]);
}

/** Whether a key belongs to EnvSync itself: a reserved name or anything in the `ENVSYNC_` namespace. */
export function isReservedKey(key: string, reserved: ReadonlySet<string>): boolean {
  return reserved.has(key) || key.startsWith('ENVSYNC_');
}
