import * as z from 'zod';
import type { Logger } from '../logging/logger.ts';
import { keys } from './keys.ts';
import { parseStored, type BlobStore } from './store.ts';
import type { AlertStore, SlackAlertState } from './types.ts';

const stateSchema: z.ZodType<SlackAlertState> = z.object({ drift: z.string().exactOptional(), failure: z.string().exactOptional() });

/**
 * Which tickets were announced in Slack, one blob per target at `alerts/slack/<provider>/<target>`
 * (ticket ids only). `get` is one read, `set` one write, or one delete when nothing is announced.
 */
export function createAlertStore(store: BlobStore, options: { readonly logger: Logger }): AlertStore {
  return {
    async get(target) {
      const key = keys.slackAlerts(target);
      const blob = await store.read(key);
      return (blob && parseStored(stateSchema, blob, key, options.logger)) ?? {};
    },
    async set(target, state) {
      const key = keys.slackAlerts(target);
      if (state.drift === undefined && state.failure === undefined) await store.delete(key);
      else await store.write(key, state);
    },
  };
}
