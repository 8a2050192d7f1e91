import { describe, expect, it } from 'vitest';
import { makeReport, useLocalBlobs } from '../../test/support/blobs-server.ts';

const blobs = useLocalBlobs();

const at = (minute: number) => `2026-05-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

describe('report history on Netlify Blobs', () => {
  it('lists reports newest first across targets, whatever order they were saved in', async () => {
    const { reports } = blobs.open();
    await reports.save(makeReport({ runId: 'b', startedAt: at(2), target: 'srv-two' }));
    await reports.save(makeReport({ runId: 'c', startedAt: at(3), provider: 'netlify', target: 'site-1' }));
    await reports.save(makeReport({ runId: 'a', startedAt: at(1) }));

    const listed = await reports.list();

    expect(listed.map((report) => report.runId)).toEqual(['c', 'b', 'a']);
  });

  it('filters by provider, by target and by both, and honours the limit', async () => {
    const { reports } = blobs.open();
    for (const [minute, provider, target] of [
      [1, 'render', 'srv-one'],
      [2, 'render', 'srv-two'],
      [3, 'netlify', 'srv-one'],
      [4, 'render', 'srv-one'],
    ] as const) {
      await reports.save(makeReport({ runId: `r${minute}`, startedAt: at(minute), provider, target }));
    }

    expect((await reports.list({ provider: 'render' })).map((r) => r.runId)).toEqual(['r4', 'r2', 'r1']);
    expect((await reports.list({ target: 'srv-one' })).map((r) => r.runId)).toEqual(['r4', 'r3', 'r1']);
    expect((await reports.list({ provider: 'render', target: 'srv-one' })).map((r) => r.runId)).toEqual(['r4', 'r1']);
    expect((await reports.list({ limit: 2 })).map((r) => r.runId)).toEqual(['r4', 'r3']);
  });

  it('keeps a bounded history per target and deletes the oldest reports first', async () => {
    const { reports } = blobs.open({ retention: { reportsPerTarget: 3 } });
    for (let minute = 1; minute <= 5; minute++) await reports.save(makeReport({ runId: `r${minute}`, startedAt: at(minute) }));
    await reports.save(makeReport({ runId: 'other', startedAt: at(0), target: 'srv-two' }));

    expect((await reports.list({ target: 'srv-one', limit: 50 })).map((r) => r.runId)).toEqual(['r5', 'r4', 'r3']);
    expect((await reports.list({ target: 'srv-two' })).map((r) => r.runId)).toEqual(['other']);
  });

  it('saves with one write and one list, plus one delete once the history is full', async () => {
    const { reports } = blobs.open({ retention: { reportsPerTarget: 2 } });
    await reports.save(makeReport({ runId: 'r1', startedAt: at(1) }));
    await reports.save(makeReport({ runId: 'r2', startedAt: at(2) }));
    blobs.reset();

    await reports.save(makeReport({ runId: 'r3', startedAt: at(3) }));
    expect(blobs.counts()).toEqual({ set: 1, list: 1, delete: 1 });
  });

  it('lists one target with one list request and one read per report returned', async () => {
    const { reports } = blobs.open();
    for (let minute = 1; minute <= 5; minute++) await reports.save(makeReport({ runId: `r${minute}`, startedAt: at(minute) }));
    blobs.reset();

    await reports.list({ provider: 'render', target: 'srv-one', limit: 2 });
    expect(blobs.counts()).toEqual({ list: 1, get: 2 });
  });

  it('keeps target ids with slashes and dots inside their own history', async () => {
    const { reports } = blobs.open();
    await reports.save(makeReport({ runId: 'x', target: '../srv/one' }));
    await reports.save(makeReport({ runId: 'y', target: 'srv' }));

    expect((await reports.list({ target: '../srv/one' })).map((r) => r.runId)).toEqual(['x']);
    expect((await reports.list({ target: 'srv' })).map((r) => r.runId)).toEqual(['y']);
  });

  it('skips a stored report that no longer validates instead of returning it', async () => {
    const client = blobs.freshClient();
    const { reports } = blobs.open({ client });
    await reports.save(makeReport({ runId: 'good', startedAt: at(1) }));
    await blobs.openStore(client).write('reports/render/srv-one/0000000000000-bad', { runId: 'bad' });

    expect((await reports.list()).map((r) => r.runId)).toEqual(['good']);
  });

  it('rejects a malformed report before storing anything', async () => {
    const { reports } = blobs.open();
    const broken = { ...makeReport(), summary: undefined } as unknown as Parameters<typeof reports.save>[0];

    await expect(reports.save(broken)).rejects.toMatchObject({ name: 'SyncError', code: 'internal' });
    expect(blobs.counts()).toEqual({});
  });
});
