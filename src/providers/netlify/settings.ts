import * as z from 'zod';
import { keyNameSchema, prefixSchema, targetIdSchema } from '../../config/general.ts';
import { csvSetting, optionalString, optionalUrlSetting, urlSetting } from '../../config/fields.ts';
import { defineProviderSettings, listOf } from '../../core/provider-settings.ts';

/** Deploy contexts Netlify knows by name; any other context is `branch:<name>`. */
export const netlifyNamedContexts = ['all', 'production', 'deploy-preview', 'branch-deploy', 'dev', 'dev-server'] as const;

const netlifyContext = z
  .string()
  .refine(
    (value) => (netlifyNamedContexts as readonly string[]).includes(value) || /^branch:[^\s,]+$/.test(value),
    `expected ${netlifyNamedContexts.join(', ')} or branch:<branch name>`,
  );

/** Netlify's own options, as its adapter reads them. */
export interface NetlifyOptions {
  /** ENVSYNC_NETLIFY_CONTEXTS: the deploy contexts EnvSync manages. */
  readonly contexts: readonly string[];
  readonly secretPrefixes: readonly string[];
  readonly secretKeys: readonly string[];
  /** ENVSYNC_NETLIFY_BUILD_HOOK: used instead of an API build when exactly one site is configured. */
  readonly buildHook: string | undefined;
  /** NETLIFY_ACCOUNT_ID: skips the per-run account lookup. */
  readonly accountId: string | undefined;
}

/**
 * Netlify's settings. ENVSYNC_NETLIFY_SITE_ID lists the sites; NETLIFY_SITE_ID (which Netlify sets
 * in every build and function of a site) is the fallback, so EnvSync deployed on the site it syncs
 * needs no site setting. The token is NETLIFY_API_TOKEN.
 */
export const netlifySettings = defineProviderSettings({
  shape: {
    ENVSYNC_NETLIFY_SITE_ID: csvSetting(targetIdSchema, []),
    NETLIFY_SITE_ID: csvSetting(targetIdSchema, []),
    NETLIFY_API_URL: urlSetting('https://api.netlify.com/api/v1'),
    ENVSYNC_NETLIFY_CONTEXTS: csvSetting(netlifyContext, ['all']),
    ENVSYNC_NETLIFY_SECRET_PREFIXES: csvSetting(prefixSchema, []),
    ENVSYNC_NETLIFY_SECRET_KEYS: csvSetting(keyNameSchema, []),
    ENVSYNC_NETLIFY_BUILD_HOOK: optionalUrlSetting(),
    NETLIFY_ACCOUNT_ID: optionalString(),
  },
  targetSetting: 'ENVSYNC_NETLIFY_SITE_ID',
  apiUrlSetting: 'NETLIFY_API_URL',
  check: (raw, problem, { targeted }) => {
    const contexts = listOf(raw['ENVSYNC_NETLIFY_CONTEXTS']);
    if (contexts.includes('all') && contexts.length > 1) {
      problem('ENVSYNC_NETLIFY_CONTEXTS', "expected either 'all' alone or a list of specific contexts");
    }
    if (targeted && listOf(raw['ENVSYNC_NETLIFY_SITE_ID']).length === 0 && listOf(raw['NETLIFY_SITE_ID']).length === 0) {
      problem('ENVSYNC_NETLIFY_SITE_ID', 'required when ENVSYNC_TARGETS includes netlify: one or more site ids (NETLIFY_SITE_ID is read as a fallback)');
    }
  },
  resolve: (parsed) => {
    const sites = parsed.ENVSYNC_NETLIFY_SITE_ID.length > 0 ? parsed.ENVSYNC_NETLIFY_SITE_ID : parsed.NETLIFY_SITE_ID;
    const options: NetlifyOptions = {
      contexts: parsed.ENVSYNC_NETLIFY_CONTEXTS,
      secretPrefixes: parsed.ENVSYNC_NETLIFY_SECRET_PREFIXES,
      secretKeys: parsed.ENVSYNC_NETLIFY_SECRET_KEYS,
      buildHook: parsed.ENVSYNC_NETLIFY_BUILD_HOOK,
      accountId: parsed.NETLIFY_ACCOUNT_ID,
    };
    return { targetIds: [...new Set(sites)], apiUrl: parsed.NETLIFY_API_URL, options };
  },
});
