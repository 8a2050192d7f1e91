import { beforeEach, describe, expect, it } from 'vitest';
import { RenderFake } from '../../../test/emulator/render.ts';
import { useMswServer } from '../../../test/support/msw.ts';
import { diff } from '../../core/diff.ts';
import type { Plan, PlannedChange } from '../../core/plan.ts';
import { isSyncError } from '../../errors.ts';
import { renderAdapter } from '../render.ts';
import { managedPolicy, numberedVariables, renderHandler, renderSession, syncOnce } from '../../../test/support/render-harness.ts';

const server = useMswServer();
let fake: RenderFake;

beforeEach(() => {
  fake = new RenderFake();
  server.use(renderHandler(fake));
});

function connect() {
  return renderAdapter.connect(renderSession());
}

const unmanaged = numberedVariables('OTHER_', 400, 'keep');

function update(key: string): PlannedChange {
  return { op: 'update', key, context: '*', secret: false };
}

describe('writing a large change set with one replace-all request', () => {
  it('a large change set is applied with one replace-all write and every unmanaged variable survives', async () => {
    // 400 unmanaged, 300 managed: 200 updated, 50 unchanged, 50 stale; 100 created.
    const managed = numberedVariables('APP_', 300, 'old');
    fake.seed('srv-a', { ...unmanaged, ...managed });
    const desired: Record<string, string> = {};
    for (const [index, key] of Object.keys(managed).entries()) {
      if (index < 200) desired[key] = `new-${index}`;
      else if (index < 250) desired[key] = managed[key] ?? '';
    }
    Object.assign(desired, numberedVariables('APP_NEW_', 100, 'created'));

    const { outcome } = await syncOnce(connect(), 'srv-a', desired);

    expect(outcome.errors).toEqual([]);
    expect(outcome.done).toHaveLength(350);
    const after = fake.variables('srv-a');
    for (const [key, value] of Object.entries(unmanaged)) expect(after[key]).toBe(value);
    for (const [key, value] of Object.entries(desired)) expect(after[key]).toBe(value);
    expect(Object.keys(after)).toHaveLength(400 + 250 + 100);
    // Read 700 (8 pages: 7 full, one empty), re-read 700 (8), read after 750 (9).
    expect(fake.counts()).toEqual({
      'GET /services/{serviceId}/env-vars': 8 + 8 + 9,
      'PUT /services/{serviceId}/env-vars': 1,
    });
  });

  it('keeps managed keys the plan left alone, exactly as read', async () => {
    fake.seed('srv-a', { ...numberedVariables('APP_', 20, 'old'), APP_STALE: 'owned-elsewhere', OTHER: 'x' });
    const policy = managedPolicy({ allowDeletions: false });
    const { plan, outcome } = await syncOnce(connect(), 'srv-a', numberedVariables('APP_', 20, 'new'), policy);
    expect(plan.skipped).toEqual([{ key: 'APP_STALE', context: '*', op: 'delete', reason: 'deletions-disabled' }]);
    expect(outcome.errors).toEqual([]);
    expect(fake.count('env-vars.replace')).toBe(1);
    expect(fake.variables('srv-a')).toMatchObject({ APP_STALE: 'owned-elsewhere', OTHER: 'x', APP_0001: 'new-0001' });
  });

  it('reports an unmanaged variable lost during the replace-all write on its key', async () => {
    fake.seed('srv-a', { ...unmanaged, ...numberedVariables('APP_', 20, 'old') });
    fake.after('env-vars.replace', (render) => render.remove('srv-a', 'OTHER_0007'));
    const { outcome } = await syncOnce(connect(), 'srv-a', numberedVariables('APP_', 20, 'new'));
    expect(outcome.done).toHaveLength(20);
    expect(outcome.errors.map((error) => [error.key, error.code])).toEqual([['OTHER_0007', 'unmanaged-lost']]);
    expect(outcome.errors[0]?.message).toContain('restore it');
  });

  it('reports a kept variable whose value differs after the replace-all write from the read right before it', async () => {
    fake.seed('srv-a', { ...unmanaged, ...numberedVariables('APP_', 20, 'old'), APP_SAME: 'same' });
    fake.after('env-vars.replace', (render) => render.seed('srv-a', { OTHER_0042: 'changed-meanwhile', APP_SAME: 'changed-too' }));
    const desired = { ...numberedVariables('APP_', 20, 'new'), APP_SAME: 'same' };
    const { outcome } = await syncOnce(connect(), 'srv-a', desired);

    expect(outcome.done).toHaveLength(20);
    expect(outcome.errors.map((error) => [error.key, error.code]).sort()).toEqual([
      ['APP_SAME', 'conflict'],
      ['OTHER_0042', 'conflict'],
    ]);
    expect(outcome.errors[0]?.message).toContain('race');
    const text = JSON.stringify(outcome.errors.map((error) => error.message));
    expect(text).not.toContain('changed-meanwhile');
    expect(text).not.toContain('keep-0042');
    expect(fake.count('env-vars.replace')).toBe(1);
  });

  it('writes nothing when a variable disappeared between the plan and the write', async () => {
    fake.seed('srv-a', { ...unmanaged, ...numberedVariables('APP_', 20, 'old') });
    const connection = connect();
    const remote = await connection.read('srv-a');
    fake.remove('srv-a', 'OTHER_0123');
    const values = new Map(Object.entries(numberedVariables('APP_', 20, 'new')));
    const outcome = await connection.apply('srv-a', diff(values, remote, managedPolicy()), values, remote);
    expect(outcome.done).toEqual([]);
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]).toMatchObject({ code: 'conflict', retryable: true });
    expect(outcome.errors[0]?.message).toContain('OTHER_0123');
    expect(fake.count('write')).toBe(0);
  });

  it('skips the write when the read right before it already shows the plan', async () => {
    fake.seed('srv-a', numberedVariables('APP_', 20, 'old'));
    const connection = connect();
    const remote = await connection.read('srv-a');
    const values = new Map(Object.entries(numberedVariables('APP_', 20, 'new')));
    const plan = diff(values, remote, managedPolicy());
    await connection.apply('srv-a', plan, values, remote);
    const again = await connection.apply('srv-a', plan, values, remote);
    expect(again.done).toHaveLength(20);
    expect(again.errors).toEqual([]);
    expect(fake.count('env-vars.replace')).toBe(1);
  });

  it('falls back to key-by-key writes when a kept variable reads back empty', async () => {
    fake.seed('srv-a', { ...numberedVariables('APP_', 12, 'old'), OTHER_EMPTY: '' });
    const { outcome } = await syncOnce(connect(), 'srv-a', numberedVariables('APP_', 12, 'new'));
    expect(outcome.errors).toEqual([]);
    expect(fake.count('env-vars.replace')).toBe(0);
    expect(fake.count('env-var.put')).toBe(12);
    expect(fake.variables('srv-a')['OTHER_EMPTY']).toBe('');
  });
});

