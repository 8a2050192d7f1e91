import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFingerprinter, type TargetRef } from '../core/ledger.ts';
import { openBlobsStorage, openBlobStore } from './blobs.ts';
import { defaultLeaseTtlMs } from './locks.ts';
import { makeReport, useLocalBlobs } from '../../test/support/blobs-server.ts';

const blobs = useLocalBlobs();

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('opening Netlify Blobs storage', () => {
  it('says how to get a Blobs environment when there is none and no credentials are given', () => {
    expect(process.env['NETLIFY_BLOBS_CONTEXT']).toBeUndefined();
    expect(thrownBy(() => openBlobsStorage())).toMatchObject({ code: 'storage-failed', message: expect.stringContaining('netlify functions:serve') as unknown });
  });

  it('refuses an edge URL without the uncached edge URL that strong consistency needs', () => {
    expect(thrownBy(() => openBlobsStorage({ client: { siteID: 's', token: 't', edgeURL: 'http://localhost:1' } }))).toMatchObject({
      code: 'config-invalid',
      message: expect.stringContaining('uncachedEdgeURL') as unknown,
    });
  });

  it('uses the ambient Netlify Functions context when no credentials are given', async () => {
    const client = blobs.freshClient();
    process.env['NETLIFY_BLOBS_CONTEXT'] = Buffer.from(JSON.stringify(client)).toString('base64');
    try {
      await openBlobsStorage().runs.markScheduledRun('2026-05-01T10:00:00.000Z');
    } finally {
      delete process.env['NETLIFY_BLOBS_CONTEXT'];
    }

    expect(await blobs.open({ client }).runs.lastScheduledRun()).toBe('2026-05-01T10:00:00.000Z');
  });

  it('makes no request until a store is used', () => {
    blobs.open();
    expect(blobs.requests).toEqual([]);
  });
});

describe('the Blobs key-value adapter', () => {
  it('reads back what it wrote, and nothing for a missing key', async () => {
    const store = blobs.openStore();
    await store.write('a/b', { n: 1 });

    expect(await store.read('a/b')).toEqual({ json: { n: 1 } });
    expect(await store.read('a/c')).toBeUndefined();
  });

  it('hands a blob that is not JSON to validation as undefined rather than throwing', async () => {
    const client = blobs.freshClient();
    const path = join(blobs.directory, 'entries', client.siteID, 'site:envsync', 'ledger', 'render');
    await mkdir(path, { recursive: true });
    await writeFile(join(path, 'srv-one'), '{not json');

    expect(await blobs.openStore(client).read('ledger/render/srv-one')).toEqual({ json: undefined });
  });

  it('writes with onlyIfNew only when the key is absent', async () => {
    const store = blobs.openStore();
    const first = await store.write('locks/x', { n: 1 }, { onlyIfNew: true });
    const second = await store.write('locks/x', { n: 2 }, { onlyIfNew: true });

    expect(first).toMatchObject({ modified: true, etag: expect.any(String) as unknown });
    expect(second).toEqual({ modified: false });
    expect(await store.read('locks/x')).toEqual({ json: { n: 1 } });
  });

  it('writes with onlyIfMatch only while the listed ETag is current, so a takeover based on a stale ETag loses', async () => {
    const store = blobs.openStore();
    await store.write('locks/x', { holder: 'crashed' });
    const [seenByBoth] = await store.list('locks/x');

    const winner = await store.write('locks/x', { holder: 'a' }, { onlyIfMatch: seenByBoth!.etag });
    const loser = await store.write('locks/x', { holder: 'b' }, { onlyIfMatch: seenByBoth!.etag });

    expect(winner.modified).toBe(true);
    expect(loser).toEqual({ modified: false });
    expect(await store.read('locks/x')).toEqual({ json: { holder: 'a' } });
  });

  it('never turns an empty ETag into an unconditional write', async () => {
    const store = blobs.openStore();
    await store.write('locks/x', { holder: 'someone' });
    blobs.reset();

    expect(await store.write('locks/x', { holder: 'me' }, { onlyIfMatch: '' })).toEqual({ modified: false });
    expect(blobs.requests).toEqual([]);
  });

  it('reports a refused conditional write as an error, where the client alone would report it as written', async () => {
    const store = openBlobStore({ client: { ...blobs.freshClient(), token: 'wrong-token' } });

    await expect(store.write('locks/x', {}, { onlyIfNew: true })).rejects.toMatchObject({ code: 'storage-failed', status: 403, retryable: false });
    await expect(store.write('locks/x', {}, { onlyIfMatch: '"etag"' })).rejects.toMatchObject({ code: 'storage-failed', status: 403 });
  });

  it('wraps a refused plain write, read, list and delete in a storage-failed error naming the key', async () => {
    const store = openBlobStore({ client: { ...blobs.freshClient(), token: 'wrong-token' } });

    await expect(store.write('ledger/render/srv-one', {})).rejects.toMatchObject({ code: 'storage-failed', message: expect.stringContaining('"ledger/render/srv-one"') as unknown });
    await expect(store.read('ledger/render/srv-one')).rejects.toMatchObject({ code: 'storage-failed' });
    await expect(store.list('ledger/')).rejects.toMatchObject({ code: 'storage-failed' });
    await expect(store.delete('ledger/render/srv-one')).rejects.toMatchObject({ code: 'storage-failed' });
  });

  it('lists only keys that start with the prefix', async () => {
    const store = blobs.openStore();
    await store.write('locks/render/srv', {});
    await store.write('locks/render/srv-1', {});
    await store.write('locks/netlify/site', {});

    expect((await store.list('locks/render/srv-1/')).map((entry) => entry.key)).toEqual([]);
    expect((await store.list('locks/render/')).map((entry) => entry.key).sort()).toEqual(['locks/render/srv', 'locks/render/srv-1']);
  });
});

