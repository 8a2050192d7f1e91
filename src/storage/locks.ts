import * as z from 'zod';
import { SyncError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { providerIdSchema } from '../core/provider-id.ts';
import { keys } from './keys.ts';
import { parseStored, type BlobStore } from './store.ts';
import type { Lease, LockStore } from './types.ts';

/**
 * The longest budget any EnvSync function has: a background function runs for at most 15 minutes.
 * A lease lasting this long outlives its holder, which the platform stops first, so a lease never
 * expires under a sync that is still writing.
 */
export const longestFunctionBudgetMs = 15 * 60_000;

/** Default lease length: {@link longestFunctionBudgetMs}. */
export const defaultLeaseTtlMs = longestFunctionBudgetMs;

/**
 * A lease this close to its expiry is not deleted on release but left to expire: another holder may
 * take it over at any moment, and Blobs has no conditional delete to tell the two apart.
 */
export const releaseMarginMs = 30_000;

const leaseRecordSchema = z.object({
  provider: providerIdSchema,
  target: z.string(),
  holder: z.string(),
  acquiredAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});
type LeaseRecord = z.infer<typeof leaseRecordSchema>;

/**
 * Per-target leases on a {@link BlobStore}, one blob per target at `locks/<provider>/<target>`.
 *
 * Protocol:
 * - acquire: write the lease with `onlyIfNew` (1 request when the target is free). When the key
 *   exists, list it for its ETag (the local BlobsServer returns none on reads), then read it. A live
 *   lease of another holder wins (3 requests, `undefined`). An expired lease, an unreadable one, or
 *   one of the same holder is replaced with `onlyIfMatch` on the listed ETag (4 requests), so of two
 *   contenders only one replaces it. The list comes before the read: a read newer than the ETag only
 *   makes the conditional write fail, never succeed on stale grounds.
 * - release: read the lease and delete it when it is still this holder's (same holder and expiry) and
 *   not within {@link releaseMarginMs} of expiring (2 requests).
 *
 * Residual races, stated plainly:
 * - Blobs has no conditional delete, so release is check-then-delete. If the lease expired and was
 *   taken over between the read and the delete, the new holder's lease would be deleted. Release
 *   therefore leaves alone a lease near or past its expiry; with the default TTL the platform has
 *   stopped a holder long before, so this needs clocks skewed by more than the margin.
 * - Expiry compares the reader's clock with the holder's: skew shortens or lengthens a lease by the
 *   skew. A TTL shorter than the holder's real run time lets a second writer in; use
 *   {@link defaultLeaseTtlMs} unless the caller's own budget is shorter.
 * - A holder that crashes keeps the target locked until the lease expires.
 * - The local BlobsServer derives ETags from file modification times and checks them before an
 *   unlocked rename, so its compare-and-set is not atomic under heavy concurrency; production is.
 */
export function createLockStore(store: BlobStore, options: { readonly now: () => number; readonly logger: Logger }): LockStore {
  return {
    async acquire(target, holder, ttlMs) {
      if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
        throw new SyncError('internal', `A lease needs a positive TTL in milliseconds, got ${String(ttlMs)}; this is a bug in the caller.`);
      }
      const key = keys.lock(target);
      const now = options.now();
      const record: LeaseRecord = {
        provider: target.provider,
        target: target.id,
        holder,
        acquiredAt: new Date(now).toISOString(),
        expiresAt: new Date(now + ttlMs).toISOString(),
      };
      const lease: Lease = { target: { provider: target.provider, id: target.id }, holder, expiresAt: record.expiresAt };

      const createOnce = async () => ((await store.write(key, record, { onlyIfNew: true })).modified ? lease : undefined);

      if (await createOnce()) return lease;
      const listed = (await store.list(key)).find((entry) => entry.key === key);
      // Released after our write: one more try, then give way.
      if (listed === undefined) return createOnce();
      const blob = await store.read(key);
      if (blob === undefined) return createOnce();
      const current = blob && parseStored(leaseRecordSchema, blob, key, options.logger);
      if (current && current.holder !== holder && Date.parse(current.expiresAt) > now) return undefined;
      return (await store.write(key, record, { onlyIfMatch: listed.etag })).modified ? lease : undefined;
    },

    async release(lease) {
      const key = keys.lock(lease.target);
      const blob = await store.read(key);
      const current = blob && parseStored(leaseRecordSchema, blob, key, options.logger);
      if (!current || current.holder !== lease.holder || current.expiresAt !== lease.expiresAt) return;
      if (Date.parse(current.expiresAt) - options.now() < releaseMarginMs) return;
      await store.delete(key);
    },
  };
}
