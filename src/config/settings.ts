import { z } from 'zod';
import { providerIds } from '../providers/ids.ts';
import {
  accessTokenSetting,
  booleanSetting,
  choiceSetting,
  csvSetting,
  integerSetting,
  optionalSecureUrlSetting,
  optionalString,
  optionalUrlSetting,
  secureUrlListSetting,
  urlSetting,
} from './fields.ts';

/** Where a provider token may be found, tried in the order ENVSYNC_DISCOVERY_ORDER gives. */
export const tokenSources = ['env', 'secret_files', 'vault', 'dashboard'] as const;
export type TokenSourceKind = (typeof tokenSources)[number];

/** Deploy contexts Netlify knows by name; any other context is `branch:<name>`. */
export const netlifyNamedContexts = ['all', 'production', 'deploy-preview', 'branch-deploy', 'dev', 'dev-server'] as const;

const netlifyContext = z
  .string()
  .refine(
    (value) => (netlifyNamedContexts as readonly string[]).includes(value) || /^branch:[^\s,]+$/.test(value),
    `expected ${netlifyNamedContexts.join(', ')} or branch:<branch name>`,
  );

const prefix = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected key prefixes made of letters, digits and _');
const keyName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'expected variable names');
const targetId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected ids made of letters, digits, ., _ and -');

/**
 * Every setting EnvSync reads, keyed by its environment variable name. This schema is the single
 * source of truth: the `Settings` type is inferred from it and docs/ENVSYNC_ENGINE.md lists the same
 * rows. Later features add their settings here, never by reading `process.env` elsewhere.
 */
