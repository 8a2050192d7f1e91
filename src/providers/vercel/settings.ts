import * as z from 'zod';
import { csvSetting, isLoopbackUrl, optionalString, urlSetting } from '../../config/fields.ts';
import { defineProviderSettings, listOf } from '../../core/provider-settings.ts';

/**
 * The Vercel provider's own settings, as a zod fragment keyed by environment variable name, and the
 * parsed shape every module of `./` reads (never the global settings object), so the provider owns
 * its configuration end to end.
 */

/** Vercel's standard environments; anything else in ENVSYNC_VERCEL_TARGETS is a custom environment slug. */
export const standardTargets = ['production', 'preview', 'development'] as const;
export type StandardTarget = (typeof standardTargets)[number];

/** The types EnvSync may write. `sensitive` values can never be read back; `plain` ones are readable by anyone on the project. */
export const writableTypes = ['encrypted', 'sensitive', 'plain'] as const;
export type WritableType = (typeof writableTypes)[number];

const projectRef = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected project ids (prj_...) or names');
const targetName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected production, preview, development or custom environment slugs');
const prefix = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected key prefixes made of letters, digits and _');
const keyName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected variable names');
// A deploy hook URL is its own credential: https only, plain http for loopback hosts (the emulator).
const hookEntry = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*=https?:\/\/\S+$/i, 'expected <project>=<deploy hook URL> pairs')
  .refine((entry) => {
    const url = entry.slice(entry.indexOf('=') + 1);
    return URL.canParse(url) && (/^https:/i.test(url) || isLoopbackUrl(url));
  }, 'expected <project>=<https deploy hook URL> pairs (plain http only for localhost or 127.0.0.1)');
const typeSetting = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() !== '' ? value.trim().toLowerCase() : 'encrypted'),
  z.enum(writableTypes, { error: `expected one of ${writableTypes.join(', ')}` }),
);

/** Every Vercel setting, by environment variable name (documented in docs/ENVSYNC_ENGINE.md). */
export const vercelSettingsShape = {
  ENVSYNC_VERCEL_PROJECT_ID: csvSetting(projectRef, []),
  VERCEL_TEAM_ID: optionalString(),
  VERCEL_API_URL: urlSetting('https://api.vercel.com'),
  ENVSYNC_VERCEL_TARGETS: csvSetting(targetName, [...standardTargets]),
  ENVSYNC_VERCEL_SENSITIVE_KEYS: csvSetting(keyName, []),
  ENVSYNC_VERCEL_SENSITIVE_PREFIXES: csvSetting(prefix, []),
  ENVSYNC_VERCEL_TYPE: typeSetting,
  ENVSYNC_VERCEL_DEPLOY_HOOKS: csvSetting(hookEntry, []),
} as const;

/** The fragment alone, for tests that parse Vercel settings without the rest. */
export const vercelSettingsSchema = z.object(vercelSettingsShape);

/** The Vercel provider's own options, as its modules read them. */
export interface VercelOptions {
  /** Sent as `teamId` on every request when set (VERCEL_TEAM_ID). */
  readonly teamId: string | undefined;
  /** Managed environments: standard names and custom environment slugs (ENVSYNC_VERCEL_TARGETS). */
  readonly targets: readonly string[];
  readonly sensitiveKeys: readonly string[];
  readonly sensitivePrefixes: readonly string[];
  /** The type of every non-sensitive key (ENVSYNC_VERCEL_TYPE). */
  readonly type: WritableType;
  /** Deploy hook URL per project id or name (ENVSYNC_VERCEL_DEPLOY_HOOKS). */
  readonly deployHooks: ReadonlyMap<string, string>;
}

/** What the fragment resolves to: the projects, the API URL and the options. */
export interface VercelSettings {
  /** Projects to sync, by id or name (ENVSYNC_VERCEL_PROJECT_ID). */
  readonly targetIds: readonly string[];
  readonly apiUrl: string;
  readonly options: VercelOptions;
}

/** Turns the parsed fragment into {@link VercelSettings}. */
export function resolveVercelSettings(raw: z.infer<typeof vercelSettingsSchema>): VercelSettings {
  return {
    targetIds: [...new Set(raw.ENVSYNC_VERCEL_PROJECT_ID)],
    apiUrl: raw.VERCEL_API_URL,
    options: {
      teamId: raw.VERCEL_TEAM_ID,
      targets: [...new Set(raw.ENVSYNC_VERCEL_TARGETS)],
      sensitiveKeys: raw.ENVSYNC_VERCEL_SENSITIVE_KEYS,
      sensitivePrefixes: raw.ENVSYNC_VERCEL_SENSITIVE_PREFIXES,
      type: raw.ENVSYNC_VERCEL_TYPE,
      deployHooks: new Map(raw.ENVSYNC_VERCEL_DEPLOY_HOOKS.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)])),
    },
  };
}

/**
 * Vercel's settings, composed into the one settings schema by the registry. The projects are
 * required when `vercel` is in ENVSYNC_TARGETS; the token is VERCEL_API_TOKEN, found through the
 * discovery chain.
 */
export const vercelSettings = defineProviderSettings({
  shape: vercelSettingsShape,
  targetSetting: 'ENVSYNC_VERCEL_PROJECT_ID',
  apiUrlSetting: 'VERCEL_API_URL',
  check: (raw, problem, { targeted }) => {
    if (targeted && listOf(raw['ENVSYNC_VERCEL_PROJECT_ID']).length === 0) {
      problem('ENVSYNC_VERCEL_PROJECT_ID', 'required when ENVSYNC_TARGETS includes vercel: one or more project ids (prj_...) or names');
    }
    if (listOf(raw['ENVSYNC_VERCEL_TARGETS']).length === 0 && Array.isArray(raw['ENVSYNC_VERCEL_TARGETS'])) {
      problem('ENVSYNC_VERCEL_TARGETS', 'expected at least one environment (production, preview, development or a custom slug)');
    }
  },
  resolve: resolveVercelSettings,
});

/** Whether a target name is one of Vercel's standard environments. */
export function isStandardTarget(target: string): target is StandardTarget {
  return (standardTargets as readonly string[]).includes(target);
}

/** Whether a key is written as `sensitive`: listed, prefixed, or every key when ENVSYNC_VERCEL_TYPE is `sensitive`. */
export function isSensitiveKey(key: string, options: VercelOptions): boolean {
  return options.type === 'sensitive' || options.sensitiveKeys.includes(key) || options.sensitivePrefixes.some((start) => key.startsWith(start));
}

/** The type a key is written as. */
export function typeFor(key: string, options: VercelOptions): WritableType {
  return isSensitiveKey(key, options) ? 'sensitive' : options.type;
}

/**
 * The environments EnvSync manages for `key`: ENVSYNC_VERCEL_TARGETS, without `development` for a
 * sensitive key ("Development environment variables cannot be made sensitive"; the preflight
 * reports the slot as skipped).
 */
export function targetsFor(key: string, options: VercelOptions): readonly string[] {
  return isSensitiveKey(key, options) ? options.targets.filter((target) => target !== 'development') : options.targets;
}
