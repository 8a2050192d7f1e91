import { readFile } from 'node:fs/promises';
import { loadSettings } from '../../config/load.ts';
import type { Settings } from '../../config/settings.ts';
import { loadCanonical } from '../../core/canonical.ts';
import { isInSync, type SyncReport } from '../../core/report.ts';
import { createTokenCache } from '../../discovery/index.ts';
import { summarizeError } from '../../errors.ts';
import type { Storage } from '../../storage/types.ts';
import type { ServiceDeps } from '../deps.ts';
import type { Endpoint } from '../http/endpoint.ts';
import { jsonResponse } from '../http/responses.ts';
import { requireNoSubPath } from '../http/route.ts';
import { version } from '../version.ts';

/**
 * `GET /.netlify/functions/envsync-health`: public, so it shows state and never a secret: names,
 * counts, token *sources* (`env:RENDER_API_TOKEN`), never a token or a value.
 *
 * Invalid settings answer 500 with every problem listed (the same `config-invalid` error the
 * other endpoints give), as does an unloadable canonical set while EnvSync is enabled. A storage
 * failure does not fail health: it shows as `storage.ok: false` with the reason.
 */
export const healthEndpoint: Endpoint = {
  name: 'envsync-health',
  methods: ['GET'],
  async run(request, deps) {
    requireNoSubPath(request, 'envsync-health');
    const settings = loadSettings(deps.env);
    const canonical = await describeCanonical(settings, deps);
    const targets = await describeTargets(settings, deps);
    const history = await describeHistory(settings, deps);
    return jsonResponse(200, {
      name: 'envsync',
      version,
      enabled: settings.enabled,
      mode: settings.mode,
      schedule: settings.schedule,
      apiTokenConfigured: settings.apiToken !== undefined,
      canonical,
      targets,
      ...history,
    });
  },
};

async function describeCanonical(settings: Settings, deps: ServiceDeps) {
  if (!settings.enabled && settings.includePrefixes.length === 0) return { keys: 0, source: 'none (ENVSYNC_INCLUDE_PREFIXES is empty)' };
  try {
    const canonical = await loadCanonical(settings, deps.env);
    return { keys: canonical.values.size, source: canonical.source };
  } catch (error) {
    // Enabled, this is a configuration error to fix before any run; disabled, it is shown only.
    if (settings.enabled) throw error;
    return { keys: 0, problem: summarizeError(error).message };
  }
}

/** Each configured target and whether its provider's token was found, and where. */
async function describeTargets(settings: Settings, deps: ServiceDeps) {
  const tokens = createTokenCache({
    settings,
    env: deps.env,
    fetch: deps.fetch ?? globalThis.fetch,
    readFile: (path) => readFile(path, 'utf8'),
    logger: deps.logger,
  });
  const described = [];
  for (const provider of settings.targets) {
    const adapter = deps.adapters[provider];
    let token: { found: true; source: string } | { found: false; problem: string };
    try {
      token = { found: true, source: (await tokens({ provider, tokenName: adapter.tokenName })).source };
    } catch (error) {
      token = { found: false, problem: summarizeError(error).message };
    }
    described.push(...settings.providers[provider].targetIds.map((id) => ({ provider, id, token })));
  }
  return described;
}

/** The last run and the open tickets, or why storage could not tell. */
async function describeHistory(settings: Settings, deps: ServiceDeps) {
  try {
    const storage = await deps.openStorage();
    const lastRun = await lastRunSummary(storage, settings);
    const openTickets = (await storage.tickets.list({ status: 'open' })).length;
    return { storage: { ok: true }, lastRun, openTickets };
  } catch (error) {
    const summary = summarizeError(error);
    return { storage: { ok: false, problem: `${summary.code}: ${summary.message}` }, lastRun: null, openTickets: null };
  }
}

async function lastRunSummary(storage: Storage, settings: Settings) {
  const targetCount = settings.targets.reduce((sum, provider) => sum + settings.providers[provider].targetIds.length, 0);
  const recent = await storage.reports.list({ limit: Math.min(Math.max(targetCount, 1), 100) });
  const newest = recent[0];
  if (newest === undefined) return null;
  const reports: SyncReport[] = recent.filter((report) => report.runId === newest.runId);
  return {
    runId: newest.runId,
    mode: newest.mode,
    startedAt: reports.map((report) => report.startedAt).sort()[0] ?? newest.startedAt,
    targets: reports.length,
    applied: reports.filter((report) => report.applied).length,
    inSync: reports.filter(isInSync).length,
    withErrors: reports.filter((report) => report.errors.length > 0).length,
  };
}
