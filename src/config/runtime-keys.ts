/**
 * Names the platform puts in a function's environment: the Lambda runtime's credentials and
 * settings, Netlify's own variables, the process basics. They are never part of the canonical set,
 * whatever the include prefixes say: `AWS_SESSION_TOKEN` or `NETLIFY_BLOBS_CONTEXT` (a Blobs token)
 * synced to every target would hand the function's own credentials to anyone who can read a
 * target's variables. Measured: even netlify-cli's local runtime injects `AWS_REGION`,
 * `AWS_LAMBDA_*`, `NETLIFY_DEV`, `NETLIFY_LOCAL`, `NETLIFY_CLI_VERSION` and `NETLIFY_BLOBS_CONTEXT`.
 */

/**
 * Whole families: every name starting with one of these is the runtime's. `_` covers `_HANDLER`,
 * `_X_AMZN_TRACE_ID`, `_AWS_XRAY_DAEMON_ADDRESS` and the like.
 */
export const deniedKeyFamilies = ['AWS_', 'LAMBDA_', '_', 'NODE_'] as const;

/**
 * The variables Netlify's runtime sets (a user's own `NETLIFY_`-prefixed variable stays
 * syncable): the Blobs context, the cache-purge and functions tokens, the branch, the local
 * runtime's markers, and the read-only site variables functions see (`URL`, `SITE_ID`,
 * `SITE_NAME`, docs.netlify.com/build/functions/environment-variables).
 */
export const netlifyRuntimeKeys = [
  'NETLIFY_BLOBS_CONTEXT',
  'NETLIFY_PURGE_API_TOKEN',
  'NETLIFY_FUNCTIONS_TOKEN',
  'NETLIFY_BRANCH',
  'NETLIFY_DEV',
  'NETLIFY_LOCAL',
  'NETLIFY_CLI_VERSION',
  'NETLIFY',
  'URL',
  'SITE_ID',
  'SITE_NAME',
  'DEPLOY_ID',
] as const;

/** The process basics every runtime sets (`NODE` is the node binary's path, set by npm and netlify-cli). */
export const processKeys = ['PATH', 'HOME', 'TZ', 'LANG', 'LD_LIBRARY_PATH', 'PWD', 'SHLVL', 'NODE'] as const;

const exactKeys: ReadonlySet<string> = new Set([...netlifyRuntimeKeys, ...processKeys]);

/** Whether a variable name is the runtime's own and so can never be synced. */
export function isRuntimeKey(key: string): boolean {
  return exactKeys.has(key) || deniedKeyFamilies.some((family) => key.startsWith(family));
}

/**
 * The denied family an include prefix is confined to (every key it can match is denied), or
 * `undefined`: `AWS_` and `AWS_S` are confined to `AWS_`; `AWS` is not (it also matches `AWSOME_X`).
 */
export function deniedFamilyOf(prefix: string): string | undefined {
  return deniedKeyFamilies.find((family) => prefix.startsWith(family));
}
