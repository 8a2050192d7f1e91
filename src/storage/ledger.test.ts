import { describe, expect, it } from 'vitest';
import { createFingerprinter, type LedgerEntry, type TargetRef } from '../core/ledger.ts';
import { useLocalBlobs } from '../../test/support/blobs-server.ts';

const blobs = useLocalBlobs();

const fingerprint = createFingerprinter('ledger-secret');
const render: TargetRef = { provider: 'render', id: 'srv-one' };
const netlify: TargetRef = { provider: 'netlify', id: 'srv-one' };
const entry = (key: string, context: string, value: string, extra: Partial<LedgerEntry> = {}): LedgerEntry => ({
  key,
  context,
  fingerprint: fingerprint(key, value),
  writtenAt: '2026-05-01T10:00:00.000Z',
  ...extra,
});

describe('the ledger on Netlify Blobs', () => {
  it('loads an empty ledger for a target never written', async () => {
    const { ledger } = blobs.open();
    expect(await ledger.load(render)).toEqual([]);
  });

  it('round-trips the entries of each target separately', async () => {
    const { ledger } = blobs.open();
    const renderEntries = [entry('API_URL', '*', 'https://a', { remoteUpdatedAt: '2026-05-01T10:00:01.000Z' }), entry('TOKEN', '*', 's3cret')];
    const netlifyEntries = [entry('API_URL', 'production', 'https://b')];
    await ledger.save(render, renderEntries);
    await ledger.save(netlify, netlifyEntries);

    expect(await ledger.load(render)).toEqual(renderEntries);
    expect(await ledger.load(netlify)).toEqual(netlifyEntries);
  });

  it('replaces the whole record on save', async () => {
    const { ledger } = blobs.open();
    await ledger.save(render, [entry('A', '*', '1'), entry('B', '*', '2')]);
    await ledger.save(render, [entry('B', '*', '3')]);

    expect((await ledger.load(render)).map((e) => e.key)).toEqual(['B']);
  });

  it('costs one read to load and one write to save', async () => {
    const { ledger } = blobs.open();
    await ledger.save(render, [entry('A', '*', '1')]);
    await ledger.load(render);
    expect(blobs.counts()).toEqual({ set: 1, get: 1 });
  });

  it('refuses to store an entry whose fingerprint is not an HMAC, so a value passed by mistake never lands in Blobs', async () => {
    const { ledger } = blobs.open();
    const leaked = { ...entry('TOKEN', '*', 'x'), fingerprint: 'plain-value' };

    await expect(ledger.save(render, [leaked])).rejects.toMatchObject({ code: 'internal' });
    expect(blobs.counts()).toEqual({});
  });

  it('fails loudly on a ledger that no longer validates, instead of forgetting what EnvSync owns', async () => {
    const client = blobs.freshClient();
    await blobs.openStore(client).write('ledger/render/srv-one', { version: 1, entries: [{ key: 'A' }] });

    await expect(blobs.open({ client }).ledger.load(render)).rejects.toMatchObject({
      code: 'storage-failed',
      message: expect.stringContaining('Delete that blob') as unknown,
    });
  });
});
