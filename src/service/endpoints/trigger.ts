import { loadCanonical } from '../../core/canonical.ts';
import { SyncError } from '../../errors.ts';
import { requireRole } from '../http/auth.ts';
import { readJsonBody } from '../http/body.ts';
import type { Endpoint } from '../http/endpoint.ts';
import { triggerBodySchema } from '../http/inputs.ts';
import { requireNoSubPath } from '../http/route.ts';
import { loadEnabledSettings, workForAll } from '../run/work.ts';
import { dryRunModeNote, runOrQueue } from './sync.ts';

/**
 * `POST /.netlify/functions/envsync-trigger`: runs started by another system.
 *
 * - `SECRET_ROTATED` with `keys`: syncs exactly those keys to every target now. They must be in the
 *   canonical set (which holds only managed keys); anything else is a 400 naming them, before any
 *   provider is touched. The run writes only those keys, deletes nothing, and leaves the other keys
 *   and the tickets as they are.
 * - `EMERGENCY_SYNC`: apply-all now, whatever ENVSYNC_SCHEDULE says.
 *
 * Both run in ENVSYNC_MODE (dry-run only plans), take the targets' locks, go through the deletion
 * guard and fan out to the background function above the threshold, exactly like apply-all; the
 * optional `reason` travels with the run's events and its background progress.
 */
export const triggerEndpoint: Endpoint = {
  name: 'envsync-trigger',
  methods: ['POST'],
  async run(request, deps) {
    requireRole(request, deps.env, 'write');
    requireNoSubPath(request, 'envsync-trigger');
    const body = await readJsonBody(request, triggerBodySchema);
    const settings = loadEnabledSettings(deps.env);
    const work = workForAll(settings, deps.adapters, undefined);
    const reason = body.reason === undefined || body.reason === '' ? {} : { reason: body.reason };
    let keys: string[] | undefined;
    if (body.type === 'SECRET_ROTATED') {
      keys = [...new Set(body.keys)].sort();
      const canonical = await loadCanonical(settings, deps.env);
      const unknown = keys.filter((key) => !canonical.values.has(key));
      if (unknown.length > 0) {
        throw new SyncError(
          'bad-request',
          `SECRET_ROTATED names keys that are not in the canonical set or not managed: ${unknown.join(', ')}. Name managed keys of the canonical set (${canonical.source}; managed means starting with ENVSYNC_INCLUDE_PREFIXES and not with ENVSYNC_EXCLUDE_PREFIXES). Nothing was synced.`,
        );
      }
    }
    const note = settings.mode === 'dry-run' ? dryRunModeNote : undefined;
    return runOrQueue({ request, deps, settings, work, mode: settings.mode, note, trigger: 'trigger', ...reason, ...(keys === undefined ? {} : { keys }) });
  },
};
