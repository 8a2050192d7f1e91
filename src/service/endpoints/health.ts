import { loadSettings, parseSettings } from '../../config/load.ts';
import type { Settings } from '../../config/settings.ts';
import { loadCanonical } from '../../core/canonical.ts';
import { isSyncError, summarizeError } from '../../errors.ts';
import type { HealthRecord, TargetHealth } from '../../storage/types.ts';
import type { ServiceDeps } from '../deps.ts';
import type { HeldTarget } from '../api/schemas.ts';
import { optionalRole, type Role } from '../http/auth.ts';
import type { Endpoint } from '../http/endpoint.ts';
import { jsonResponse } from '../http/responses.ts';
import { requireNoSubPath } from '../http/route.ts';
import { version } from '../version.ts';

/** The one word anyone may learn about an EnvSync deployment. */
export type HealthStatus = 'ok' | 'degraded' | 'misconfigured';

/**
 * `GET /.netlify/functions/envsync-health`.
 *
 * Without a token it is public, so it says little: `{ name, version, status }`, 200 for `ok` and
 * `degraded`, 500 for `misconfigured` with the names (never the values) of the settings at fault, so
 * a fresh deploy can be debugged. It sends no provider, vault or dashboard request and reads Blobs
 * once (the record the last run kept), so hammering it costs nothing and tells nobody which
 * providers or targets exist.
 *
 * With ENVSYNC_READ_TOKEN or ENVSYNC_API_TOKEN it answers the details, and `role` names the
 * caller's role so a dashboard knows whether to offer writes. Token sources shown there are the
 * ones the last run found (kept in Blobs by the run), not a discovery per request.
 */
export const healthEndpoint: Endpoint = {
  name: 'envsync-health',
  methods: ['GET'],
  async run(request, deps) {
    requireNoSubPath(request, 'envsync-health');
    const role = optionalRole(request, deps.env);
    return role === undefined ? publicHealth(deps) : detailedHealth(deps, role);
  },
};

async function publicHealth(deps: ServiceDeps): Promise<Response> {
  const parsed = parseSettings(deps.env);
  if (!parsed.ok) return misconfigured([...new Set(parsed.problems.map((problem) => problem.setting))]);
  const canonicalProblem = await canonicalSettingAtFault(parsed.settings, deps);
  if (canonicalProblem !== undefined) return misconfigured([canonicalProblem]);
  const record = await readRecord(deps);
  return jsonResponse(200, { name: 'envsync', version, status: statusOf(parsed.settings, record) });
}

function misconfigured(settings: readonly string[]): Response {
  return jsonResponse(500, {
    name: 'envsync',
    version,
    status: 'misconfigured' satisfies HealthStatus,
    settings,
    message: `Check these settings: ${settings.join(', ')}. Call envsync-health with ENVSYNC_API_TOKEN or ENVSYNC_READ_TOKEN for what each expects.`,
  });
}

/** The setting to fix when EnvSync is enabled and its canonical set cannot load, else `undefined`. */
async function canonicalSettingAtFault(settings: Settings, deps: ServiceDeps): Promise<string | undefined> {
  if (!settings.enabled) return undefined;
  try {
    await loadCanonical(settings, deps.env);
    return undefined;
  } catch {
    return settings.canonicalFile === undefined ? 'ENVSYNC_INCLUDE_PREFIXES' : 'ENVSYNC_CANONICAL_FILE';
  }
}

type RecordRead = { readonly ok: true; readonly record: HealthRecord | undefined } | { readonly ok: false; readonly problem: string };

/** The health record, in the single Blobs read health is allowed. */
async function readRecord(deps: ServiceDeps): Promise<RecordRead> {
  try {
    const storage = await deps.openStorage();
    return { ok: true, record: await storage.health.read() };
  } catch (error) {
    const summary = summarizeError(error);
    return { ok: false, problem: `${summary.code}: ${summary.message}` };
  }
}

