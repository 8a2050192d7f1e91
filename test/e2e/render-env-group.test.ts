import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { demoCanonical, demoEnvGroups, demoTargets } from '../emulator/sample-data.ts';
import { startRuntime, type CallResult, type Runtime } from './runtime.ts';
import { apiToken, fn, runtimeEnv, secretsOf } from './setup.ts';

/**
 * A Render environment group as a target, through the real local Netlify runtime against the
 * emulator at Render's real rate limits: the sample group (linked to both sample services) has a
 * stale value, lacks three canonical keys and holds a variable EnvSync does not manage.
 */

let emulator: Emulator;
let runtime: Runtime;
let secrets: string[];
const [groupId = ''] = demoEnvGroups;
const group = `env-group:${groupId}`;
const [api = '', worker = ''] = demoTargets.render;

beforeAll(async () => {
  emulator = await startEmulator();
  const env = runtimeEnv(emulator, { ENVSYNC_TARGETS: 'render', RENDER_ENV_GROUP_ID: groupId, ENVSYNC_REDEPLOY: 'true' });
  secrets = secretsOf(env);
  runtime = await startRuntime({ env });
});

afterAll(async () => {
  await runtime?.stop();
  await emulator?.stop();
});

interface Report {
  target: string;
  applied: boolean;
  summary: Record<string, number>;
  changes: { op: string; key: string }[];
  errors: unknown[];
  redeploy: string;
}

const authed = (method: string, path: string) => runtime.call(method, path, { token: apiToken });
const reportsOf = (result: CallResult) => (result.json as { results: Report[] }).results;
const groupRequests = () => emulator.render.log.filter((entry) => entry.envGroupId === groupId);
const deploysOf = (serviceId: string) => emulator.render.deploys(serviceId);

function expectNoSecret(result: CallResult) {
  for (const secret of secrets) expect(result.text).not.toContain(secret);
}

describe('a Render env group end to end', () => {
  it('dry-run of the group alone (?target=env-group:...) plans per key and writes nothing', async () => {
    const result = await authed('POST', `${fn('dry-run', '/render')}?target=${encodeURIComponent(group)}`);

    expect(result.status).toBe(200);
    const reports = reportsOf(result);
    expect(reports.map((report) => report.target)).toEqual([group]);
    expect(reports[0]?.changes.filter((change) => change.op !== 'noop').map((change) => `${change.op} ${change.key}`)).toEqual([
      'create APP_API_URL',
      'create APP_FEATURE_FLAGS',
      'update APP_LOG_LEVEL',
      'create APP_SUPPORT_EMAIL',
    ]);
    expect(groupRequests().map((entry) => entry.route)).toEqual(['env-group.get']);
    expect(emulator.writeCount()).toBe(0);
    expectNoSecret(result);
  });

  it('apply writes the group key by key, keeps its unmanaged variable, and deploys each linked service once', async () => {
    emulator.render.clearLog();
    const result = await authed('POST', fn('apply', '/render'));

    expect(result.status).toBe(200);
    const reports = reportsOf(result);
    expect(reports.map((report) => [report.target, report.applied, report.redeploy, report.errors.length])).toEqual([
      [group, true, 'triggered', 0],
      [api, true, 'triggered', 0],
      [worker, true, 'triggered', 0],
    ]);
    const variables = emulator.render.groupVariables(groupId);
    expect(variables).toMatchObject(demoCanonical);
    expect(Object.keys(variables).filter((key) => !(key in demoCanonical))).toEqual(['SENTRY_DSN']);
    // One read and four per-key writes for the group; no replace-all exists for groups.
    expect(groupRequests().map((entry) => entry.route)).toEqual(['env-group.get', ...Array<string>(4).fill('env-group-var.put')]);
    // Both services changed themselves AND are linked to the changed group: one deploy each.
    expect([deploysOf(api), deploysOf(worker)]).toEqual([1, 1]);
    expect(emulator.render.count('write', 429)).toBe(0);
    expectNoSecret(result);
  });

  it('a second apply is one request for the group, writes nothing and deploys nothing', async () => {
    emulator.render.clearLog();
    const result = await authed('POST', fn('apply', '/render'));

    const reports = reportsOf(result);
    expect(reports.map((report) => [report.target, report.applied, report.redeploy])).toEqual([
      [group, false, 'not-needed'],
      [api, false, 'not-needed'],
      [worker, false, 'not-needed'],
    ]);
    expect(groupRequests().map((entry) => entry.route)).toEqual(['env-group.get']);
    expect(emulator.render.count('write')).toBe(0);
    expect([deploysOf(api), deploysOf(worker)]).toEqual([1, 1]);
  });

  it('puts back a group value edited in the dashboard and deploys the linked services, whose own variables are in sync', async () => {
    emulator.render.editGroup(groupId, 'APP_LOG_LEVEL', 'trace');
    emulator.render.clearLog();

    const result = await authed('POST', fn('apply', '/render'));

    const reports = reportsOf(result);
    expect(reports.map((report) => [report.target, report.applied, report.redeploy])).toEqual([
      [group, true, 'triggered'],
      [api, false, 'triggered'],
      [worker, false, 'triggered'],
    ]);
    expect(emulator.render.groupVariables(groupId)['APP_LOG_LEVEL']).toBe(demoCanonical['APP_LOG_LEVEL']);
    expect(emulator.render.count('write')).toBe(1);
    expect([deploysOf(api), deploysOf(worker)]).toEqual([2, 2]);
  });
});
