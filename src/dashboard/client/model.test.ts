import { describe, expect, it } from 'vitest';
import type { SyncReport } from '../../core/report.ts';
import type { HealthTarget } from '../../service/api/schemas.ts';
import type { Ticket } from '../../storage/types.ts';
import { planLines, resultText, runsOf, targetRows } from './model.ts';

const target = (id: string): HealthTarget => ({ provider: 'render', id, token: { found: true, source: 'env:RENDER_API_TOKEN' } });

function report(overrides: Partial<SyncReport> = {}): SyncReport {
  return {
    runId: 'run-1',
    provider: 'render',
    target: 'srv-a',
    mode: 'enforce',
    applied: true,
    summary: { create: 1, update: 0, delete: 0, noop: 2 },
    changes: [
      { op: 'create', key: 'APP_NEW' },
      { op: 'noop', key: 'APP_SAME' },
    ],
    skipped: [],
    pending: [],
    errors: [],
    redeploy: 'triggered',
    rounds: 1,
    startedAt: '2026-12-01T10:00:00.000Z',
    durationMs: 12,
    ...overrides,
  };
}

const ticket = (overrides: Partial<Ticket>): Ticket => ({
  id: 't1',
  provider: 'render',
  target: 'srv-a',
  kind: 'drift',
  status: 'open',
  keys: ['APP_X'],
  codes: ['update'],
  summary: 'drift',
  occurrences: 1,
  firstSeen: '2026-12-01T09:00:00.000Z',
  lastSeen: '2026-12-01T09:00:00.000Z',
  lastRunId: 'run-0',
  ...overrides,
});

describe('targetRows', () => {
  it('names a target without any report never synced', () => {
    expect(targetRows([target('srv-a')], [], [])[0]?.state).toBe('never-synced');
  });

  it('judges a target by its newest report only', () => {
    const reports = [report({ runId: 'new' }), report({ runId: 'old', errors: [{ code: 'provider-auth', message: 'm' }] })];

    const [row] = targetRows([target('srv-a')], reports, []);

    expect(row?.state).toBe('in-sync');
    expect(row?.lastReport?.runId).toBe('new');
  });

  it('calls errors failing before pending changes drift', () => {
    const failing = report({ pending: [{ op: 'update', key: 'APP_X' }], errors: [{ code: 'provider-rejected', message: 'm' }] });
    const drifting = report({ mode: 'dry-run', applied: false, pending: [{ op: 'update', key: 'APP_X' }] });

    expect(targetRows([target('srv-a')], [failing], [])[0]?.state).toBe('failing');
    expect(targetRows([target('srv-a')], [drifting], [])[0]?.state).toBe('drift');
  });

  it('keeps a target in drift while a drift ticket is open, and counts only its own tickets', () => {
    const tickets = [ticket({}), ticket({ id: 't2', target: 'srv-b' }), ticket({ id: 't3', status: 'resolved' })];

    const [row] = targetRows([target('srv-a')], [report()], tickets);

    expect(row?.state).toBe('drift');
    expect(row?.openTickets.map((open) => open.id)).toEqual(['t1']);
  });
});

describe('planLines', () => {
  it('lists changes without noops, then skips with their reasons', () => {
    const lines = planLines(
      report({
        changes: [
          { op: 'update', key: 'APP_B', context: 'production', reason: 'drift' },
          { op: 'noop', key: 'APP_C' },
          { op: 'delete', key: 'APP_D' },
        ],
        skipped: [{ op: 'delete', key: 'OLD', reason: 'not-owned' }],
      }),
    );

    expect(lines.map((line) => `${line.sign} ${line.op} ${line.key} ${line.context ?? ''} ${line.reason ?? ''}`.trim())).toEqual([
      '~ update APP_B production drift',
      '- delete APP_D',
      '! skip delete OLD  not-owned',
    ]);
  });
});

describe('resultText', () => {
  it('says what a run did in a few words', () => {
    expect(resultText(report())).toBe('applied 1 change');
    expect(resultText(report({ mode: 'dry-run', applied: false }))).toBe('planned 1 change');
    expect(resultText(report({ mode: 'dry-run', applied: false, summary: { create: 0, update: 0, delete: 0, noop: 3 } }))).toBe('planned: nothing to change');
    expect(resultText(report({ errors: [{ code: 'provider-auth', message: 'm' }, { code: 'provider-auth', message: 'n' }] }))).toBe('2 errors');
  });
});

describe('runsOf', () => {
  it('groups reports by run, newest run first', () => {
    const runs = runsOf([
      report({ runId: 'b', startedAt: '2026-12-01T11:00:00.000Z' }),
      report({ runId: 'a', startedAt: '2026-12-01T10:00:00.000Z' }),
      report({ runId: 'b', target: 'srv-b', startedAt: '2026-12-01T11:00:01.000Z' }),
    ]);

    expect(runs.map((run) => [run.runId, run.reports.length])).toEqual([
      ['b', 2],
      ['a', 1],
    ]);
  });
});
