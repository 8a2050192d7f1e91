import { describe, expect, it } from 'vitest';
import type { SyncReport } from '../core/report.ts';
import { makeReport, useLocalBlobs } from '../../test/support/blobs-server.ts';

const blobs = useLocalBlobs();

const at = (hour: number) => `2026-05-01T${String(hour).padStart(2, '0')}:00:00.000Z`;

const drifted = (hour: number, keys: readonly string[], overrides: Partial<SyncReport> = {}) =>
  makeReport({ runId: `run-${hour}`, startedAt: at(hour), mode: 'dry-run', pending: keys.map((key) => ({ op: 'update' as const, key })), ...overrides });
const inSync = (hour: number, overrides: Partial<SyncReport> = {}) => makeReport({ runId: `run-${hour}`, startedAt: at(hour), ...overrides });
const failed = (hour: number, overrides: Partial<SyncReport> = {}) =>
  makeReport({
    runId: `run-${hour}`,
    startedAt: at(hour),
    errors: [{ code: 'token-missing', message: 'No Render API token found: looked in RENDER_API_TOKEN.' }],
    ...overrides,
  });

describe('drift and failure tickets on Netlify Blobs', () => {
  it('opens a drift ticket when a dry run leaves changes pending, naming keys only', async () => {
    const { tickets } = blobs.open();
    await tickets.recordReport(drifted(1, ['B_KEY', 'A_KEY']));

    const [ticket, ...rest] = await tickets.list({ status: 'open' });
    expect(rest).toEqual([]);
    expect(ticket).toMatchObject({
      provider: 'render',
      target: 'srv-one',
      kind: 'drift',
      status: 'open',
      keys: ['A_KEY', 'B_KEY'],
      codes: ['update'],
      occurrences: 1,
      firstSeen: at(1),
      lastSeen: at(1),
      lastRunId: 'run-1',
    });
    expect(ticket?.id).toMatch(/^drift-[0-9a-f]{24}$/);
  });

  it('updates one ticket when the same keys drift again: occurrences 2, lastSeen moves', async () => {
    const { tickets } = blobs.open();
    await tickets.recordReport(drifted(1, ['A_KEY']));
    await tickets.recordReport(drifted(2, ['A_KEY']));

    const all = await tickets.list();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ status: 'open', occurrences: 2, firstSeen: at(1), lastSeen: at(2), lastRunId: 'run-2' });
  });

  it('counts a report recorded twice once', async () => {
    const { tickets } = blobs.open();
    await tickets.recordReport(drifted(1, ['A_KEY']));
    await tickets.recordReport(drifted(1, ['A_KEY']));

    expect((await tickets.list())[0]?.occurrences).toBe(1);
  });

  it('resolves the open tickets of a target when a later report finds it in sync', async () => {
    const { tickets } = blobs.open();
    await tickets.recordReport(drifted(1, ['A_KEY'], { errors: [{ code: 'value-rejected', message: 'Render rejected A_KEY.', key: 'A_KEY' }] }));
    expect((await tickets.list({ status: 'open' })).map((t) => t.kind).sort()).toEqual(['drift', 'failure']);

    await tickets.recordReport(inSync(2));

    expect(await tickets.list({ status: 'open' })).toEqual([]);
    const resolved = await tickets.list({ status: 'resolved' });
    expect(resolved).toHaveLength(2);
    expect(resolved.every((t) => t.resolvedAt === at(2))).toBe(true);
  });

  it('leaves other targets’ tickets open when one target is in sync', async () => {
    const { tickets } = blobs.open();
    await tickets.recordReport(drifted(1, ['A_KEY']));
    await tickets.recordReport(drifted(1, ['A_KEY'], { target: 'srv-two' }));
    await tickets.recordReport(inSync(2));

    expect((await tickets.list({ status: 'open' })).map((t) => t.target)).toEqual(['srv-two']);
  });

  it('makes a different key set a different ticket and resolves the one it supersedes', async () => {
    const { tickets } = blobs.open();
    await tickets.recordReport(drifted(1, ['A_KEY', 'B_KEY']));
    await tickets.recordReport(drifted(2, ['A_KEY']));

    const all = await tickets.list();
    expect(all.map((t) => [t.status, t.keys])).toEqual([
      ['open', ['A_KEY']],
      ['resolved', ['A_KEY', 'B_KEY']],
    ]);
    expect(all[0]?.id).not.toBe(all[1]?.id);
  });

  it('opens a failure ticket when token discovery fails, and keeps drift open while the target cannot be read', async () => {
    const { tickets } = blobs.open();
    await tickets.recordReport(drifted(1, ['A_KEY']));
    await tickets.recordReport(failed(2));

    const open = await tickets.list({ status: 'open' });
    expect(open.map((t) => t.kind).sort()).toEqual(['drift', 'failure']);
    expect(open.find((t) => t.kind === 'failure')).toMatchObject({ codes: ['token-missing'], keys: [], summary: expect.stringContaining('token-missing') as unknown });
  });

  it('resolves a failure ticket once a run has no error, even if changes are still pending', async () => {
    const { tickets } = blobs.open();
    await tickets.recordReport(failed(1));
    await tickets.recordReport(drifted(2, ['A_KEY']));

    expect((await tickets.list({ status: 'open' })).map((t) => t.kind)).toEqual(['drift']);
    expect((await tickets.list({ status: 'resolved' })).map((t) => t.kind)).toEqual(['failure']);
  });

  it('reopens a resolved ticket with its history when the same drift comes back', async () => {
    const { tickets } = blobs.open();
    await tickets.recordReport(drifted(1, ['A_KEY']));
    await tickets.recordReport(inSync(2));
    await tickets.recordReport(drifted(3, ['A_KEY']));

    const all = await tickets.list();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ status: 'open', occurrences: 2, firstSeen: at(1), lastSeen: at(3) });
    expect(all[0]?.resolvedAt).toBeUndefined();
  });

  it('filters by provider and target', async () => {
    const { tickets } = blobs.open();
    await tickets.recordReport(drifted(1, ['A_KEY']));
    await tickets.recordReport(drifted(1, ['A_KEY'], { provider: 'netlify', target: 'site-1' }));

    expect((await tickets.list({ provider: 'netlify' })).map((t) => t.target)).toEqual(['site-1']);
    expect((await tickets.list({ target: 'srv-one' })).map((t) => t.provider)).toEqual(['render']);
    expect(await tickets.list({ provider: 'netlify', target: 'srv-one' })).toEqual([]);
  });

  it('keeps a bounded number of resolved tickets per target', async () => {
    const { tickets } = blobs.open({ retention: { resolvedTicketsPerTarget: 2 } });
    for (let hour = 1; hour <= 5; hour++) await tickets.recordReport(drifted(hour, [`KEY_${hour}`]));

    const resolved = await tickets.list({ status: 'resolved' });
    expect(resolved.map((t) => t.keys[0])).toEqual(['KEY_4', 'KEY_3']);
  });

  it('costs one list request for a report in sync when nothing is open', async () => {
    const { tickets } = blobs.open();
    await tickets.recordReport(inSync(1));
    expect(blobs.counts()).toEqual({ list: 1 });
  });

  it('costs a list, a read and a write to count another occurrence', async () => {
    const { tickets } = blobs.open();
    await tickets.recordReport(drifted(1, ['A_KEY']));
    blobs.reset();

    await tickets.recordReport(drifted(2, ['A_KEY']));
    expect(blobs.counts()).toEqual({ list: 1, get: 1, set: 1 });
  });

  it('costs two lists and a write to open a ticket, and a read, a write and a delete more to resolve one', async () => {
    const { tickets } = blobs.open();
    await tickets.recordReport(drifted(1, ['A_KEY']));
    expect(blobs.counts()).toEqual({ list: 2, set: 1 });
    blobs.reset();

    await tickets.recordReport(inSync(2));
    expect(blobs.counts()).toEqual({ list: 1, get: 1, set: 1, delete: 1 });
  });
});