export const settingsSchema = z
  .object({
    ENVSYNC_ENABLED: booleanSetting(false),
    ENVSYNC_MODE: choiceSetting(['dry-run', 'enforce'], 'dry-run'),
    ENVSYNC_SCHEDULE: choiceSetting(['@hourly', '@daily', 'off'], '@hourly'),
    ENVSYNC_TARGETS: csvSetting(z.enum(providerIds, { error: `expected providers from: ${providerIds.join(', ')}` }), []),
    RENDER_SERVICE_ID: csvSetting(targetId, []),
    ENVSYNC_NETLIFY_SITE_ID: csvSetting(targetId, []),
    NETLIFY_SITE_ID: csvSetting(targetId, []),
    ENVSYNC_INCLUDE_PREFIXES: csvSetting(prefix, []),
    ENVSYNC_EXCLUDE_PREFIXES: csvSetting(prefix, []),
    ENVSYNC_ALLOW_DELETIONS: booleanSetting(false),
    ENVSYNC_DELETE_SCOPE: choiceSetting(['owned', 'managed'], 'owned'),
    ENVSYNC_MAX_DELETIONS: integerSetting(10, 0, 10_000),
    ENVSYNC_DISCOVERY_ORDER: csvSetting(z.enum(tokenSources, { error: `expected sources from: ${tokenSources.join(', ')}` }), [
      ...tokenSources,
    ]),
    ENVSYNC_SECRET_DIRS: csvSetting(z.string(), ['/etc/secrets', './secrets']),
    ENVSYNC_SECRET_FILENAMES: csvSetting(z.string().regex(/^[^/\\]+$/, 'expected file names without folders'), [
      'render.token',
      'netlify.token',
    ]),
    ENVSYNC_VAULT_URL: optionalSecureUrlSetting(),
    ENVSYNC_VAULT_TOKEN: optionalString(),
    ENVSYNC_VAULT_TOKEN_KEYS: csvSetting(keyName, ['RENDER_API_TOKEN', 'NETLIFY_API_TOKEN']),
    ENVSYNC_DASHBOARD_TOKEN_URLS: secureUrlListSetting(),
    ENVSYNC_DISCOVERY_TIMEOUT_MS: integerSetting(3_000, 100, 20_000),
    RENDER_API_URL: urlSetting('https://api.render.com/v1'),
    NETLIFY_API_URL: urlSetting('https://api.netlify.com/api/v1'),
    ENVSYNC_API_TOKEN: accessTokenSetting(),
    ENVSYNC_READ_TOKEN: accessTokenSetting(),
    ENVSYNC_CANONICAL_FILE: optionalString(),
    ENVSYNC_LEDGER_SECRET: optionalString(),
    ENVSYNC_REDEPLOY: booleanSetting(false),
    ENVSYNC_NETLIFY_CONTEXTS: csvSetting(netlifyContext, ['all']),
    ENVSYNC_NETLIFY_SECRET_PREFIXES: csvSetting(prefix, []),
    ENVSYNC_NETLIFY_SECRET_KEYS: csvSetting(keyName, []),
    ENVSYNC_NETLIFY_BUILD_HOOK: optionalUrlSetting(),
    NETLIFY_ACCOUNT_ID: optionalString(),
  })
  .superRefine(
    (raw, context) => {
      // Runs even when a single setting failed its own check, so one error lists every problem; any
      // field may therefore still hold its raw input here, hence the defensive reads.
      const problem = (path: string, message: string) => context.addIssue({ code: 'custom', path: [path], message });
      const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
      const set = (value: unknown) => typeof value === 'string' && value.length > 0;
      const ledgerSecret: unknown = raw.ENVSYNC_LEDGER_SECRET;
      if (typeof ledgerSecret === 'string' && ledgerSecret.length < 16) {
        problem('ENVSYNC_LEDGER_SECRET', 'expected at least 16 characters (it keys the fingerprints of written values)');
      }
      if (set(raw.ENVSYNC_READ_TOKEN) && raw.ENVSYNC_READ_TOKEN === raw.ENVSYNC_API_TOKEN) {
        problem('ENVSYNC_READ_TOKEN', 'must differ from ENVSYNC_API_TOKEN: the read token may not write');
      }
      const contexts = list(raw.ENVSYNC_NETLIFY_CONTEXTS);
      if (contexts.includes('all') && contexts.length > 1) {
        problem('ENVSYNC_NETLIFY_CONTEXTS', "expected either 'all' alone or a list of specific contexts");
      }
      if (raw.ENVSYNC_ENABLED !== true) return;
      const targets = list(raw.ENVSYNC_TARGETS);
      if (list(raw.ENVSYNC_INCLUDE_PREFIXES).length === 0) {
        problem('ENVSYNC_INCLUDE_PREFIXES', 'required when ENVSYNC_ENABLED is true: an empty list manages nothing, never everything');
      }
      if (targets.length === 0) problem('ENVSYNC_TARGETS', 'required when ENVSYNC_ENABLED is true, e.g. render,netlify');
      if (!set(ledgerSecret)) {
        problem('ENVSYNC_LEDGER_SECRET', 'required when ENVSYNC_ENABLED is true: a random string of 16+ characters (openssl rand -hex 32)');
      }
      if (targets.includes('render') && list(raw.RENDER_SERVICE_ID).length === 0) {
        problem('RENDER_SERVICE_ID', 'required when ENVSYNC_TARGETS includes render: one or more service ids (srv-...)');
      }
      if (targets.includes('netlify') && list(raw.ENVSYNC_NETLIFY_SITE_ID).length === 0 && list(raw.NETLIFY_SITE_ID).length === 0) {
        problem('ENVSYNC_NETLIFY_SITE_ID', 'required when ENVSYNC_TARGETS includes netlify: one or more site ids (NETLIFY_SITE_ID is read as a fallback)');
      }
    },
    { when: () => true },
  )
  .transform((raw) => ({
    enabled: raw.ENVSYNC_ENABLED,
    mode: raw.ENVSYNC_MODE,
    schedule: raw.ENVSYNC_SCHEDULE,
    targets: [...new Set(raw.ENVSYNC_TARGETS)],
    targetIds: {
      render: [...new Set(raw.RENDER_SERVICE_ID)],
      netlify: [...new Set(raw.ENVSYNC_NETLIFY_SITE_ID.length > 0 ? raw.ENVSYNC_NETLIFY_SITE_ID : raw.NETLIFY_SITE_ID)],
    },
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
    apiUrls: { render: raw.RENDER_API_URL, netlify: raw.NETLIFY_API_URL },
    apiToken: raw.ENVSYNC_API_TOKEN,
    readToken: raw.ENVSYNC_READ_TOKEN,
    canonicalFile: raw.ENVSYNC_CANONICAL_FILE,
    ledgerSecret: raw.ENVSYNC_LEDGER_SECRET,
    redeploy: raw.ENVSYNC_REDEPLOY,
    netlify: {
      contexts: raw.ENVSYNC_NETLIFY_CONTEXTS,
      secretPrefixes: raw.ENVSYNC_NETLIFY_SECRET_PREFIXES,
      secretKeys: raw.ENVSYNC_NETLIFY_SECRET_KEYS,
      buildHook: raw.ENVSYNC_NETLIFY_BUILD_HOOK,
      accountId: raw.NETLIFY_ACCOUNT_ID,
    },
  }));

/** EnvSync's parsed, validated settings. */
export type Settings = z.infer<typeof settingsSchema>;

/** The environment variable names of every setting, for docs and for keeping them out of the canonical set. */
export const settingNames = Object.keys(settingsSchema.in.shape) as readonly string[];
