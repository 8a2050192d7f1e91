import { describe, expect, it } from 'vitest';
import type { SyncReport } from '../../core/report.ts';
import type { HealthTarget } from '../../service/api/schemas.ts';
import type { Ticket } from '../../storage/types.ts';
import { canRollBack, holdOf, planLines, resultText, runsOf, targetRows } from './model.ts';

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

describe('holds', () => {
  const heldSync = report({
    applied: false,
    summary: { create: 0, update: 0, delete: 0, noop: 2 },
    changes: [],
    skipped: [
      { op: 'update', key: 'APP_B', reason: 'held', heldBy: 'rb-1' },
      { op: 'update', key: 'APP_A', context: 'production', reason: 'held', heldBy: 'rb-1' },
      { op: 'update', key: 'APP_A', context: 'dev', reason: 'held', heldBy: 'rb-1' },
    ],
  });
  const rollbackRun = report({ runId: 'rb-1', changes: [{ op: 'update', key: 'APP_A' }, { op: 'noop', key: 'APP_C' }], rollback: { undoes: 'run-0', changedSince: [], unrestorable: [] } });

  it('reads a hold from the skipped slots of a sync after the rollback', () => {
    expect(holdOf(heldSync)).toEqual({ rollbackRunId: 'rb-1', undoes: undefined, keys: ['APP_A', 'APP_B'] });
    expect(resultText(heldSync)).toBe('nothing written: 3 held');
  });

  it('reads a hold from the rollback run itself: the slots it restored', () => {
    expect(holdOf(rollbackRun)).toEqual({ rollbackRunId: 'rb-1', undoes: 'run-0', keys: ['APP_A'] });
    expect(resultText(rollbackRun)).toBe('rolled back 1 change');
  });

  it('sees no hold in a rollback that only planned or restored nothing, nor in an ordinary run', () => {
    expect(holdOf({ ...rollbackRun, mode: 'dry-run', applied: false })).toBeUndefined();
    expect(holdOf({ ...rollbackRun, changes: [{ op: 'noop', key: 'APP_C' }] })).toBeUndefined();
    expect(holdOf(report())).toBeUndefined();
  });

  it('calls a held target held, even with its held-drift ticket open, but errors and pending changes come first', () => {
    const open = [ticket({ codes: ['held'] })];

    expect(targetRows([target('srv-a')], [heldSync], open)[0]?.state).toBe('held');
    expect(targetRows([target('srv-a')], [{ ...heldSync, pending: [{ op: 'update', key: 'APP_X' }] }], [])[0]?.state).toBe('drift');
    expect(targetRows([target('srv-a')], [{ ...heldSync, errors: [{ code: 'provider-auth', message: 'm' }] }], [])[0]?.state).toBe('failing');
  });

  it('does not call a target in sync while a reviewed plan left a difference for later', () => {
    const later = report({ skipped: [{ op: 'create', key: 'APP_NEW', reason: 'not-in-plan' }] });

    expect(targetRows([target('srv-a')], [later], [])[0]?.state).toBe('drift');
  });

  it('offers a rollback only for an enforce run that wrote something', () => {
    expect(canRollBack([report()])).toBe(true);
    expect(canRollBack([report({ mode: 'dry-run', applied: false })])).toBe(false);
    expect(canRollBack([report({ applied: false, summary: { create: 0, update: 0, delete: 0, noop: 2 } })])).toBe(false);
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
