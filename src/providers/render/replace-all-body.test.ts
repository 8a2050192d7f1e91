import { describe, expect, it } from 'vitest';
import type { PlannedChange } from '../../core/plan.ts';
import { SyncError } from '../../errors.ts';
import { alreadyApplied, buildReplaceAllBody, verifyReplaceAll } from './replace-all-body.ts';

const current = [
  { key: 'OTHER', value: 'o' },
  { key: 'APP_A', value: 'old' },
  { key: 'APP_SKIPPED', value: 's' },
  { key: 'APP_STALE', value: 'x' },
];

function change(op: PlannedChange['op'], key: string): PlannedChange {
  return { op, key, context: '*', secret: false };
}

describe('the replace-all body', () => {
  it('applies the plan and keeps everything else exactly as read, in order, new keys last', () => {
    const changes = [change('update', 'APP_A'), change('create', 'APP_NEW'), change('delete', 'APP_STALE')];
    const values = new Map([
      ['APP_A', 'new'],
      ['APP_NEW', 'n'],
    ]);
    const body = buildReplaceAllBody(current, changes, values);
    expect(body.variables).toEqual([
      { key: 'OTHER', value: 'o' },
      { key: 'APP_A', value: 'new' },
      { key: 'APP_SKIPPED', value: 's' },
      { key: 'APP_NEW', value: 'n' },
    ]);
    expect(body.carried).toEqual(changes);
    expect(alreadyApplied(body, current)).toBe(false);
  });

  it('is not built at all for a planned write without a value Render accepts (a planning bug): no partial body', () => {
    const changes = [change('update', 'APP_A'), change('delete', 'APP_STALE')];
    const failure = (values: ReadonlyMap<string, string>) => {
      try {
        buildReplaceAllBody(current, changes, values);
      } catch (error) {
        return error instanceof SyncError ? [error.code, error.key] : error;
      }
      return 'built';
    };
    expect(failure(new Map([['APP_A', '']]))).toEqual(['internal', 'APP_A']);
    expect(failure(new Map())).toEqual(['internal', 'APP_A']);
  });

  it('notices a kept variable with an empty value, which Render would reject', () => {
    const body = buildReplaceAllBody([...current, { key: 'BLANK', value: '' }], [], new Map());
    expect(body.emptyKept).toEqual(['BLANK']);
  });
});

describe('checking a replace-all by reading after it', () => {
  const changes = [change('update', 'APP_A'), change('delete', 'APP_STALE')];
  const body = buildReplaceAllBody(current, changes, new Map([['APP_A', 'new']]));

  it('counts what the read shows as done', () => {
    const after = [
      { key: 'OTHER', value: 'o' },
      { key: 'APP_A', value: 'new' },
      { key: 'APP_SKIPPED', value: 's' },
    ];
    expect(verifyReplaceAll(body, after, 'srv-a', true)).toEqual({
      done: [
        { op: 'update', key: 'APP_A', context: '*' },
        { op: 'delete', key: 'APP_STALE', context: '*' },
      ],
      errors: [],
      lost: [],
      raced: [],
    });
  });

  it('reports each kept variable whose value differs from the read right before the write as a race', () => {
    const after = [
      { key: 'OTHER', value: 'changed-meanwhile' },
      { key: 'APP_A', value: 'new' },
      { key: 'APP_SKIPPED', value: 's' },
    ];
    const verdict = verifyReplaceAll(body, after, 'srv-a', true);
    expect(verdict.done).toHaveLength(2);
    expect(verdict.raced).toEqual(['OTHER']);
    expect(verdict.errors.map((error) => [error.key, error.code])).toEqual([['OTHER', 'conflict']]);
    expect(verdict.errors[0]?.message).not.toContain('changed-meanwhile');
  });

  it('reports each kept variable that is missing, and each change the read does not show', () => {
    const after = [
      { key: 'APP_A', value: 'someone-else' },
      { key: 'APP_STALE', value: 'x' },
    ];
    const verdict = verifyReplaceAll(body, after, 'srv-a', false);
    expect(verdict.done).toEqual([]);
    expect(verdict.lost).toEqual(['OTHER', 'APP_SKIPPED']);
    expect(verdict.errors.map((error) => [error.key, error.code])).toEqual([
      ['APP_A', 'outcome-unknown'],
      ['APP_STALE', 'outcome-unknown'],
      ['OTHER', 'unmanaged-lost'],
      ['APP_SKIPPED', 'unmanaged-lost'],
    ]);
  });
});
