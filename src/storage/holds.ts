import * as z from 'zod';
import type { TargetRef } from '../core/ledger.ts';
import { SyncError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { providerIdSchema } from '../core/provider-id.ts';
import { targetPath } from './keys.ts';
import { mapConcurrent, parseStored, type BlobStore } from './store.ts';

/**
 * Rollback holds: after a rollback, the slots it restored stay as restored, although the canonical
 * set still says otherwise, until the canonical value of a held key changes or a person releases
 * the hold. One blob per held target at `holds/<provider>/<target>`, with the fingerprint of each
 * held key's canonical value at the time of the rollback (never a value).
 *
 * Requests: `load` is one list of `holds/` and a read per held target (none when nothing is held);
 * `put` is one write; `release` one delete.
 */

/** The held slots of one target. */
export const holdSchema = z.object({
  version: z.literal(1),
  provider: providerIdSchema,
  target: z.string(),
  /** The rollback run that holds the slots. */
  rollbackRunId: z.string(),
  /** The run the rollback undid. */
  undoes: z.string(),
  heldAt: z.iso.datetime(),
  slots: z.array(
    z.object({
      key: z.string(),
      context: z.string(),
      /** Fingerprint of the canonical value when the hold began; `null` when the key was not canonical. */
      canonical: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
    }),
  ),
});

/** A target's hold. */
export type Hold = z.infer<typeof holdSchema>;

export interface HoldStore {
  /** Every hold, by `provider:target`. */
  load(): Promise<Map<string, Hold>>;
  /** Stores a hold (an empty one releases it). */
  put(hold: Hold): Promise<void>;
  release(target: TargetRef): Promise<void>;
}

const prefix = 'holds/';

export function createHoldStore(store: BlobStore, options: { readonly logger: Logger }): HoldStore {
  const keyOf = (target: TargetRef) => `${prefix}${targetPath(target)}`;
  return {
    async load() {
      const blobKeys = (await store.list(prefix)).map((entry) => entry.key);
      const holds = await mapConcurrent(blobKeys, 4, async (blobKey) => {
        const blob = await store.read(blobKey);
        return blob && parseStored(holdSchema, blob, blobKey, options.logger);
      });
      return new Map(holds.filter((hold) => hold !== undefined).map((hold) => [`${hold.provider}:${hold.target}`, hold]));
    },

    async put(hold) {
      const target: TargetRef = { provider: hold.provider, id: hold.target };
      if (hold.slots.length === 0) return store.delete(keyOf(target));
      const checked = holdSchema.safeParse(hold);
      if (!checked.success) throw new SyncError('internal', 'Refusing to store a malformed rollback hold; this is a bug in the caller.');
      await store.write(keyOf(target), checked.data);
    },

    async release(target) {
      await store.delete(keyOf(target));
    },
  };
}
