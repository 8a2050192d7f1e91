import { describe, expect, it } from 'vitest';
import type { PlannedChange } from '../../core/plan.ts';
import type { SiteSnapshot, SiteVariable } from './snapshot.ts';
import { planDeletes, planWrites } from './write-plan.ts';

function snapshot(...variables: SiteVariable[]): SiteSnapshot {
  return { siteId: 'site-a', account: 'team-a', variables: new Map(variables.map((variable) => [variable.key, variable])) };
}

function variable(key: string, values: Record<string, string | undefined>, extra: Partial<SiteVariable> = {}): SiteVariable {
  return {
    key,
    secret: false,
    scopes: ['builds', 'functions', 'runtime', 'post_processing'],
    updatedAt: '2026-01-01T00:00:00.000Z',
    values: Object.entries(values).map(([context, value], index) => ({ id: `${key}-${index}`, context, value })),
    ...extra,
  };
}

function change(op: PlannedChange['op'], key: string, context: string, secret = false): PlannedChange {
  return { op, key, context, secret };
}

const managedContexts = ['production', 'deploy-preview'];
const options = { managesEveryContext: false, contextsFor: () => managedContexts };

describe('planWrites', () => {
  it('puts every missing key into the one bulk create, with branch contexts spelled as the API wants', () => {
    const plan = planWrites(
      [change('create', 'A', 'production'), change('create', 'A', 'branch:staging'), change('create', 'B', 'production', true)],
      snapshot(),
      new Map([
        ['A', 'a'],
        ['B', 'b'],
      ]),
      options,
    );

    expect(plan.updates).toEqual([]);
    expect(plan.creates.map((step) => step.body)).toEqual([
      { key: 'A', is_secret: false, values: [{ context: 'production', value: 'a' }, { context: 'branch', context_parameter: 'staging', value: 'a' }] },
      { key: 'B', is_secret: true, scopes: ['builds', 'functions', 'runtime'], values: [{ context: 'production', value: 'b' }] },
    ]);
  });

  it('patches a single context of an existing key', () => {
    const plan = planWrites([change('update', 'A', 'production')], snapshot(variable('A', { production: 'old', dev: 'x' })), new Map([['A', 'new']]), options);

    expect(plan.updates[0]?.request).toEqual({ kind: 'set-values', values: [{ change: change('update', 'A', 'production'), body: { context: 'production', value: 'new' } }] });
  });

  it('patches each context when the key keeps a value in a context EnvSync does not manage', () => {
    const plan = planWrites(
      [change('update', 'A', 'production'), change('create', 'A', 'deploy-preview')],
      snapshot(variable('A', { production: 'old', 'branch:x': 'keep' })),
      new Map([['A', 'new']]),
      options,
    );

    expect(plan.updates[0]?.request).toEqual({
      kind: 'set-values',
      values: [
        { change: change('update', 'A', 'production'), body: { context: 'production', value: 'new' } },
        { change: change('create', 'A', 'deploy-preview'), body: { context: 'deploy-preview', value: 'new' } },
      ],
    });
  });

  it('replaces a plain key in one request when several contexts change and every value it keeps is managed', () => {
    const plan = planWrites(
      [change('update', 'A', 'production')],
      snapshot(variable('A', { production: 'old', 'deploy-preview': 'in-sync' })),
      new Map([['A', 'new']]),
      options,
    );
    expect(plan.updates[0]?.request.kind).toBe('set-values');

    const both = planWrites(
      [change('update', 'A', 'production'), change('update', 'A', 'deploy-preview')],
      snapshot(variable('A', { production: 'old', 'deploy-preview': 'old' })),
      new Map([['A', 'new']]),
      options,
    );
    expect(both.updates[0]?.request).toEqual({
      kind: 'replace',
      body: {
        key: 'A',
        is_secret: false,
        scopes: ['builds', 'functions', 'runtime', 'post_processing'],
        values: [
          { context: 'production', value: 'new' },
          { context: 'deploy-preview', value: 'new' },
        ],
      },
    });
  });

  it('refuses to make a secret of a key with a value in an unmanaged context, since that PUT would rewrite it', () => {
    const plan = planWrites(
      [change('update', 'S', 'production', true)],
      snapshot(variable('S', { production: 'old', 'branch:staging': 'keep' })),
      new Map([['S', 'new']]),
      options,
    );

    expect(plan.updates).toEqual([]);
    expect(plan.refused.map((refused) => [refused.key, refused.error.code])).toEqual([['S', 'conflict']]);
    expect(plan.refused[0]?.error.message).toContain('branch:staging');
  });

  it('never replaces a secret that has a value it cannot carry', () => {
    const secret = variable('S', { production: undefined, 'deploy-preview': undefined, dev: undefined }, { secret: true, scopes: ['builds'] });
    const plan = planWrites(
      [change('update', 'S', 'production', true), change('update', 'S', 'deploy-preview', true)],
      snapshot(secret),
      new Map([['S', 'new']]),
      options,
    );

    expect(plan.updates[0]?.request.kind).toBe('set-values');
  });

  it('replaces a secret in one request when every one of its values is being written', () => {
    const secret = variable('S', { production: undefined, 'deploy-preview': undefined }, { secret: true, scopes: ['builds'] });
    const plan = planWrites(
      [change('update', 'S', 'production', true), change('update', 'S', 'deploy-preview', true)],
      snapshot(secret),
      new Map([['S', 'new']]),
      options,
    );

    expect(plan.updates[0]?.request).toMatchObject({ kind: 'replace', body: { is_secret: true, scopes: ['builds'] } });
  });

  it('drops an all value when making a secret only if every context is managed', () => {
    const plain = variable('S', { all: 'old', dev: 'local' });
    const changes = [change('create', 'S', 'production', true), change('create', 'S', 'dev-server', true)];

    const managed = planWrites(changes, snapshot(plain), new Map([['S', 'new']]), { managesEveryContext: true, contextsFor: () => ['production', 'deploy-preview', 'branch-deploy', 'dev-server'] });
    expect(managed.updates[0]).toMatchObject({
      dropsAllValue: true,
      request: {
        kind: 'replace',
        body: {
          is_secret: true,
          scopes: ['builds', 'functions', 'runtime'],
          values: [
            { context: 'dev', value: 'local' },
            { context: 'production', value: 'new' },
            { context: 'dev-server', value: 'new' },
          ],
        },
      },
    });

    const unmanaged = planWrites(changes, snapshot(plain), new Map([['S', 'new']]), options);
    expect(unmanaged.updates).toEqual([]);
    expect(unmanaged.refused.map((refused) => [refused.key, refused.error.code])).toEqual([['S', 'conflict']]);
  });

  it('refuses an all value for a variable that is a secret on the site', () => {
    const plan = planWrites([change('create', 'S', 'all')], snapshot(variable('S', { production: undefined }, { secret: true })), new Map([['S', 'v']]), options);

    expect(plan.refused.map((refused) => refused.error.code)).toEqual(['conflict']);
  });
});

describe('planDeletes', () => {
  it('deletes only the managed values when others remain', () => {
    const steps = planDeletes([change('delete', 'A', 'production')], snapshot(variable('A', { production: 'p', 'deploy-preview': 'd' })));

    expect(steps).toEqual([{ key: 'A', absent: [], request: { kind: 'values', values: [{ change: change('delete', 'A', 'production'), ids: ['A-0'] }] } }]);
  });

  it('deletes the whole variable when nothing else remains', () => {
    const steps = planDeletes(
      [change('delete', 'A', 'production'), change('delete', 'A', 'deploy-preview')],
      snapshot(variable('A', { production: 'p', 'deploy-preview': 'd' })),
    );

    expect(steps[0]?.request.kind).toBe('variable');
  });

  it('counts a value that is already gone as deleted without a request', () => {
    const steps = planDeletes([change('delete', 'A', 'production'), change('delete', 'B', 'production')], snapshot(variable('A', { dev: 'x' })));

    expect(steps.map((step) => [step.key, step.absent.length, step.request.kind])).toEqual([
      ['A', 1, 'none'],
      ['B', 1, 'none'],
    ]);
  });
});
