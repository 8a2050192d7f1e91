// EnvSync build plugin: after a successful production deploy, ask the deployed site's own
// apply-all function to sync every target.
//
// Why call the function instead of syncing here: build plugins may only write deploy-scoped Blobs,
// while the ledger, locks and tickets live in the site store. Going through the function keeps one
// code path, one lock per target and one history, whoever starts the sync. onSuccess runs after
// the deploy is live, and cannot fail the deploy: problems are reported in the deploy summary.

/**
 * @param {{ utils: { status: { show: (status: { title: string, summary: string }) => void } },
 *           inputs: { contexts?: string, timeoutSeconds?: number | string } }} options
 */
export async function onSuccess({ utils, inputs }) {
  const show = (summary) => utils.status.show({ title: 'EnvSync', summary });
  const context = process.env.CONTEXT ?? '';
  const contexts = String(inputs.contexts ?? 'production').split(',').map((item) => item.trim()).filter(Boolean);
  if (!contexts.includes(context)) return show(`Skipped: deploy context "${context}" is not in the plugin's contexts (${contexts.join(', ')}).`);
  const siteUrl = process.env.URL;
  const token = process.env.ENVSYNC_API_TOKEN;
  if (!siteUrl || !token) {
    return show('Skipped: URL or ENVSYNC_API_TOKEN is not available to the build. Give ENVSYNC_API_TOKEN the Builds scope.');
  }
  const timeoutMs = Number(inputs.timeoutSeconds ?? 50) * 1000;
  try {
    const response = await fetch(new URL('/.netlify/functions/envsync-apply-all', siteUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok && response.status !== 202) {
      return show(`Sync failed: ${response.status} ${body?.error?.code ?? ''} ${body?.error?.message ?? ''}`.trim());
    }
    if (response.status === 202) return show(`Sync started in the background (run ${body.runId ?? 'unknown'}).`);
    const lines = (body.results ?? []).map(
      (r) => `${r.provider}/${r.target}: ${r.summary.create} created, ${r.summary.update} updated, ${r.summary.delete} deleted, ${r.errors.length} error(s)`,
    );
    return show(lines.length > 0 ? lines.join('\n') : 'Nothing to sync.');
  } catch (error) {
    return show(`Sync request failed: ${error instanceof Error ? error.name : 'error'}. The hourly schedule will retry.`);
  }
}
