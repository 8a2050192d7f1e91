import { targetIdSchema } from '../../config/general.ts';
import { csvSetting, urlSetting } from '../../config/fields.ts';
import { defineProviderSettings, listOf } from '../../core/provider-settings.ts';
import { envGroupTargetId } from './targets.ts';

/** Render's own options, as its adapter reads them. */
export interface RenderOptions {
  /** RENDER_SERVICE_ID: the services to sync. */
  readonly serviceIds: readonly string[];
  /** RENDER_ENV_GROUP_ID: the environment groups to sync (bare ids, `evg-...`). */
  readonly envGroupIds: readonly string[];
}

/**
 * Render's settings: the services and environment groups to sync and the API URL (the emulator
 * and tests point it at a local server). The token is RENDER_API_TOKEN, found through the
 * discovery chain.
 *
 * Groups come first in the target order, so a run writes every group before the services: a
 * service linked to a changed group and changed itself is then deployed once, after both (see
 * deploy-schedule.ts). Without groups the targets are the service ids, as they always were.
 */
export const renderSettings = defineProviderSettings({
  shape: {
    RENDER_SERVICE_ID: csvSetting(targetIdSchema, []),
    RENDER_ENV_GROUP_ID: csvSetting(targetIdSchema, []),
    RENDER_API_URL: urlSetting('https://api.render.com/v1'),
  },
  targetSetting: 'RENDER_SERVICE_ID',
  apiUrlSetting: 'RENDER_API_URL',
  check: (raw, problem, { targeted }) => {
    if (targeted && listOf(raw['RENDER_SERVICE_ID']).length === 0 && listOf(raw['RENDER_ENV_GROUP_ID']).length === 0) {
      problem(
        'RENDER_SERVICE_ID',
        'required when ENVSYNC_TARGETS includes render: one or more service ids (srv-...), or environment group ids (evg-...) in RENDER_ENV_GROUP_ID',
      );
    }
  },
  resolve: (parsed) => {
    const serviceIds = [...new Set(parsed.RENDER_SERVICE_ID)];
    const envGroupIds = [...new Set(parsed.RENDER_ENV_GROUP_ID)];
    return {
      targetIds: [...envGroupIds.map(envGroupTargetId), ...serviceIds],
      apiUrl: parsed.RENDER_API_URL,
      options: { serviceIds, envGroupIds } satisfies RenderOptions,
    };
  },
});
