import { deniedFamilyOf } from './runtime-keys.ts';
import * as z from 'zod';
import { listOf, type SettingProblem } from '../core/provider-settings.ts';
import {
  accessTokenSetting,
  booleanSetting,
  choiceSetting,
  csvSetting,
  durationSetting,
  integerSetting,
  optionalSecureUrlSetting,
  optionalString,
  secureUrlListSetting,
} from './fields.ts';

/**
 * The settings every provider shares: whether and how EnvSync runs, which keys it manages, how
 * tokens are discovered, and EnvSync's own secrets. Provider settings are declared by each
 * provider (`src/providers/<id>/settings.ts`) and merged in by `./settings.ts`.
 *
 * Kept apart from the composition so the core can depend on {@link CoreSettings} without
 * depending on the provider registry (providers depend on the core, never the reverse).
 */

/** A read-only view of environment variables: `process.env`, `Netlify.env.toObject()` or a test's object. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/** Where a provider token may be found, tried in the order ENVSYNC_DISCOVERY_ORDER gives. */
export const tokenSources = ['env', 'secret_files', 'vault', 'dashboard'] as const;
export type TokenSourceKind = (typeof tokenSources)[number];

/** What the general settings need to know about the registered providers: defaults and names only. */
export interface RegistrySummary {
  /** Every registered provider id. */
  readonly ids: readonly [string, ...string[]];
  /** Each provider's token variable name (`RENDER_API_TOKEN`), the default vault keys. */
  readonly tokenNames: readonly string[];
  /** Names that hold a provider credential and must never be synced (token names and their aliases). */
  readonly credentialNames: readonly string[];
}

export const prefixSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected key prefixes made of letters, digits and _');
export const keyNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'expected variable names');
/** A provider's target id: what a `*_ID` CSV setting lists. */
export const targetIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected ids made of letters, digits, ., _ and -');

/** The zod shape of the general settings, keyed by environment variable name. */
export function generalShape(registry: RegistrySummary) {
  return {
    ENVSYNC_ENABLED: booleanSetting(false),
    ENVSYNC_MODE: choiceSetting(['dry-run', 'enforce'], 'dry-run'),
    ENVSYNC_SCHEDULE: choiceSetting(['@hourly', '@daily', 'off'], '@hourly'),
    ENVSYNC_TARGETS: csvSetting(z.enum(registry.ids, { error: `expected providers from: ${registry.ids.join(', ')}` }), []),
    ENVSYNC_INCLUDE_PREFIXES: csvSetting(prefixSchema, []),
    ENVSYNC_EXCLUDE_PREFIXES: csvSetting(prefixSchema, []),
    ENVSYNC_ALLOW_DELETIONS: booleanSetting(false),
    ENVSYNC_DELETE_SCOPE: choiceSetting(['owned', 'managed'], 'owned'),
    ENVSYNC_MAX_DELETIONS: integerSetting(10, 0, 10_000),
    ENVSYNC_DISCOVERY_ORDER: csvSetting(z.enum(tokenSources, { error: `expected sources from: ${tokenSources.join(', ')}` }), [
      ...tokenSources,
    ]),
    ENVSYNC_SECRET_DIRS: csvSetting(z.string(), ['/etc/secrets', './secrets']),
    // One `<provider>.token` per registered provider: the secret-file source matches names by provider id.
    ENVSYNC_SECRET_FILENAMES: csvSetting(
      z.string().regex(/^[^/\\]+$/, 'expected file names without folders'),
      registry.ids.map((id) => `${id}.token`),
    ),
    ENVSYNC_VAULT_URL: optionalSecureUrlSetting(),
    ENVSYNC_VAULT_TOKEN: optionalString(),
    ENVSYNC_VAULT_TOKEN_KEYS: csvSetting(keyNameSchema, registry.tokenNames),
    ENVSYNC_DASHBOARD_TOKEN_URLS: secureUrlListSetting(),
    ENVSYNC_DISCOVERY_TIMEOUT_MS: integerSetting(3_000, 100, 20_000),
    ENVSYNC_API_TOKEN: accessTokenSetting(),
    ENVSYNC_READ_TOKEN: accessTokenSetting(),
    ENVSYNC_CANONICAL_FILE: optionalString(),
    ENVSYNC_LEDGER_SECRET: optionalString(),
    ENVSYNC_REDEPLOY: booleanSetting(false),
    ENVSYNC_WEBHOOK_URLS: secureUrlListSetting(),
    ENVSYNC_WEBHOOK_SECRET: optionalString(),
    ENVSYNC_WEBHOOK_ATTEMPTS: integerSetting(3, 1, 5),
    ENVSYNC_WEBHOOK_TIMEOUT_MS: integerSetting(2_000, 100, 10_000),
    ENVSYNC_WEBHOOK_DEADLINE_MS: integerSetting(5_000, 200, 20_000),
    ENVSYNC_SLACK_WEBHOOK_URL: optionalSecureUrlSetting(),
    ENVSYNC_EVENTS_KEPT: integerSetting(500, 10, 5_000),
    ENVSYNC_PLAN_TTL: durationSetting('24h', 60_000, 30 * 86_400_000),
    ENVSYNC_REQUIRE_PLAN: booleanSetting(false),
    ENVSYNC_ROLLBACK_KEY: optionalString(),
    ENVSYNC_ROLLBACK_RUNS: integerSetting(20, 1, 1_000),
    ENVSYNC_ROLLBACK_DAYS: integerSetting(30, 1, 3_650),
    ENVSYNC_HISTORY_DAYS: integerSetting(90, 1, 3_650),
  };
}