/**
 * `degraded` when storage cannot be read, or the last run that reached a configured target failed
 * on it or found no token; `ok` otherwise (also before the first run, and while disabled).
 */
function statusOf(settings: Settings, read: RecordRead): HealthStatus {
  if (!read.ok) return 'degraded';
  const configured = configuredTargets(settings);
  const failing = (read.record?.targets ?? []).some(
    (target) => configured.has(`${target.provider}:${target.id}`) && (target.errorCodes.length > 0 || !target.token.found),
  );
  return failing ? 'degraded' : 'ok';
}

function configuredTargets(settings: Settings): ReadonlySet<string> {
  return new Set(settings.targets.flatMap((provider) => settings.providers[provider].targetIds.map((id) => `${provider}:${id}`)));
}

/** The full answer for a caller with a token: names, counts and token sources, never a token or a value. */
async function detailedHealth(deps: ServiceDeps, role: Role): Promise<Response> {
  const settings = loadSettings(deps.env);
  const canonical = await describeCanonical(settings, deps);
  const read = await readRecord(deps);
  const record = read.ok ? read.record : undefined;
  const openTickets = read.ok ? await countOpenTickets(deps) : null;
  const holds = read.ok ? await listHolds(deps) : null;
  return jsonResponse(200, {
    name: 'envsync',
    version,
    status: statusOf(settings, read),
    role,
    enabled: settings.enabled,
    mode: settings.mode,
    schedule: settings.schedule,
    apiTokenConfigured: settings.apiToken !== undefined,
    readTokenConfigured: settings.readToken !== undefined,
    canonical,
    targets: describeTargets(settings, record),
    storage: read.ok ? { ok: true } : { ok: false, problem: read.problem },
    lastRun: record?.lastRun ?? null,
    openTickets,
    holds,
  });
}

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

/** Each configured target and what the last run that reached it found: its token source and outcome. */
function describeTargets(settings: Settings, record: HealthRecord | undefined) {
  const byTarget = new Map<string, TargetHealth>((record?.targets ?? []).map((target) => [`${target.provider}:${target.id}`, target]));
  return settings.targets.flatMap((provider) =>
    settings.providers[provider].targetIds.map((id) => {
      const last = byTarget.get(`${provider}:${id}`);
      if (last === undefined) {
        return { provider, id, token: { found: false, problem: 'Not checked yet: no run has reached this target. A dry-run checks its token.' }, lastSync: null };
      }
      return {
        provider,
        id,
        token: last.token,
        lastSync: { runId: last.runId, at: last.checkedAt, applied: last.applied, inSync: last.inSync, errorCodes: last.errorCodes },
      };
    }),
  );
}

/**
 * Targets a rollback holds (docs/trust.md): which keys, held by which rollback, undoing which run.
 * One list of `holds/` and a read per held target; key names only. `null` when storage fails.
 */
async function listHolds(deps: ServiceDeps): Promise<HeldTarget[] | null> {
  try {
    const holds = await (await deps.openStorage()).holds.load();
    return [...holds.values()]
      .filter((hold) => hold.slots.length > 0)
      .map((hold) => ({
        provider: hold.provider,
        target: hold.target,
        rollbackRunId: hold.rollbackRunId,
        undoes: hold.undoes,
        heldAt: hold.heldAt,
        keys: [...new Set(hold.slots.map((slot) => slot.key))].sort(),
      }))
      .sort((a, b) => (a.provider === b.provider ? (a.target < b.target ? -1 : 1) : a.provider < b.provider ? -1 : 1));
  } catch (error) {
    if (isSyncError(error)) return null;
    throw error;
  }
}

async function countOpenTickets(deps: ServiceDeps): Promise<number | null> {
  try {
    return (await (await deps.openStorage()).tickets.list({ status: 'open' })).length;
  } catch (error) {
    if (isSyncError(error)) return null;
    throw error;
  }
}
