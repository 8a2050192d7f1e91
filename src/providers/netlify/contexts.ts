import type { NetlifyOptions } from './settings.ts';

/**
 * Netlify's deploy contexts and scopes, translated between the API's shape and EnvSync's.
 *
 * EnvSync names a context by one string: `production`, `deploy-preview`, `branch-deploy`, `dev`,
 * `dev-server`, `all`, or `branch:<name>` for the API's `{context: 'branch', context_parameter}`.
 * That string is what plans, reports and the ledger carry.
 */

/** A context as the API writes it in a value object. */
export interface ApiContext {
  readonly context: string;
  readonly context_parameter?: string;
}

const branchPrefix = 'branch:';

/**
 * The contexts a secret gets when ENVSYNC_NETLIFY_CONTEXTS is `all`.
 *
 * Netlify secrets need explicit contexts, so `all` is split the way netlify-cli's
 * `env:set --secret` splits it, minus `dev`: a secret's local-development value is readable by
 * anyone on the team (UI, API, CLI), so EnvSync never writes a secret there.
 */
export const secretContextsForAll = ['production', 'deploy-preview', 'branch-deploy', 'dev-server'] as const;

/** The context whose values stay readable for secrets; EnvSync never writes a secret into it. */
const readableSecretContext = 'dev';

/** Scopes a new secret gets: every scope except post-processing, which secrets may not have. */
export const defaultSecretScopes = ['builds', 'functions', 'runtime'] as const;

/** EnvSync's context string to the API's `{context, context_parameter}`. */
export function toApiContext(context: string): ApiContext {
  return context.startsWith(branchPrefix)
    ? { context: 'branch', context_parameter: context.slice(branchPrefix.length) }
    : { context };
}

/**
 * The API's `{context, context_parameter}` to EnvSync's context string. A `branch` value without a
 * branch name stays `branch`, which no setting can name, so EnvSync never manages it.
 */
export function fromApiContext(context: string, parameter: string | null | undefined): string {
  return context === 'branch' && parameter !== undefined && parameter !== null && parameter !== ''
    ? `${branchPrefix}${parameter}`
    : context;
}

/** Whether a key is written as a Netlify secret: listed in ENVSYNC_NETLIFY_SECRET_KEYS or matching a secret prefix. */
export function isNetlifySecret(key: string, options: NetlifyOptions): boolean {
  const { secretKeys, secretPrefixes } = options;
  return secretKeys.includes(key) || secretPrefixes.some((prefix) => key.startsWith(prefix));
}

/**
 * The contexts EnvSync manages for `key`: ENVSYNC_NETLIFY_CONTEXTS, except that a secret never
 * uses `all` (expanded to {@link secretContextsForAll}) nor `dev` (its values are readable).
 */
export function netlifyContextsFor(key: string, options: NetlifyOptions): readonly string[] {
  const contexts = options.contexts;
  if (!isNetlifySecret(key, options)) return contexts;
  if (managesEveryContext(options)) return secretContextsForAll;
  return contexts.filter((context) => context !== readableSecretContext);
}

/**
 * Whether ENVSYNC_NETLIFY_CONTEXTS is `all`, i.e. every value of a managed key is EnvSync's to
 * replace. Only then may a write drop a variable's `all` value (to turn it into a secret).
 */
export function managesEveryContext(options: NetlifyOptions): boolean {
  return options.contexts.length === 1 && options.contexts[0] === 'all';
}

/**
 * One spelling per scope. The API has been seen returning `post_processing` (netlify-cli) while
 * its spec says `post-processing`; Terraform folds `_` and spaces into `-`, and so does this.
 */
export function normalizeScope(scope: string): string {
  return scope.trim().toLowerCase().replace(/[_\s]+/g, '-');
}

/** Whether a scope list includes post-processing, in either spelling. */
export function hasPostProcessing(scopes: readonly string[]): boolean {
  return scopes.some((scope) => normalizeScope(scope) === 'post-processing');
}

/**
 * The scopes to send when a variable becomes a secret: its current scopes (in the spelling the API
 * returned) without post-processing, or every other scope when it had none listed.
 */
export function secretScopesFrom(scopes: readonly string[] | undefined): string[] {
  const kept = (scopes ?? []).filter((scope) => normalizeScope(scope) !== 'post-processing');
  return kept.length > 0 ? kept : [...defaultSecretScopes];
}
