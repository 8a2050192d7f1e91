import { describe, expect, it } from 'vitest';
import { makeReport, useLocalBlobs } from '../../test/support/blobs-server.ts';
import { eventsOfReport } from '../events/from-report.ts';
import type { EventRecord } from '../events/types.ts';
import { createEventLog } from './events.ts';
import { silentLogger } from '../logging/logger.ts';

/** The events log on the real local BlobsServer: filters on keys alone, newest first, bounded. */

const blobs = useLocalBlobs();

function records(target: string, at: string, pending: boolean): EventRecord[] {
  const report = makeReport({ runId: `run-${at}`, target, mode: 'dry-run', pending: pending ? [{ op: 'create', key: 'APP_X' }] : [] });
  let n = 0;
  return eventsOfReport(report, { trigger: 'schedule' }, at, () => `${target}-${at}-${++n}`).map((event) => ({ ...event, deliveries: [] }));
}

describe('events log', () => {
  it('lists newest first, filters by type and target from the keys, and reads only what it returns', async () => {
    const log = createEventLog(blobs.openStore(), { logger: silentLogger, now: Date.now });
    await log.append(records('srv-one', '2026-05-01T10:00:00.000Z', true));
    await log.append(records('srv-two', '2026-05-01T11:00:00.000Z', false));
    await log.append(records('srv-one', '2026-05-01T12:00:00.000Z', false));
    blobs.reset();

    const all = await log.list();
    expect(all.map((record) => `${record.at.slice(11, 13)} ${record.target}`)).toEqual(['12 srv-one', '11 srv-two', '10 srv-one', '10 srv-one']);
    expect(all.filter((record) => record.at.startsWith('2026-05-01T10')).map((record) => record.type).sort()).toEqual(['ENVSYNC_COMPLETE', 'ENVSYNC_DRIFT_DETECTED']);
    expect(all).toHaveLength(4);
    expect(all[0]?.at).toBe('2026-05-01T12:00:00.000Z');
    expect(all.at(-1)?.at).toBe('2026-05-01T10:00:00.000Z');

    blobs.reset();
    const drift = await log.list({ types: ['ENVSYNC_DRIFT_DETECTED'] });
    expect(drift.map((record) => record.target)).toEqual(['srv-one']);
    expect(blobs.counts()).toEqual({ list: 1, get: 1 });

    expect((await log.list({ target: 'srv-one' })).map((record) => record.at.slice(11, 13))).toEqual(['12', '10', '10']);
    expect(await log.list({ types: ['ENVSYNC_FAILED'] })).toEqual([]);
    blobs.reset();
    expect(await log.list({ limit: 1 })).toHaveLength(1);
    expect(blobs.counts()).toEqual({ list: 1, get: 1 });
  });

  it('keeps at most `kept` events, dropping the oldest', async () => {
    const log = createEventLog(blobs.openStore(), { logger: silentLogger, now: Date.now, kept: 3 });
    await log.append(records('srv-one', '2026-05-01T10:00:00.000Z', true));
    await log.append(records('srv-one', '2026-05-01T11:00:00.000Z', true));
    const kept = await log.list();
    expect(kept.map((record) => record.at.slice(11, 13))).toEqual(['11', '11', '10']);
    await log.append(records('srv-one', '2026-05-01T12:00:00.000Z', false), 1);
    expect((await log.list()).map((record) => record.at.slice(11, 13))).toEqual(['12']);
  });
});
