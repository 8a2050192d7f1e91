import { describe, expect, it } from 'vitest';
import { clears, driftDraft, failureDraft, kindOfTicketId, ticketId } from './ticket-rules.ts';
import { makeReport } from '../../test/support/blobs-server.ts';

describe('ticket rules', () => {
  it('gives the same id to the same target, kind and key set in any order', () => {
    expect(ticketId('render', 'srv-one', 'drift', ['A', 'B'], [])).toBe(ticketId('render', 'srv-one', 'drift', ['A', 'B'], ['create']));
    expect(driftDraft(makeReport({ pending: [{ op: 'update', key: 'B' }, { op: 'create', key: 'A' }] }))?.id).toBe(
      driftDraft(makeReport({ pending: [{ op: 'create', key: 'A' }, { op: 'update', key: 'B' }] }))?.id,
    );
  });

  it('gives different ids to different key sets, targets, providers and kinds', () => {
    const ids = new Set([
      ticketId('render', 'srv-one', 'drift', ['A'], []),
      ticketId('render', 'srv-one', 'drift', ['A', 'B'], []),
      ticketId('render', 'srv-two', 'drift', ['A'], []),
      ticketId('netlify', 'srv-one', 'drift', ['A'], []),
      ticketId('render', 'srv-one', 'failure', ['A'], []),
    ]);
    expect(ids.size).toBe(5);
  });

  it('tells failures with the same keys but different error codes apart', () => {
    expect(ticketId('render', 'srv-one', 'failure', [], ['token-missing'])).not.toBe(ticketId('render', 'srv-one', 'failure', [], ['provider-auth']));
  });

  it('starts every id with its kind', () => {
    expect(kindOfTicketId(ticketId('render', 's', 'drift', [], []))).toBe('drift');
    expect(kindOfTicketId(ticketId('render', 's', 'failure', [], []))).toBe('failure');
  });

  it('raises a drift draft naming pending keys once each, the ops, and why they are pending', () => {
    const draft = driftDraft(
      makeReport({
        mode: 'dry-run',
        pending: [
          { op: 'update', key: 'API_URL', context: 'production' },
          { op: 'update', key: 'API_URL', context: 'deploy-preview' },
          { op: 'create', key: 'NEW_KEY' },
        ],
      }),
    );
    expect(draft).toMatchObject({ kind: 'drift', keys: ['API_URL', 'NEW_KEY'], codes: ['create', 'update'] });
    expect(draft?.summary).toBe('3 changes left pending (dry-run mode): API_URL, NEW_KEY');
  });

  it('says a refused plan was refused, and shortens a long key list', () => {
    const pending = Array.from({ length: 12 }, (_, index) => ({ op: 'delete' as const, key: `KEY_${String(index).padStart(2, '0')}` }));
    const draft = driftDraft(makeReport({ refusal: 'too many deletions', pending }));
    expect(draft?.summary).toMatch(/^12 changes left pending \(refused: too many deletions\): KEY_00, .*KEY_09 and 2 more$/);
  });

  it('raises a failure draft from the errors, with the keys they name and their codes', () => {
    const draft = failureDraft(
      makeReport({
        errors: [
          { code: 'value-rejected', message: 'Render rejected the value of B.', key: 'B' },
          { code: 'provider-unavailable', message: 'Render answered 503.' },
        ],
      }),
    );
    expect(draft).toMatchObject({ kind: 'failure', keys: ['B'], codes: ['provider-unavailable', 'value-rejected'] });
    expect(draft?.summary).toBe('2 errors (provider-unavailable, value-rejected); first: Render rejected the value of B.');
  });

  it('raises nothing for a report in sync', () => {
    expect(driftDraft(makeReport())).toBeUndefined();
    expect(failureDraft(makeReport())).toBeUndefined();
  });

  it('clears drift only when in sync, and failures whenever a run had no error', () => {
    const readFailed = makeReport({ errors: [{ code: 'provider-unavailable', message: 'Render answered 503.' }] });
    const dryRun = makeReport({ mode: 'dry-run', pending: [{ op: 'create', key: 'A' }] });
    expect(clears('drift', readFailed)).toBe(false);
    expect(clears('failure', readFailed)).toBe(false);
    expect(clears('drift', dryRun)).toBe(false);
    expect(clears('failure', dryRun)).toBe(true);
    expect(clears('drift', makeReport())).toBe(true);
  });

  it('names the slots a rollback holds in the drift ticket, with the rollback run and how to release them', () => {
    const report = makeReport({
      mode: 'enforce',
      skipped: [
        { op: 'update', key: 'APP_LOG_LEVEL', context: '*', reason: 'held', heldBy: 'rb-1234' },
        { op: 'delete', key: 'APP_NEW_KEY', context: '*', reason: 'held', heldBy: 'rb-1234' },
        { op: 'delete', key: 'APP_OTHER', context: '*', reason: 'deletions-disabled' },
      ],
    });

    const draft = driftDraft(report);

    expect(draft?.keys).toEqual(['APP_LOG_LEVEL', 'APP_NEW_KEY']);
    expect(draft?.codes).toEqual(['held']);
    expect(draft?.summary).toContain('held by rollback rb-1234');
    expect(draft?.summary).toContain('"release"');
    expect(clears('drift', report)).toBe(false);
  });

  it('raises no drift ticket for skips that are not waiting (deletions off, not owned)', () => {
    expect(driftDraft(makeReport({ skipped: [{ op: 'delete', key: 'APP_OTHER', context: '*', reason: 'deletions-disabled' }] }))).toBeUndefined();
  });
});
