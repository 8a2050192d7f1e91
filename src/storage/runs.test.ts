import { describe, expect, it } from 'vitest';
import type { RunProgress } from './types.ts';
import { useLocalBlobs } from '../../test/support/blobs-server.ts';

const blobs = useLocalBlobs();

const progress = (runId: string, minute: number, overrides: Partial<RunProgress> = {}): RunProgress => ({
  runId,
  status: 'running',
  mode: 'enforce',
  pending: ['render:srv-two', 'netlify:site-1'],
  done: ['render:srv-one'],
  startedAt: `2026-05-01T10:${String(minute).padStart(2, '0')}:00.000Z`,
  updatedAt: `2026-05-01T10:${String(minute).padStart(2, '0')}:30.000Z`,
  ...overrides,
});

describe('background run progress and the scheduler memory on Netlify Blobs', () => {
  it('returns nothing for an unknown run', async () => {
    const { runs } = blobs.open();
    expect(await runs.getProgress('nope')).toBeUndefined();
  });

  it('round-trips progress and keeps only the latest save of a run', async () => {
    const { runs } = blobs.open();
    await runs.saveProgress(progress('run-1', 1));
    const finished = progress('run-1', 1, { status: 'done', pending: [], done: ['render:srv-one', 'render:srv-two', 'netlify:site-1'] });
    await runs.saveProgress(finished);

    expect(await runs.getProgress('run-1')).toEqual(finished);
  });

  it('keeps the progress of failed runs with their error', async () => {
    const { runs } = blobs.open();
    const failed = progress('run-2', 2, { status: 'failed', error: 'budget-exhausted' });
    await runs.saveProgress(failed);

    expect(await runs.getProgress('run-2')).toEqual(failed);
  });

  it('deletes the oldest runs beyond the kept number when a run finishes', async () => {
    const { runs } = blobs.open({ retention: { runsKept: 2 } });
    for (let minute = 1; minute <= 4; minute++) await runs.saveProgress(progress(`run-${minute}`, minute, { status: 'done' }));

    expect(await runs.getProgress('run-1')).toBeUndefined();
    expect(await runs.getProgress('run-2')).toBeUndefined();
    expect(await runs.getProgress('run-4')).toBeDefined();
  });

  it('costs one write per progress save while running, and one list and one read to look a run up', async () => {
    const { runs } = blobs.open();
    await runs.saveProgress(progress('run-1', 1));
    expect(blobs.counts()).toEqual({ set: 1 });

    blobs.reset();
    await runs.getProgress('run-1');
    expect(blobs.counts()).toEqual({ list: 1, get: 1 });
  });

  it('remembers when the scheduled sync last ran', async () => {
    const { runs } = blobs.open();
    expect(await runs.lastScheduledRun()).toBeUndefined();

    await runs.markScheduledRun('2026-05-01T10:00:00.000Z');
    await runs.markScheduledRun('2026-05-02T10:00:00.000Z');

    expect(await runs.lastScheduledRun()).toBe('2026-05-02T10:00:00.000Z');
  });

  it('rejects a scheduled run time that is not an ISO instant', async () => {
    const { runs } = blobs.open();
    await expect(runs.markScheduledRun('yesterday')).rejects.toMatchObject({ code: 'internal' });
  });

  it('claims a queued run for one invocation only: a second claim is busy, a finished run is finished', async () => {
    let now = Date.parse('2026-05-01T10:05:00.000Z');
    const { runs } = blobs.open({ now: () => now });
    await runs.saveProgress(progress('run-q', 5, { status: 'queued', done: [] }));

    const first = await runs.claim('run-q', 'lease-a', 60_000);
    const second = await runs.claim('run-q', 'lease-b', 60_000);

    expect(first).toMatchObject({ outcome: 'claimed', progress: { status: 'running', leaseId: 'lease-a', leaseExpiresAt: '2026-05-01T10:06:00.000Z' } });
    expect(second).toMatchObject({ outcome: 'busy', progress: { leaseId: 'lease-a' } });
    expect(await runs.claim('nope', 'lease-c', 60_000)).toEqual({ outcome: 'not-found' });

    now += 61_000;
    expect(await runs.claim('run-q', 'lease-d', 60_000)).toMatchObject({ outcome: 'claimed', progress: { leaseId: 'lease-d' } });
    await runs.saveProgress(progress('run-q', 5, { status: 'done', pending: [] }));
    expect(await runs.claim('run-q', 'lease-e', 60_000)).toMatchObject({ outcome: 'finished' });
  });

  it('claims with a compare-and-set: one list, one read and one conditional write', async () => {
    const { runs } = blobs.open();
    await runs.saveProgress(progress('run-c', 6, { status: 'queued' }));
    blobs.reset();

    await runs.claim('run-c', 'lease-a', 60_000);

    expect(blobs.counts()).toEqual({ list: 1, get: 1, set: 1 });
    expect(blobs.requests.find((request) => request.type === 'set')).toBeDefined();
  });
});
