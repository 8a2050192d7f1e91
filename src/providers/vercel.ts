import type { ProviderAdapter } from '../core/adapter.ts';
import { connectLazily } from '../core/lazy-connection.ts';
import { vercelAuthHint } from './vercel/errors.ts';
import { preflightOf } from './vercel/limits.ts';
import { isSensitiveKey, targetsFor, vercelSettings, type VercelOptions } from './vercel/settings.ts';

/**
 * Vercel projects as sync targets, through the project env API (`/v10/projects/{id}/env`).
 *
 * A Vercel variable is a record: one key, one value, one type, and the environments it covers. The
 * core plans per (key, environment), like Netlify's contexts; the adapter turns the plan into the
 * fewest requests (one batch create, one edit per record, a split only when a record's environments
 * must differ). `encrypted` and `sensitive` values are never listed: they are compared through the
 * ledger and the record's `updatedAt`, and an `encrypted` one EnvSync has no record of is read once
 * by id. Integration, branch and system records are held: never planned, reported as skipped. The
 * pieces live in `./vercel/`: settings, reading, request planning, applying, errors, redeploys.
 */
export const vercelAdapter: ProviderAdapter<VercelOptions, 'vercel'> = {
  id: 'vercel',
  displayName: 'Vercel',
  targetNoun: 'project',
  tokenName: 'VERCEL_API_TOKEN',
  authHint: vercelAuthHint,
  settings: vercelSettings,
  capabilities: {
    replacesWholeSet: false,
    hidesSecretValues: true,
    // The CLI only asks for confirmation before an empty value, so the API likely accepts it
    // (unverified): an empty value it refuses fails that key with Vercel's code.
    allowsEmptyValues: true,
    hasContexts: true,
  },
  contextsFor: targetsFor,
  isSecret: isSensitiveKey,
  // The connection module (HTTP client, response schemas, writes) loads on the first request.
  connect: (session) =>
    connectLazily(session, async (opened) => (await import('./vercel/connection.ts')).connectVercel(opened, opened.provider), { reveals: true }),
  preflight: preflightOf,
};

export type { VercelOptions } from './vercel/settings.ts';