type GeneralShape = ReturnType<typeof generalShape>;
type GeneralFields = { readonly [K in keyof GeneralShape]: z.output<GeneralShape[K]> };

/**
 * Cross-setting checks of the general settings. Runs even when a single setting failed its own
 * check, so one error lists every problem; any field may therefore still hold its raw input here,
 * hence the defensive reads.
 */
export function checkGeneral(raw: Readonly<Record<string, unknown>>, problem: SettingProblem, registry: RegistrySummary): void {
  const set = (value: unknown) => typeof value === 'string' && value.length > 0;
  const ledgerSecret: unknown = raw['ENVSYNC_LEDGER_SECRET'];
  if (typeof ledgerSecret === 'string' && ledgerSecret.length < 16) {
    problem('ENVSYNC_LEDGER_SECRET', 'expected at least 16 characters (it keys the fingerprints of written values)');
  }
  if (set(raw['ENVSYNC_READ_TOKEN']) && raw['ENVSYNC_READ_TOKEN'] === raw['ENVSYNC_API_TOKEN']) {
    problem('ENVSYNC_READ_TOKEN', 'must differ from ENVSYNC_API_TOKEN: the read token may not write');
  }
  // Names the denied family, not the prefix itself: a setting's content is never repeated.
  const confined = new Set(listOf(raw['ENVSYNC_INCLUDE_PREFIXES']).flatMap((item) => (typeof item === 'string' ? (deniedFamilyOf(item) ?? []) : [])));
  if (confined.size > 0) {
    const families = [...confined].map((family) => `${family}*`).join(', ');
    problem('ENVSYNC_INCLUDE_PREFIXES', `a prefix matches only ${families} names, which the function's runtime sets (cloud credentials) and EnvSync never syncs; remove that prefix`);
  }
  const webhookSecret: unknown = raw['ENVSYNC_WEBHOOK_SECRET'];
  if (typeof webhookSecret === 'string' && webhookSecret.length < 16) {
    problem('ENVSYNC_WEBHOOK_SECRET', 'expected at least 16 characters (it keys the HMAC receivers check): openssl rand -hex 32');
  }
  if (listOf(raw['ENVSYNC_WEBHOOK_URLS']).length > 0 && !set(webhookSecret)) {
    problem('ENVSYNC_WEBHOOK_SECRET', 'required when ENVSYNC_WEBHOOK_URLS is set: every webhook is signed with it (openssl rand -hex 32)');
  }
  const rollbackKey: unknown = raw['ENVSYNC_ROLLBACK_KEY'];
  if (typeof rollbackKey === 'string' && rollbackKey.length < 16) {
    problem('ENVSYNC_ROLLBACK_KEY', 'expected at least 16 characters (it encrypts the rollback snapshots); or leave it unset to derive the key from ENVSYNC_LEDGER_SECRET');
  }
  if (raw['ENVSYNC_ENABLED'] !== true) return;
  if (listOf(raw['ENVSYNC_INCLUDE_PREFIXES']).length === 0) {
    problem('ENVSYNC_INCLUDE_PREFIXES', 'required when ENVSYNC_ENABLED is true: an empty list manages nothing, never everything');
  }
  if (listOf(raw['ENVSYNC_TARGETS']).length === 0) {
    problem('ENVSYNC_TARGETS', `required when ENVSYNC_ENABLED is true: one or more of ${registry.ids.join(', ')}`);
  }
  if (!set(ledgerSecret)) {
    problem('ENVSYNC_LEDGER_SECRET', 'required when ENVSYNC_ENABLED is true: a random string of 16+ characters (openssl rand -hex 32)');
  }
}

