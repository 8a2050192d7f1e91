import { describe, expect, it } from 'vitest';
import { SyncError } from '../errors.ts';
import { applyWritesThenDeletes } from './apply-order.ts';
import { noContext, type Plan } from './plan.ts';

const plan: Plan = {
  changes: [
    { op: 'delete', key: 'APP_OLD', context: noContext, secret: false },
    { op: 'create', key: 'APP_NEW', context: noContext, secret: false },
    { op: 'noop', key: 'APP_SAME', context: noContext, secret: false },
  ],
  skipped: [],
};

describe('applyWritesThenDeletes', () => {
  it('runs every write before any delete, and never passes noops', async () => {
    const calls: string[] = [];
    const outcome = await applyWritesThenDeletes(plan, {
      write: (changes) => {
        calls.push(`write ${changes.map((c) => c.key).join(',')}`);
        return Promise.resolve({ done: [{ op: 'create', key: 'APP_NEW', context: noContext }], errors: [] });
      },
      delete: (changes) => {
        calls.push(`delete ${changes.map((c) => c.key).join(',')}`);
        return Promise.resolve({ done: [{ op: 'delete', key: 'APP_OLD', context: noContext }], errors: [] });
      },
    });
    expect(calls).toEqual(['write APP_NEW', 'delete APP_OLD']);
    expect(outcome.done.map((change) => change.op)).toEqual(['create', 'delete']);
  });

  it('deletes nothing when a write failed, reporting each skipped delete on its key', async () => {
    let deleted = false;
    const outcome = await applyWritesThenDeletes(plan, {
      write: () => Promise.resolve({ done: [], errors: [new SyncError('provider-rejected', 'no', { key: 'APP_NEW' })] }),
      delete: () => {
        deleted = true;
        return Promise.resolve({ done: [], errors: [] });
      },
    });
    expect(deleted).toBe(false);
    expect(outcome.errors.map((error) => [error.code, error.key])).toEqual([
      ['provider-rejected', 'APP_NEW'],
      ['write-skipped', 'APP_OLD'],
    ]);
  });
});
