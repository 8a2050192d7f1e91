import type { ProviderAdapter } from '../core/adapter.ts';
import { connectLazily } from '../core/lazy-connection.ts';
import { netlifyAuthHint } from './netlify/errors.ts';
import { isNetlifySecret, netlifyContextsFor } from './netlify/contexts.ts';
import { netlifySettings, type NetlifyOptions } from './netlify/settings.ts';

/**
 * Netlify sites as sync targets, through the env-var API (`/accounts/{account}/env?site_id=`).
 *
 * Values live per deploy context, so EnvSync plans per (key, context) and only ever changes the
 * contexts ENVSYNC_NETLIFY_CONTEXTS names. Secrets (`is_secret`) are write-only: they are compared
 * through the ledger and the variable's `updated_at`, never by their masked value. The pieces
 * live in `./netlify/`: contexts and scopes, reading, request planning, applying, rebuilding.
 */
export const netlifyAdapter: ProviderAdapter<NetlifyOptions, 'netlify'> = {
  id: 'netlify',
  displayName: 'Netlify',
  targetNoun: 'site',
  tokenName: 'NETLIFY_API_TOKEN',
  authHint: netlifyAuthHint,
  credentialAliases: ['NETLIFY_AUTH_TOKEN'],
  settings: netlifySettings,
  capabilities: {
    replacesWholeSet: false,
    hidesSecretValues: true,
    allowsEmptyValues: true,
    hasContexts: true,
  },
  contextsFor: netlifyContextsFor,
  isSecret: isNetlifySecret,
  // The connection module (HTTP client, response schemas, writes) loads on the first request.
  connect: (session) => connectLazily(session, async (opened) => (await import('./netlify/connection.ts')).connectNetlify(opened), { reveals: false }),
};

export { secretContextsForAll } from './netlify/contexts.ts';
export type { NetlifyOptions } from './netlify/settings.ts';
