import { getStore } from '@netlify/blobs';
import { describe, expect, it } from 'vitest';
import type { TargetRef } from '../core/ledger.ts';
import { useBlobsFaultProxy } from '../../test/support/blobs-fault-proxy.ts';
import { useLocalBlobs } from '../../test/support/blobs-server.ts';
import { openBlobsStorage, openBlobStore } from './blobs.ts';
import { defaultLeaseTtlMs } from './locks.ts';

/**
 * Netlify Blobs as documented, under faults: a proxy in front of the real local BlobsServer answers
 * 503 where a test says. `@netlify/blobs` reports any non-412 answer to a conditional write as
 * `{ modified: true, etag: '' }` (netlify/primitives#741); EnvSync must treat that as unknown.
 */

const blobs = useLocalBlobs();
const proxy = useBlobsFaultProxy(() => blobs.freshClient().edgeURL);
const target: TargetRef = { provider: 'render', id: 'srv-one' };

describe('conditional writes answered 503', () => {
  it('are reported as written by @netlify/blobs itself, with set and setJSON alike (the bug EnvSync guards against)', async () => {
    const client = proxy.current().client(blobs.freshClient());
    proxy.current().fail({ method: 'PUT', conditional: true, status: 503 });
    const raw = getStore({ name: 'envsync', consistency: 'strong', ...client });

    expect(await raw.setJSON('locks/x', { holder: 'me' }, { onlyIfNew: true })).toEqual({ modified: true, etag: '' });
    expect(await raw.set('locks/y', 'text', { onlyIfNew: true })).toEqual({ modified: true, etag: '' });
    expect(await raw.get('locks/x')).toBeNull();
  });

  it('are never "written" when nothing landed: onlyIfNew and onlyIfMatch fail with storage-failed', async () => {
    const client = proxy.current().client(blobs.freshClient());
    const store = openBlobStore({ client });
    await store.write('locks/existing', { holder: 'old' });
    const etag = (await store.list('locks/existing'))[0]?.etag ?? '';
    proxy.current().fail({ method: 'PUT', conditional: true, status: 503 });

    await expect(store.write('locks/new', { holder: 'me' }, { onlyIfNew: true })).rejects.toMatchObject({ code: 'storage-failed', status: 503, retryable: true });
    await expect(store.write('locks/existing', { holder: 'me' }, { onlyIfMatch: etag })).rejects.toMatchObject({ code: 'storage-failed', status: 503 });
    expect(await store.read('locks/new')).toBeUndefined();
    expect(await store.read('locks/existing')).toEqual({ json: { holder: 'old' } });
  });

  it('re-read the key when the answer was lost after the write landed, and count it as written only when it holds our document', async () => {
    const client = proxy.current().client(blobs.freshClient());
    const store = openBlobStore({ client });
    proxy.current().fail({ method: 'PUT', conditional: true, status: 503, forward: true });

    expect(await store.write('locks/landed', { holder: 'me' }, { onlyIfNew: true })).toEqual({ modified: true });
    const reads = proxy.current().seen.filter((request) => request.method === 'GET' && request.path.endsWith('locks/landed'));
    expect(reads).toHaveLength(1);
  });

  it('after a retry met 412, count the write as ours only when the key holds our document', async () => {
    const client = proxy.current().client(blobs.freshClient());
    const store = openBlobStore({ client });
    // First attempt lands but its answer is lost; the client's retry then gets 412 from the server.
    proxy.current().fail({ method: 'PUT', conditional: true, status: 503, forward: true, times: 1 });

    expect(await store.write('locks/retried', { holder: 'me' }, { onlyIfNew: true })).toEqual({ modified: true });

    proxy.current().fail({ method: 'PUT', conditional: true, status: 503, times: 1 });
    expect(await store.write('locks/retried', { holder: 'someone-else' }, { onlyIfNew: true })).toEqual({ modified: false });
  });
});

describe('leases under Blobs faults', () => {
  it('never hands out a lease when Blobs answers 503 to the lease write', async () => {
    const storage = openBlobsStorage({ client: proxy.current().client(blobs.freshClient()) });
    proxy.current().fail({ method: 'PUT', pathIncludes: 'locks/', status: 503 });

    await expect(storage.locks.acquire(target, 'run-1', defaultLeaseTtlMs)).rejects.toMatchObject({ code: 'storage-failed' });

    proxy.current().clear();
    expect(await storage.locks.acquire(target, 'run-2', defaultLeaseTtlMs)).toMatchObject({ holder: 'run-2' });
  });

  it('takes the lease whose write landed although every answer was lost, so the target is not locked out by its own lease', async () => {
    const storage = openBlobsStorage({ client: proxy.current().client(blobs.freshClient()) });
    proxy.current().fail({ method: 'PUT', pathIncludes: 'locks/', status: 503, forward: true });

    expect(await storage.locks.acquire(target, 'run-1', defaultLeaseTtlMs)).toMatchObject({ holder: 'run-1' });
    proxy.current().clear();
    expect(await storage.locks.acquire(target, 'run-2', defaultLeaseTtlMs)).toBeUndefined();
  });
});

describe('strong consistency', () => {
  it('sends every lock, ledger and run-state request to the uncached edge URL', async () => {
    // The cached edge URL is a closed port: any request sent there (eventual consistency) would fail.
    const client = { ...proxy.current().client(blobs.freshClient()), edgeURL: 'http://127.0.0.1:9' };
    const storage = openBlobsStorage({ client });

    const lease = await storage.locks.acquire(target, 'run-1', defaultLeaseTtlMs);
    await storage.ledger.save(target, []);
    await storage.ledger.load(target);
    await storage.runs.saveProgress({ runId: 'r1', status: 'queued', mode: 'enforce', pending: [], done: [], startedAt: '2026-05-01T10:00:00.000Z', updatedAt: '2026-05-01T10:00:00.000Z' });
    expect(await storage.runs.getProgress('r1')).toMatchObject({ status: 'queued' });
    await storage.locks.release(lease!);

    expect(proxy.current().seen.map((request) => request.path.split('/').slice(3, 4)[0])).toEqual(expect.arrayContaining(['locks', 'ledger', 'runs']));
  });
});