describe('failures around the replace-all write', () => {
  it('a malformed list response fails the sync without deleting anything', async () => {
    fake.seed('srv-a', { ...unmanaged, ...numberedVariables('APP_', 20, 'old'), APP_STALE: 'x' });
    const before = fake.variables('srv-a');
    const connection = connect();
    const remote = await connection.read('srv-a');
    // The re-read's third page comes back without cursors.
    fake.fail({ route: 'env-vars.list', skip: 2, status: 200, body: [{ envVar: { key: 'OTHER_0201', value: 'keep-0201' } }] });
    const values = new Map(Object.entries(numberedVariables('APP_', 20, 'new')));
    const outcome = await connection.apply('srv-a', diff(values, remote, managedPolicy()), values, remote);
    expect(outcome.done).toEqual([]);
    expect(outcome.errors.map((error) => error.code)).toEqual(['provider-response-invalid']);
    expect(fake.count('write')).toBe(0);
    expect(fake.variables('srv-a')).toEqual(before);
  });

  it('fails the read, and so plans nothing, when the first list response is malformed', async () => {
    fake.seed('srv-a', { APP_STALE: 'x', OTHER: 'y' });
    fake.fail({ route: 'env-vars.list', status: 200, body: { data: [] } });
    const error: unknown = await syncOnce(connect(), 'srv-a', {}).catch((e: unknown) => e);
    expect(isSyncError(error) && error.code).toBe('provider-response-invalid');
    expect(fake.count('write')).toBe(0);
    expect(fake.variables('srv-a')).toEqual({ APP_STALE: 'x', OTHER: 'y' });
  });

  it('confirms a replace-all whose answer was lost by reading after it', async () => {
    fake.seed('srv-a', numberedVariables('APP_', 20, 'old'));
    fake.fail({ route: 'env-vars.replace', status: 502, apply: true });
    const { outcome } = await syncOnce(connect(), 'srv-a', numberedVariables('APP_', 20, 'new'));
    expect(outcome.errors).toEqual([]);
    expect(outcome.done).toHaveLength(20);
    expect(fake.count('env-vars.replace')).toBe(1);
  });

  it('reports a replace-all that got no answer and did not land as one retryable unknown outcome', async () => {
    fake.seed('srv-a', numberedVariables('APP_', 20, 'old'));
    fake.fail({ route: 'env-vars.replace', status: 500 });
    const { outcome } = await syncOnce(connect(), 'srv-a', numberedVariables('APP_', 20, 'new'));
    expect(outcome.done).toEqual([]);
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]).toMatchObject({ code: 'outcome-unknown', retryable: true });
    expect(fake.count('env-vars.replace')).toBe(1);
    expect(fake.variables('srv-a')['APP_0001']).toBe('old-0001');
  });

  it('reports a replace-all Render rejected, with nothing written', async () => {
    fake.seed('srv-a', numberedVariables('APP_', 20, 'old'));
    fake.fail({ route: 'env-vars.replace', status: 400, body: { message: 'too many variables' } });
    const { outcome } = await syncOnce(connect(), 'srv-a', numberedVariables('APP_', 20, 'new'));
    expect(outcome.done).toEqual([]);
    expect(outcome.errors.map((error) => error.code)).toEqual(['provider-rejected']);
    // Render's own words are dropped for a write: they may quote the body, unmanaged values included.
    expect(outcome.errors[0]?.message).toContain('rejected the request with 400');
    expect(outcome.errors[0]?.message).not.toContain('too many variables');
    // The plan's read (one short page) and the re-read (followed to an empty page); no read after.
    expect(fake.count('env-vars.list')).toBe(1 + 2);
  });

  it('sends nothing when the plan asks to write a value Render rejects (the core never plans one): no partial replace-all', async () => {
    fake.seed('srv-a', { ...numberedVariables('APP_', 20, 'old'), APP_STALE: 'x' });
    const connection = connect();
    const remote = await connection.read('srv-a');
    const values = new Map(Object.entries(numberedVariables('APP_', 20, 'new')));
    values.set('APP_0005', '');
    const plan: Plan = {
      changes: [...[...values.keys()].map(update), { op: 'delete', key: 'APP_STALE', context: '*', secret: false }],
      skipped: [],
    };
    await expect(connection.apply('srv-a', plan, values, remote)).rejects.toMatchObject({ code: 'internal', key: 'APP_0005' });
    expect(fake.count('env-vars.replace')).toBe(0);
    expect(fake.count('write')).toBe(0);
    expect(fake.variables('srv-a')).toMatchObject({ APP_0005: 'old-0005', APP_STALE: 'x', APP_0006: 'old-0006' });
  });

});
