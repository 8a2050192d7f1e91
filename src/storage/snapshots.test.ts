import { describe, expect, it } from 'vitest';
import { useLocalBlobs } from '../../test/support/blobs-server.ts';
import { deriveKey, snapshotKeyLabel } from '../core/seal.ts';
import type { Snapshot } from './snapshots.ts';

/** Rollback snapshots on the real local BlobsServer: sealed, bound to their run, pruned per target. */

const blobs = useLocalBlobs();
const key = deriveKey('snapshot-test-secret-0123456789', snapshotKeyLabel);
const target = { provider: 'render', id: 'srv-a' } as const;

function snapshot(runId: string, createdAt: string): Snapshot {
  return {
    runId,
    target,
    createdAt,
    slots: [
      { key: 'APP_A', context: '*', op: 'update', secret: false, prior: { state: 'value', value: 'prior-secret-value' }, after: 'a'.repeat(64) },
      { key: 'APP_B', context: '*', op: 'create', secret: false, prior: { state: 'absent' }, after: 'b'.repeat(64) },
    ],
  };
}

describe('snapshots', () => {
  it('stores values only sealed, and reads them back with the key', async () => {
    const client = blobs.freshClient();
    const storage = blobs.open({ client });

    const made = snapshot('run-1', new Date().toISOString());
    await storage.snapshots.put(made, key, { runsKept: 20, daysKept: 30 });

    expect((await blobs.files()).some((file) => file.content.includes('prior-secret-value'))).toBe(false);
    expect(await storage.snapshots.find('run-1', key)).toEqual([made]);
    expect(blobs.counts()).toMatchObject({ set: 1, list: 2, get: 1 });
  });

  it('does not open under another key', async () => {
    const storage = blobs.open({ client: blobs.freshClient() });
    await storage.snapshots.put(snapshot('run-1', new Date().toISOString()), key, { runsKept: 20, daysKept: 30 });

    await expect(storage.snapshots.find('run-1', deriveKey('another-secret-0123456789', snapshotKeyLabel))).rejects.toMatchObject({ code: 'storage-failed' });
  });

  it('keeps the last N runs per target and none older than the day limit', async () => {
    const now = Date.parse('2026-03-01T00:00:00.000Z');
    const storage = blobs.open({ client: blobs.freshClient(), now: () => now });
    const retention = { runsKept: 2, daysKept: 30 };

    await storage.snapshots.put(snapshot('old', '2026-01-01T00:00:00.000Z'), key, retention);
    await storage.snapshots.put(snapshot('r1', '2026-02-27T00:00:00.000Z'), key, retention);
    await storage.snapshots.put(snapshot('r2', '2026-02-28T00:00:00.000Z'), key, retention);
    await storage.snapshots.put(snapshot('r3', '2026-02-28T12:00:00.000Z'), key, retention);

    for (const runId of ['old', 'r1']) expect(await storage.snapshots.find(runId, key)).toEqual([]);
    for (const runId of ['r2', 'r3']) expect(await storage.snapshots.find(runId, key)).toHaveLength(1);
  });
});
