import { targetIdSchema } from '../../config/general.ts';
import { csvSetting, urlSetting } from '../../config/fields.ts';
import { defineProviderSettings, listOf } from '../../core/provider-settings.ts';

/** Render's own options, as its adapter reads them. */
export interface RenderOptions {
  /** RENDER_SERVICE_ID: the services to sync. */
  readonly serviceIds: readonly string[];
}

/**
 * Render's settings: the services to sync and the API URL (the emulator and tests point it at a
 * local server). The token is RENDER_API_TOKEN, found through the discovery chain.
 */
export const renderSettings = defineProviderSettings({
  shape: {
    RENDER_SERVICE_ID: csvSetting(targetIdSchema, []),
    RENDER_API_URL: urlSetting('https://api.render.com/v1'),
  },
  targetSetting: 'RENDER_SERVICE_ID',
  apiUrlSetting: 'RENDER_API_URL',
  check: (raw, problem, { targeted }) => {
    if (targeted && listOf(raw['RENDER_SERVICE_ID']).length === 0) {
      problem('RENDER_SERVICE_ID', 'required when ENVSYNC_TARGETS includes render: one or more service ids (srv-...)');
    }
  },
  resolve: (parsed) => {
    const serviceIds = [...new Set(parsed.RENDER_SERVICE_ID)];
    return { targetIds: serviceIds, apiUrl: parsed.RENDER_API_URL, options: { serviceIds } satisfies RenderOptions };
  },
});
