import { loadSettings } from '../../config/load.ts';
import type { Settings } from '../../config/settings.ts';
import type { Logger } from '../../logging/logger.ts';
import type { Endpoint } from '../http/endpoint.ts';
import { jsonResponse } from '../http/responses.ts';
import { runOrQueue } from './sync.ts';
import { workForAll } from '../run/work.ts';

/** How far apart two `@daily` runs are, with a margin for the hourly trigger's jitter. */
export const dailyIntervalMs = 24 * 60 * 60_000 - 5 * 60_000;

/**
 * Why the scheduled sync should not run now, or `undefined` when it should. The platform calls it
 * every hour (the function's literal `@hourly`); ENVSYNC_SCHEDULE, read at run time, thins that out
 * without a redeploy: `@daily` runs when the last scheduled run is 24 h old, `off` never runs.
 */
export function scheduleSkipReason(settings: Settings, lastRun: string | undefined, nowMs: number): string | undefined {
  if (!settings.enabled) return 'ENVSYNC_ENABLED is not true';
  if (settings.schedule === 'off') return 'ENVSYNC_SCHEDULE is off';
  if (settings.schedule === '@daily' && lastRun !== undefined) {
    const last = Date.parse(lastRun);
    if (Number.isFinite(last) && nowMs - last < dailyIntervalMs) return `ENVSYNC_SCHEDULE is @daily and the last scheduled run was at ${lastRun}`;
  }
  return undefined;
}

/**
 * The hourly sync: every target of every enabled provider, in ENVSYNC_MODE. The platform ignores
 * the response (and the local runtime replaces it with a help text), so outcomes are in the logs,
 * the run history and the tickets.
 */
export const scheduledEndpoint: Endpoint = {
  name: 'envsync-scheduled',
  methods: ['POST'],
  async run(request, deps) {
    // The body is `{"next_run": ...}` in production and may be empty locally; nothing in it is needed.
    await request.body?.cancel();
    const settings = loadSettings(deps.env);
    const nowMs = (deps.now ?? Date.now)();
    const early = scheduleSkipReason(settings, undefined, nowMs);
    if (early !== undefined) return skipped(early, deps.logger);
    const storage = await deps.openStorage();
    const skip = settings.schedule === '@daily' ? scheduleSkipReason(settings, await storage.runs.lastScheduledRun(), nowMs) : undefined;
    if (skip !== undefined) return skipped(skip, deps.logger);
    await storage.runs.markScheduledRun(new Date(nowMs).toISOString());
    const work = workForAll(settings, deps.adapters, undefined);
    return runOrQueue({ request, deps, settings, work, mode: settings.mode, note: undefined, scheduled: true, storage, trigger: 'schedule' });
  },
};

function skipped(reason: string, logger: Logger): Response {
  logger.info('schedule.skipped', { reason });
  return jsonResponse(200, { skipped: reason });
}