/** The general settings as the code reads them. */
export function resolveGeneral(raw: GeneralFields, reserved: readonly string[]) {
  return {
    enabled: raw.ENVSYNC_ENABLED,
    mode: raw.ENVSYNC_MODE,
    schedule: raw.ENVSYNC_SCHEDULE,
    targets: [...new Set(raw.ENVSYNC_TARGETS)] as readonly string[],
    includePrefixes: raw.ENVSYNC_INCLUDE_PREFIXES,
    excludePrefixes: raw.ENVSYNC_EXCLUDE_PREFIXES,
    allowDeletions: raw.ENVSYNC_ALLOW_DELETIONS,
    deleteScope: raw.ENVSYNC_DELETE_SCOPE,
    maxDeletions: raw.ENVSYNC_MAX_DELETIONS,
    discovery: {
      order: [...new Set(raw.ENVSYNC_DISCOVERY_ORDER)],
      secretDirs: raw.ENVSYNC_SECRET_DIRS,
      secretFileNames: raw.ENVSYNC_SECRET_FILENAMES,
      vaultUrl: raw.ENVSYNC_VAULT_URL,
      vaultToken: raw.ENVSYNC_VAULT_TOKEN,
      vaultTokenKeys: raw.ENVSYNC_VAULT_TOKEN_KEYS,
      dashboardUrls: raw.ENVSYNC_DASHBOARD_TOKEN_URLS,
      timeoutMs: raw.ENVSYNC_DISCOVERY_TIMEOUT_MS,
    },
    apiToken: raw.ENVSYNC_API_TOKEN,
    readToken: raw.ENVSYNC_READ_TOKEN,
    canonicalFile: raw.ENVSYNC_CANONICAL_FILE,
    ledgerSecret: raw.ENVSYNC_LEDGER_SECRET,
    redeploy: raw.ENVSYNC_REDEPLOY,
    events: {
      webhookUrls: [...new Set(raw.ENVSYNC_WEBHOOK_URLS)],
      webhookSecret: raw.ENVSYNC_WEBHOOK_SECRET,
      attempts: raw.ENVSYNC_WEBHOOK_ATTEMPTS,
      attemptTimeoutMs: raw.ENVSYNC_WEBHOOK_TIMEOUT_MS,
      deadlineMs: raw.ENVSYNC_WEBHOOK_DEADLINE_MS,
      slackWebhookUrl: raw.ENVSYNC_SLACK_WEBHOOK_URL,
      kept: raw.ENVSYNC_EVENTS_KEPT,
    },
    plans: { ttlMs: raw.ENVSYNC_PLAN_TTL, required: raw.ENVSYNC_REQUIRE_PLAN },
    rollback: { key: raw.ENVSYNC_ROLLBACK_KEY, runsKept: raw.ENVSYNC_ROLLBACK_RUNS, daysKept: raw.ENVSYNC_ROLLBACK_DAYS },
    history: { daysKept: raw.ENVSYNC_HISTORY_DAYS },
    /**
     * Names that are EnvSync's own credentials or settings: every setting name, every provider
     * credential, and the vault keys. Never part of the canonical set, whatever the prefixes say.
     */
    reservedKeys: [...new Set([...reserved, ...raw.ENVSYNC_VAULT_TOKEN_KEYS])] as readonly string[],
  };
}

/** The settings every provider shares, as the core reads them. */
export type CoreSettings = ReturnType<typeof resolveGeneral>;
/** The token-discovery part of the settings. */
export type DiscoverySettings = CoreSettings['discovery'];
