import { describe, expect, it } from 'vitest';
import { useLocalBlobs } from '../../test/support/blobs-server.ts';
import type { TargetHealth } from './types.ts';

const blobs = useLocalBlobs();

const target = (id: string, runId: string, overrides: Partial<TargetHealth> = {}): TargetHealth => ({
  provider: 'render',
  id,
  runId,
  checkedAt: '2026-05-01T10:00:01.000Z',
  applied: false,
  inSync: true,
  errorCodes: [],
  token: { found: true, source: 'env:RENDER_API_TOKEN' },
  ...overrides,
});

const summary = (runId: string, targets: number) => ({
  runId,
  mode: 'enforce' as const,
  startedAt: '2026-05-01T10:00:00.000Z',
  finishedAt: '2026-05-01T10:00:01.000Z',
  targets,
  applied: 0,
  inSync: targets,
  withErrors: 0,
});

describe('the health record on Netlify Blobs', () => {
  it('is absent before the first run, and one read once a run kept it', async () => {
    const storage = blobs.open();
    expect(await storage.health.read()).toBeUndefined();

    await storage.health.recordRun({ summary: summary('run-1', 1), targets: [target('srv-a', 'run-1')] });
    blobs.reset();

    expect(await storage.health.read()).toMatchObject({ lastRun: { runId: 'run-1' }, targets: [{ id: 'srv-a' }] });
    expect(blobs.counts()).toEqual({ get: 1 });
  });

  it("merges a run over some targets into the record, keeping the others' last outcome", async () => {
    const storage = blobs.open();
    await storage.health.recordRun({ summary: summary('run-1', 2), targets: [target('srv-a', 'run-1'), target('srv-b', 'run-1')] });

    await storage.health.recordRun({ summary: summary('run-2', 1), targets: [target('srv-b', 'run-2', { errorCodes: ['provider-auth'], inSync: false })] });

    const record = await storage.health.read();
    expect(record?.lastRun?.runId).toBe('run-2');
    expect(record?.targets.map((item) => [item.id, item.runId, item.errorCodes])).toEqual([
      ['srv-a', 'run-1', []],
      ['srv-b', 'run-2', ['provider-auth']],
    ]);
  });
});
