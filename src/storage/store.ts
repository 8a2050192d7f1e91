import type * as z from 'zod';
import type { Logger } from '../logging/logger.ts';

/**
 * The few Blobs operations EnvSync's stores need, as an interface. `./blobs.ts` implements it on
 * `@netlify/blobs` (the only importer of that package); the record stores in this folder are written
 * against it, so their logic reads without the client's overloads and quirks.
 */

/** A stored JSON document. `json` is `undefined` when the blob is not valid JSON, so validation rejects it. */
export interface StoredBlob {
  readonly json: unknown;
}

/** A key found by {@link BlobStore.list}, with its current ETag (the only ETag the local BlobsServer gives). */
export interface BlobEntry {
  readonly key: string;
  readonly etag: string;
}

/**
 * A compare-and-set condition. `onlyIfNew` writes only when the key is absent; `onlyIfMatch` only when
 * the blob still has that ETag.
 */
export type WriteCondition = { readonly onlyIfNew: true } | { readonly onlyIfMatch: string };

/** Whether a write happened, and the blob's new ETag when the platform returned one. */
export interface WriteOutcome {
  readonly modified: boolean;
  readonly etag?: string;
}

/**
 * A key-value store of JSON documents with prefix listing and conditional writes. Every method throws
 * a `SyncError` with code `storage-failed` when Blobs cannot be reached or refuses the request, so a
 * conditional write that returns `{ modified: false }` really lost a race.
 */
export interface BlobStore {
  /** The document, or `undefined` when the key does not exist. */
  read(key: string): Promise<StoredBlob | undefined>;
  /** Writes a document, unconditionally or under `condition`. */
  write(key: string, value: unknown, condition?: WriteCondition): Promise<WriteOutcome>;
  /** Deletes a key; deleting an absent key is not an error. */
  delete(key: string): Promise<void>;
  /** Every key that starts with `prefix`, in no particular order (all pages). */
  list(prefix: string): Promise<readonly BlobEntry[]>;
}

/**
 * Validates a stored document, or returns `undefined` (and logs the key) when it does not match.
 *
 * Stored data is checked like any other input: it may predate a schema change or have been edited by
 * hand. Callers decide what a bad record means (skipped in a listing, an error for the ledger).
 */
export function parseStored<T>(schema: z.ZodType<T>, blob: StoredBlob, key: string, logger: Logger): T | undefined {
  const result = schema.safeParse(blob.json);
  if (result.success) return result.data;
  logger.warn('storage.record-invalid', { key, issues: result.error.issues.map((issue) => issue.path.join('.') || '(root)') });
  return undefined;
}

/** Runs `task` over `items` with at most `concurrency` in flight, keeping the input order. */
export async function mapConcurrent<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