describe('what EnvSync stores', () => {
  it('writes no variable value and no ledger secret in any blob after a full run', async () => {
    const canary = 'CANARY-value-7f3a9c1e-do-not-store';
    const ledgerSecret = 'LEDGER-secret-4b8d2e6f';
    const fingerprint = createFingerprinter(ledgerSecret);
    const storage = blobs.open();
    const target: TargetRef = { provider: 'netlify', id: 'site-1' };
    const values = new Map([
      ['API_TOKEN', canary],
      ['API_URL', `https://example.test/${canary}`],
    ]);

    const lease = await storage.locks.acquire(target, 'run-1', defaultLeaseTtlMs);
    await storage.runs.saveProgress({ runId: 'run-1', status: 'running', mode: 'enforce', pending: ['netlify:site-1'], done: [], startedAt: '2026-05-01T10:00:00.000Z', updatedAt: '2026-05-01T10:00:00.000Z' });
    await storage.ledger.save(target, [...values].map(([key, value]) => ({ key, context: 'production', fingerprint: fingerprint(key, value), writtenAt: '2026-05-01T10:00:01.000Z' })));
    const report = makeReport({
      runId: 'run-1',
      provider: 'netlify',
      target: 'site-1',
      applied: true,
      summary: { create: 1, update: 0, delete: 0, noop: 0 },
      changes: [{ op: 'create', key: 'API_TOKEN', context: 'production' }],
      pending: [{ op: 'update', key: 'API_URL', context: 'production', reason: 'value-differs' }],
      errors: [{ code: 'value-rejected', message: 'Netlify rejected the value of API_URL in production (422).', key: 'API_URL' }],
    });
    await storage.reports.save(report);
    await storage.tickets.recordReport(report);
    await storage.tickets.recordReport({ ...report, runId: 'run-2', startedAt: '2026-05-01T11:00:00.000Z', pending: [], errors: [] });
    await storage.runs.saveProgress({ runId: 'run-1', status: 'done', mode: 'enforce', pending: [], done: ['netlify:site-1'], startedAt: '2026-05-01T10:00:00.000Z', updatedAt: '2026-05-01T10:00:02.000Z' });
    await storage.runs.markScheduledRun('2026-05-01T10:00:02.000Z');
    await storage.locks.release(lease!);

    const files = await blobs.files();
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      expect(file.content).not.toContain(canary);
      expect(file.content).not.toContain(ledgerSecret);
    }
    expect(files.some((file) => file.content.includes('API_TOKEN'))).toBe(true);
  });
});
