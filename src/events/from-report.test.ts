import { describe, expect, it } from 'vitest';
import { makeReport } from '../../test/support/blobs-server.ts';
import { eventsOfReport, outcomeOf } from './from-report.ts';

/** Events made from reports: outcomes and the key names each event is about. */

const at = '2026-12-02T00:00:00.000Z';
let n = 0;
const events = (report: Parameters<typeof eventsOfReport>[0]) => eventsOfReport(report, { trigger: 'schedule' }, at, () => `event-${++n}`);

const held = [
  { op: 'update' as const, key: 'APP_LOG_LEVEL', context: '*', reason: 'held' as const, heldBy: 'rb-1' },
  { op: 'delete' as const, key: 'APP_NEW_KEY', context: '*', reason: 'held' as const, heldBy: 'rb-1' },
];

describe('events of a report', () => {
  it('a target whose only differences are held by a rollback is `held`, not in sync, and its COMPLETE names the held keys', () => {
    const report = makeReport({ mode: 'enforce', applied: false, skipped: held });

    expect(outcomeOf(report)).toBe('held');
    const made = events(report);
    expect(made.map((event) => event.type)).toEqual(['ENVSYNC_COMPLETE']);
    expect(made[0]?.keys).toEqual(['APP_LOG_LEVEL', 'APP_NEW_KEY']);
  });

  it('a target that applied changes beside held slots is `held` too: it is not equal to the canonical set on purpose', () => {
    const report = makeReport({ mode: 'enforce', applied: true, changes: [{ op: 'update', key: 'APP_API_URL' }], skipped: held });

    expect(outcomeOf(report)).toBe('held');
    expect(events(report)[0]?.keys).toEqual(['APP_API_URL', 'APP_LOG_LEVEL', 'APP_NEW_KEY']);
  });

  it('skips that do not wait (deletions off) leave the outcome as it was', () => {
    const report = makeReport({ mode: 'enforce', applied: false, skipped: [{ op: 'delete', key: 'APP_OLD', context: '*', reason: 'deletions-disabled' }] });

    expect(outcomeOf(report)).toBe('in-sync');
    expect(events(report)[0]?.keys).toEqual([]);
  });
});
