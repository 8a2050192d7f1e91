import * as z from 'zod';
import type { TargetRef } from '../core/ledger.ts';
import { seal, unseal, type Sealed } from '../core/seal.ts';
import { SyncError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { providerIdSchema } from '../core/provider-id.ts';
import { historyLeaf, parseHistoryLeaf, parseTargetKey, targetPath } from './keys.ts';
import { mapConcurrent, parseStored, type BlobStore } from './store.ts';

/**
 * Rollback snapshots: before a run changes a target, the prior state of every slot it is about to
 * change. One blob per run and target at `snapshots/<provider>/<target>/<newest-first>-<runId>`.
 *
 * The blob is readable as structure (keys, contexts, ops, whether a prior value exists) so a
 * rollback can be planned and shown, but every prior value is inside one AES-256-GCM sealed field
 * (see `src/core/seal.ts`), bound to the run and target. Requests: `put` is one write plus one list
 * of the target's snapshots and a delete per pruned one; `find` is one list plus a read per match.
 */

/** What a slot held before the run. */
export type PriorState = { readonly state: 'absent' } | { readonly state: 'value'; readonly value: string } | { readonly state: 'unreadable' };

/** One slot a run was about to change. */
export interface SnapshotSlot {
  readonly key: string;
  readonly context: string;
  /** What the run was about to do to it. */
  readonly op: 'create' | 'update' | 'delete';
  readonly secret: boolean;
  readonly prior: PriorState;
  /** Fingerprint of what the run wrote (`null` for a delete), to tell whether it changed since. */
  readonly after: string | null;
}

/** The prior state of one target before one run, decrypted. */
export interface Snapshot {
  readonly runId: string;
  readonly target: TargetRef;
  readonly createdAt: string;
  readonly slots: readonly SnapshotSlot[];
}

/** How long snapshots are kept: the last `runsKept` per target, none older than `daysKept`. */
export interface SnapshotRetention {
  readonly runsKept: number;
  readonly daysKept: number;
}

/** Snapshots, sealed with a key the caller derives (see `src/core/seal.ts`). */
export interface SnapshotStore {
  /** Stores (or replaces) the snapshot of one run and target, then prunes the target's old ones. */
  put(snapshot: Snapshot, key: Buffer, retention: SnapshotRetention): Promise<void>;
  /** The snapshots of a run, optionally of one target id, decrypted. */
  find(runId: string, key: Buffer, target?: string): Promise<Snapshot[]>;
}

const fingerprint = z.string().regex(/^[0-9a-f]{64}$/);

const storedSlotSchema = z.object({
  key: z.string(),
  context: z.string(),
  op: z.enum(['create', 'update', 'delete']),
  secret: z.boolean(),
  prior: z.enum(['absent', 'value', 'unreadable']),
  after: fingerprint.nullable(),
});

const storedSnapshotSchema = z.object({
  version: z.literal(1),
  runId: z.string(),
  provider: providerIdSchema,
  target: z.string(),
  createdAt: z.iso.datetime(),
  slots: z.array(storedSlotSchema),
  /** The prior values, by slot index, sealed. */
  sealed: z.object({ alg: z.literal('A256GCM'), iv: z.string(), tag: z.string(), data: z.string() }),
});

const sealedValuesSchema = z.record(z.string(), z.string());

const prefix = 'snapshots/';
const dayMs = 86_400_000;

/** The associated data binding a sealed snapshot to its run and target. */
function associated(runId: string, target: TargetRef): string {
  return `snapshot:${target.provider}:${target.id}:${runId}`;
}

export function createSnapshotStore(store: BlobStore, options: { readonly logger: Logger; readonly now: () => number }): SnapshotStore {
  return {
    async put(snapshot, key, retention) {
      const values: Record<string, string> = {};
      snapshot.slots.forEach((slot, index) => {
        if (slot.prior.state === 'value') values[String(index)] = slot.prior.value;
      });
      const sealed: Sealed = seal(values, key, associated(snapshot.runId, snapshot.target));
      const record = storedSnapshotSchema.safeParse({
        version: 1,
        runId: snapshot.runId,
        provider: snapshot.target.provider,
        target: snapshot.target.id,
        createdAt: snapshot.createdAt,
        slots: snapshot.slots.map((slot) => ({ key: slot.key, context: slot.context, op: slot.op, secret: slot.secret, prior: slot.prior.state, after: slot.after })),
        sealed,
      });
      if (!record.success) {
        throw new SyncError('internal', `Refusing to store a malformed rollback snapshot (fields: ${record.error.issues.map((issue) => issue.path.join('.')).join(', ')}); this is a bug in the caller.`);
      }
      const targetPrefix = `${prefix}${targetPath(snapshot.target)}/`;
      await store.write(`${targetPrefix}${historyLeaf(Date.parse(snapshot.createdAt), snapshot.runId)}`, record.data);
      const now = options.now();
      const kept = (await store.list(targetPrefix)).map((entry) => entry.key).sort();
      const stale = kept.filter((blobKey, index) => {
        const leaf = parseHistoryLeaf(blobKey.slice(targetPrefix.length));
        if (leaf === undefined) return false;
        const createdMs = 9_999_999_999_999 - Number(leaf.order);
        return index >= retention.runsKept || now - createdMs > retention.daysKept * dayMs;
      });
      await mapConcurrent(stale, 4, (blobKey) => store.delete(blobKey));
    },

    async find(runId, key, target) {
      const matches = (await store.list(prefix))
        .map((entry) => entry.key)
        .filter((blobKey) => {
          const parts = parseTargetKey(blobKey, prefix);
          return parts !== undefined && parseHistoryLeaf(parts.leaf)?.id === runId && (target === undefined || parts.target === target);
        })
        .sort();
      const found = await mapConcurrent(matches, 4, async (blobKey) => {
        const blob = await store.read(blobKey);
        return blob && parseStored(storedSnapshotSchema, blob, blobKey, options.logger);
      });
      return found
        .filter((record) => record !== undefined)
        .map((record) => {
          const ref: TargetRef = { provider: record.provider, id: record.target };
          const values = sealedValuesSchema.parse(unseal(record.sealed, key, associated(record.runId, ref)));
          return {
            runId: record.runId,
            target: ref,
            createdAt: record.createdAt,
            slots: record.slots.map((slot, index): SnapshotSlot => {
              const value = values[String(index)];
              const prior: PriorState = slot.prior === 'value' ? (value === undefined ? { state: 'unreadable' } : { state: 'value', value }) : { state: slot.prior };
              return { key: slot.key, context: slot.context, op: slot.op, secret: slot.secret, prior, after: slot.after };
            }),
          };
        });
    },
  };
}
