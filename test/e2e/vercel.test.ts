import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { demoCanonical, demoTargets, demoTokens } from '../emulator/sample-data.ts';
import { startRuntime, type CallResult, type Runtime } from './runtime.ts';
import { apiToken, fn, runtimeEnv, secretsOf, syncBodyOf } from './setup.ts';

/**
 * A Vercel project as a target, through the real local Netlify runtime against the emulator: the
 * sample project has a stale plain value, an encrypted value already equal to the canonical one, a
 * record an integration manages and a preview value for one branch.
 */

let emulator: Emulator;
let runtime: Runtime;
let secrets: string[];
const [project = ''] = demoTargets.vercel;
let dashboardRepairRunId = '';

beforeAll(async () => {
  emulator = await startEmulator();
  const env = runtimeEnv(emulator, {
    ENVSYNC_TARGETS: 'vercel',
    ENVSYNC_VERCEL_PROJECT_ID: project,
    VERCEL_API_TOKEN: demoTokens.vercel,
    VERCEL_API_URL: emulator.vercelApiUrl,
    ENVSYNC_REDEPLOY: 'true',
  });
  secrets = [...secretsOf(env), demoTokens.vercel];
  runtime = await startRuntime({ env });
});

afterAll(async () => {
  await runtime?.stop();
  await emulator?.stop();
});


const authed = (method: string, path: string) => runtime.call(method, path, { token: apiToken });
const reportsOf = (result: CallResult) => syncBodyOf(result).results;

function expectNoSecret(result: CallResult) {
  for (const secret of secrets) expect(result.text).not.toContain(secret);
}

describe('a Vercel project end to end', () => {
  it('dry-run plans per environment, shows the branch value as held, and writes nothing', async () => {
    const result = await authed('POST', fn('dry-run', '/vercel'));

    expect(result.status).toBe(200);
    const [report] = reportsOf(result);
    expect(report?.target).toBe(project);
    expect(report?.changes.filter((change) => change.key === 'APP_LOG_LEVEL').map((change) => `${change.op} ${change.context ?? ''}`)).toEqual([
      'update development',
      'update preview',
      'update production',
    ]);
    expect(report?.skipped).toContainEqual({ op: 'update', key: 'APP_API_URL', context: 'preview:feature-x', reason: 'held-by-provider', detail: 'branch-specific' });
    expect(emulator.vercel.writeCount()).toBe(0);
    expectNoSecret(result);
  });

  it('apply makes every environment equal to the canonical set, leaves integration and branch records alone, and redeploys production once', async () => {
    const decryptsBefore = emulator.vercel.count('GET /v1/projects/{p}/env/{id}');
    const result = await authed('POST', fn('apply', '/vercel'));

    expect(result.status).toBe(200);
    const [report] = reportsOf(result);
    expect(report?.errors).toEqual([]);
    expect(report?.redeploy).toBe('triggered');
    for (const target of ['production', 'preview', 'development']) {
      expect(emulator.vercel.valuesFor(project, target)).toMatchObject(demoCanonical);
    }
    const records = emulator.vercel.records(project);
    expect(records.find((record) => record.gitBranch === 'feature-x')?.value).toBe('https://api-feature.example.com');
    expect(records.find((record) => record.key === 'DATABASE_URL')?.configurationId).toBe('icfg_demo_neon');
    expect(emulator.vercel.redeploys.map((redeploy) => redeploy.target)).toEqual(['production']);
    // The encrypted APP_SUPPORT_EMAIL already held the canonical value: read once, not written.
    // (The dry-run read it too, but a dry-run records nothing in the ledger.)
    expect(emulator.vercel.count('GET /v1/projects/{p}/env/{id}') - decryptsBefore).toBe(1);
    expect(emulator.vercel.count('POST /v10/projects/{p}/env')).toBe(1);
    expectNoSecret(result);
  });

  it('a second apply is one request to Vercel, writes nothing and does not redeploy', async () => {
    const before = emulator.vercel.requests.length;

    const result = await authed('POST', fn('apply', '/vercel'));

    expect(result.status).toBe(200);
    const [report] = reportsOf(result);
    expect(report?.applied).toBe(false);
    expect(report?.redeploy).toBe('not-needed');
    expect(emulator.vercel.requests.slice(before).map((request) => request.route)).toEqual(['GET /v10/projects/{p}/env']);
    expect(emulator.vercel.redeploys).toHaveLength(1);
  });

  it('puts back a value edited in the dashboard', async () => {
    const record = emulator.vercel.records(project).find((candidate) => candidate.key === 'APP_SUPPORT_EMAIL');
    emulator.vercel.editInDashboard(project, record?.id ?? '', 'someone@else.example');

    const decryptsBefore = emulator.vercel.count('GET /v1/projects/{p}/env/{id}');

    const result = await authed('POST', fn('apply', '/vercel'));

    const [report] = reportsOf(result);
    expect(report?.changes.filter((change) => change.key === 'APP_SUPPORT_EMAIL').map((change) => change.reason)).toEqual(['drift', 'drift', 'drift']);
    expect(emulator.vercel.valuesFor(project, 'production')['APP_SUPPORT_EMAIL']).toBe(demoCanonical['APP_SUPPORT_EMAIL']);
    // The encrypted record's value before the write is read once (one record, three environments) for the rollback snapshot.
    expect(emulator.vercel.count('GET /v1/projects/{p}/env/{id}') - decryptsBefore).toBe(1);
    dashboardRepairRunId = (result.json as { runId: string }).runId;
  });

  it('a rollback of that run restores the encrypted value edited in the dashboard, snapshotted before it was overwritten', async () => {
    const result = await runtime.call('POST', fn('rollback'), { token: apiToken, body: { runId: dashboardRepairRunId, target: project } });

    expect(result.status, result.text).toBe(200);
    const slots = (result.json as { targets: { slots: { key: string; action: string }[] }[] }).targets.flatMap((item) => item.slots);
    expect(slots.filter((slot) => slot.key === 'APP_SUPPORT_EMAIL').map((slot) => slot.action)).toEqual(['restore', 'restore', 'restore']);
    for (const target of ['production', 'preview', 'development']) {
      expect(emulator.vercel.valuesFor(project, target)['APP_SUPPORT_EMAIL']).toBe('someone@else.example');
    }
    expectNoSecret(result);
  });
});
