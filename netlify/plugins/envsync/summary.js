// @ts-check
// Pure helpers of the EnvSync build plugin: which deploys sync, and how a target's result reads in
// the deploy summary (key names and counts, never a value: the results carry none).
//
// The answer's shape is the one declared sync response (src/service/api/schemas.ts); `npm run
// typecheck` checks this file against it, so the plugin cannot read a field the API does not send.

/** @typedef {import('../../../src/service/api/schemas.ts').SyncBody} SyncBody */
/** @typedef {SyncBody['results'][number]} SyncReport */

/** Most key names listed per target in the summary. */
const maxKeys = 20;

/**
 * Whether this deploy's context is one the plugin syncs after. `branch:<name>` matches a branch deploy of that branch.
 * @param {string} context
 * @param {string} branch
 * @param {readonly string[]} contexts
 */
export function shouldSync(context, branch, contexts) {
  if (contexts.includes(context)) return true;
  return context === 'branch-deploy' && branch !== '' && contexts.includes(`branch:${branch}`);
}

/**
 * One line per target: counts, then the key names changed (or pending, in dry-run mode).
 * @param {SyncReport} result
 */
export function describeResult(result) {
  const { create, update, delete: deleted, noop } = result.summary;
  const changed = [...new Set((result.changes ?? []).filter((change) => change.op !== 'noop').map((change) => change.key))];
  const pending = [...new Set((result.pending ?? []).map((change) => change.key))];
  const list = (/** @type {string[]} */ keys) => (keys.length > maxKeys ? `${keys.slice(0, maxKeys).join(', ')} and ${keys.length - maxKeys} more` : keys.join(', '));
  const verb = result.applied ? '' : ' (not applied)';
  const parts = [`${result.provider}/${result.target}: ${create} create, ${update} update, ${deleted} delete, ${noop} in sync${verb}, ${result.errors.length} error(s)`];
  if (result.applied && changed.length > 0) parts.push(`changed: ${list(changed)}`);
  if (pending.length > 0) parts.push(`pending: ${list(pending)}`);
  if (result.errors.length > 0) parts.push(`errors: ${[...new Set(result.errors.map((error) => error.code))].join(', ')}`);
  return parts.join('; ');
}

