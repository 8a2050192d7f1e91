import { SyncError } from '../errors.ts';
import type { EnvSource } from './general.ts';
import { settingNames, settingsSchema, type Settings } from './settings.ts';

export type { EnvSource } from './general.ts';

/** One setting that fails validation: its name and what was expected (never what it held). */
export interface SettingProblem {
  readonly setting: string;
  readonly message: string;
}

/**
 * Parses and validates every setting at once, returning every problem instead of throwing (health
 * lists the names of the settings at fault).
 */
export function parseSettings(env: EnvSource): { readonly ok: true; readonly settings: Settings } | { readonly ok: false; readonly problems: readonly SettingProblem[] } {
  const input: Record<string, string | undefined> = {};
  for (const name of settingNames) input[name] = env[name];
  const result = settingsSchema.safeParse(input);
  if (result.success) return { ok: true, settings: result.data };
  const seen = new Set<string>();
  const problems: SettingProblem[] = [];
  for (const issue of result.error.issues) {
    const problem = { setting: String(issue.path[0] ?? '(settings)'), message: issue.message };
    const id = `${problem.setting}: ${problem.message}`;
    if (!seen.has(id)) problems.push(problem);
    seen.add(id);
  }
  return { ok: false, problems };
}

/**
 * Parses and validates every setting at once.
 *
 * @throws SyncError `config-invalid` listing every bad setting with what was expected. The message
 *   names settings but never repeats what was given: a mistyped setting may well hold a token.
 */
export function loadSettings(env: EnvSource): Settings {
  const parsed = parseSettings(env);
  if (parsed.ok) return parsed.settings;
  const problems = parsed.problems.map((problem) => `${problem.setting}: ${problem.message}`);
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
