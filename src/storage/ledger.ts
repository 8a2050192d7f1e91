import * as z from 'zod';
import { targetKey, type Ledger, type LedgerEntry, type TargetRef } from '../core/ledger.ts';
import { SyncError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { keys } from './keys.ts';
import { parseStored, type BlobStore } from './store.ts';

const ledgerEntrySchema: z.ZodType<LedgerEntry> = z.object({
  key: z.string(),
  context: z.string(),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  writtenAt: z.string(),
  remoteUpdatedAt: z.string().exactOptional(),
});

/** The stored form, versioned so a later layout can be told apart. */
const ledgerRecordSchema = z.object({
  version: z.literal(1),
  entries: z.array(ledgerEntrySchema),
});

/**
 * The core's {@link Ledger} on a {@link BlobStore}: one blob per target at
 * `ledger/<provider>/<target>` holding `{ version: 1, entries }`. One read to load, one write to save.
 *
 * Entries carry HMAC fingerprints, never values; `save` refuses an entry whose fingerprint is not a
 * 64-digit hex HMAC, so a value passed by mistake is never stored. Writes are unconditional: the per-target lock keeps
 * two syncs of a target from saving at once.
 *
 * A ledger that no longer validates is an error, not an empty ledger: an empty ledger would make
 * EnvSync forget what it owns (no deletions, secrets re-written as unverifiable), silently.
 */
export function createBlobLedger(store: BlobStore, options: { readonly logger: Logger }): Ledger {
  return {
    async load(target: TargetRef) {
      const key = keys.ledger(target);
      const blob = await store.read(key);
      if (blob === undefined) return [];
      const record = parseStored(ledgerRecordSchema, blob, key, options.logger);
      if (record === undefined) {
        throw new SyncError(
          'storage-failed',
          `The ledger of ${targetKey(target)} in Netlify Blobs (key "${key}") is not valid. Delete that blob to start over: EnvSync will then treat every existing key of the target as not written by it (no deletions until it writes them again).`,
        );
      }
      return record.entries;
    },

    async save(target: TargetRef, entries) {
      const checked = ledgerRecordSchema.safeParse({ version: 1, entries });
      if (!checked.success) {
        // A fingerprint that is not a 64-digit hex HMAC might be a value: refuse to store it.
        const fields = checked.error.issues.map((issue) => issue.path.join('.')).join(', ');
        throw new SyncError('internal', `Refusing to store a malformed ledger for ${targetKey(target)} (fields: ${fields}); this is a bug in the engine.`);
      }
      await store.write(keys.ledger(target), checked.data);
    },
  };
}
