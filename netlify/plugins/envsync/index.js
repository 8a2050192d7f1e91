// @ts-check
// EnvSync build plugin: after a successful deploy in one of the configured contexts (production by
// default), ask the deployed site's own apply-all function to sync every target, and show what it
// did (key names and counts per target) in the deploy summary.
//
// Why call the function instead of syncing here: build plugins may only write deploy-scoped Blobs,
// while the ledger, locks and tickets live in the site store. Going through the function keeps one
// code path, one lock per target and one history, whoever starts the sync. onSuccess runs after
// the deploy is live, and cannot fail the deploy: problems are reported in the deploy summary.
//
// It can never loop: the plugin itself never starts a build. EnvSync rebuilds a site only when a
// sync changed it (ENVSYNC_REDEPLOY), so the post-deploy sync of that rebuild finds nothing to
// change and starts nothing.
//
// Only event handlers may be exported from this file (Netlify refuses any other export); the
// helpers live in ./summary.js.
import { describeResult, shouldSync } from './summary.js';

/** @typedef {import('../../../src/service/api/schemas.ts').SyncBody} SyncBody */

/**
 * @param {{ utils: { status: { show: (status: { title: string, summary: string, text?: string }) => void } },
 *           inputs: { contexts?: string, timeoutSeconds?: number | string } }} options
 */
export async function onSuccess({ utils, inputs }) {
  const show = (/** @type {string} */ summary, /** @type {string | undefined} */ text = undefined) => utils.status.show({ title: 'EnvSync', summary, ...(text ? { text } : {}) });
  const log = (/** @type {string} */ line) => console.log(`EnvSync: ${line}`);
  const context = process.env['CONTEXT'] ?? '';
  const branch = process.env['BRANCH'] ?? '';
  const contexts = String(inputs.contexts ?? 'production').split(',').map((item) => item.trim()).filter(Boolean);
  if (!shouldSync(context, branch, contexts)) {
    const summary = `Skipped: deploy context "${context}" is not in the plugin's contexts (${contexts.join(', ')}).`;
    log(summary);
    return show(summary);
  }
  const siteUrl = process.env['URL'];
  const token = process.env['ENVSYNC_API_TOKEN'];
  if (!siteUrl || !token) {
    return show('Skipped: URL or ENVSYNC_API_TOKEN is not available to the build. Give ENVSYNC_API_TOKEN the Builds scope.');
  }
  const timeoutMs = Number(inputs.timeoutSeconds ?? 50) * 1000;
  try {
    const response = await fetch(new URL('/.netlify/functions/envsync-apply-all', siteUrl), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        // The change history records which deploy (and commit) started the sync.
        'x-envsync-trigger': 'deploy',
        ...(process.env['DEPLOY_ID'] ? { 'x-envsync-deploy-id': process.env['DEPLOY_ID'] } : {}),
        ...(process.env['COMMIT_REF'] ? { 'x-envsync-commit': process.env['COMMIT_REF'] } : {}),
      },
      body: '{}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok && response.status !== 202) {
      const summary = `Sync failed: ${response.status} ${body?.error?.code ?? ''} ${body?.error?.message ?? ''}`.trim();
      log(summary);
      return show(summary);
    }
    if (response.status === 202) return show(`Sync started in the background (run ${body.runId ?? 'unknown'}); follow it at /.netlify/functions/envsync-runs?runId=${body.runId ?? ''}.`);
    /** @type {SyncBody} */
    const answer = body;
    const results = answer.results ?? [];
    const lines = results.map(describeResult);
    const changed = results.filter((result) => result.applied).length;
    const summary =
      results.length === 0
        ? 'Nothing to sync.'
        : `${results.length} target(s): ${changed} changed, ${results.filter((result) => result.errors.length > 0).length} with errors${answer.note ? ` (${answer.note})` : ''}.`;
    for (const line of lines) log(line);
    return show([summary, ...lines].join('\n'), lines.join('\n'));
  } catch (error) {
    return show(`Sync request failed: ${error instanceof Error ? error.name : 'error'}. The hourly schedule will retry.`);
  }
}
