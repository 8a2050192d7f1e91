import { describe, expect, it } from 'vitest';
import type { PlannedChange } from '../../core/plan.ts';
import { resolveVercelSettings, vercelSettingsSchema, type VercelOptions } from './settings.ts';
import type { ProjectRecord, ProjectSnapshot } from './snapshot.ts';
import { planDeletes, planWrites } from './write-plan.ts';

/** The request choices, as plain data: which records get one edit, which are split, what is batched. */

function options(env: Record<string, string> = {}): VercelOptions {
  return resolveVercelSettings(vercelSettingsSchema.parse(env)).options;
}

function record(id: string, key: string, environments: string[], type = 'encrypted'): ProjectRecord {
  return { id, key, type, environments, target: environments.filter((name) => !name.startsWith('custom:') && name !== 'staging'), customEnvironmentIds: [], value: undefined, updatedAt: undefined };
}

function snapshot(records: ProjectRecord[], customIds: Record<string, string> = {}): ProjectSnapshot {
  return { projectId: 'prj_a', records, held: [], customIds: new Map(Object.entries(customIds)) };
}

function change(op: PlannedChange['op'], key: string, context: string): PlannedChange {
  return { op, key, context, secret: false };
}

const values = new Map([
  ['APP_A', 'a'],
  ['APP_B', 'b'],
  ['APP_S', 's'],
]);

describe('planWrites', () => {
  it('puts every missing environment of every key into one batch, one item per key', () => {
    const plan = planWrites([change('create', 'APP_A', 'production'), change('create', 'APP_A', 'preview'), change('create', 'APP_B', 'development')], snapshot([]), values, options());

    expect(plan.creates.map((step) => step.item)).toEqual([
      { key: 'APP_A', value: 'a', type: 'encrypted', target: ['production', 'preview'] },
      { key: 'APP_B', value: 'b', type: 'encrypted', target: ['development'] },
    ]);
    expect(plan.edits).toEqual([]);
    expect(plan.releases).toEqual([]);
  });

  it('edits a record once when all its environments change alike, or stay in sync', () => {
    const shared = record('env_1', 'APP_A', ['production', 'preview', 'development']);
    const plan = planWrites(
      [change('update', 'APP_A', 'production'), change('update', 'APP_A', 'preview'), change('noop', 'APP_A', 'development')],
      snapshot([shared]),
      values,
      options(),
    );

    expect(plan.edits.map((step) => [step.record.id, step.body])).toEqual([['env_1', { value: 'a', type: 'encrypted', target: ['production', 'preview', 'development'] }]]);
    expect(plan.creates).toEqual([]);
  });

  it('splits a record whose unmanaged environment must keep its value: trim it, create the rest', () => {
    const shared = record('env_1', 'APP_A', ['production', 'preview', 'development']);
    const plan = planWrites([change('update', 'APP_A', 'production'), change('update', 'APP_A', 'preview')], snapshot([shared]), values, options({ ENVSYNC_VERCEL_TARGETS: 'production,preview' }));

    expect(plan.releases.map((step) => [step.record.id, step.trim])).toEqual([['env_1', { target: ['development'] }]]);
    expect(plan.creates.map((step) => [step.item, step.after])).toEqual([[{ key: 'APP_A', value: 'a', type: 'encrypted', target: ['production', 'preview'] }, 'env_1']]);
    expect(plan.edits).toEqual([]);
  });

  it('re-creates a record that must become sensitive, removing it when nothing else is left on it', () => {
    const plan = planWrites([change('update', 'APP_S', 'production'), change('update', 'APP_S', 'preview')], snapshot([record('env_1', 'APP_S', ['production', 'preview'])]), values, options({ ENVSYNC_VERCEL_SENSITIVE_KEYS: 'APP_S' }));

    expect(plan.releases.map((step) => [step.record.id, step.trim])).toEqual([['env_1', undefined]]);
    expect(plan.creates.map((step) => step.item)).toEqual([{ key: 'APP_S', value: 's', type: 'sensitive', target: ['production', 'preview'] }]);
  });

  it('keeps a sensitive record sensitive and never sends its key', () => {
    const plan = planWrites([change('update', 'APP_A', 'production')], snapshot([record('env_1', 'APP_A', ['production'], 'sensitive')]), values, options());
    expect(plan.edits.map((step) => step.body)).toEqual([{ value: 'a', type: 'sensitive', target: ['production'] }]);
  });

  it('sends a custom environment by id, and refuses a slug the project does not have', () => {
    const ok = planWrites([change('create', 'APP_A', 'staging')], snapshot([], { staging: 'env_stg' }), values, options({ ENVSYNC_VERCEL_TARGETS: 'staging' }));
    const missing = planWrites([change('create', 'APP_A', 'qa')], snapshot([]), values, options({ ENVSYNC_VERCEL_TARGETS: 'qa' }));

    expect(ok.creates.map((step) => step.item)).toEqual([{ key: 'APP_A', value: 'a', type: 'encrypted', customEnvironmentIds: ['env_stg'] }]);
    expect(missing.refused.map((step) => [step.key, step.error.code])).toEqual([['APP_A', 'config-invalid']]);
  });

  it('refuses a reserved name without planning a request', () => {
    const plan = planWrites([change('create', 'TZ', 'production')], snapshot([]), new Map([['TZ', 'UTC']]), options());
    expect(plan.creates).toEqual([]);
    expect(plan.refused.map((step) => [step.key, step.error.code])).toEqual([['TZ', 'value-rejected']]);
  });
});

describe('planDeletes', () => {
  it('removes whole records and trims records that keep other environments', () => {
    const plan = planDeletes(
      [change('delete', 'APP_A', 'production'), change('delete', 'APP_A', 'preview'), change('delete', 'APP_B', 'production'), change('delete', 'APP_S', 'preview')],
      snapshot([record('env_a', 'APP_A', ['production', 'preview']), record('env_b', 'APP_B', ['production', 'development'])]),
    );

    expect(plan.removals.map((step) => step.record.id)).toEqual(['env_a']);
    expect(plan.trims.map((step) => [step.record.id, step.body])).toEqual([['env_b', { target: ['development'] }]]);
    expect(plan.absent.map((item) => item.key)).toEqual(['APP_S']);
  });
});
