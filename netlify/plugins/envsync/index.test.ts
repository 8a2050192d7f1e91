import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../../test/support/local-server.ts';
import { onSuccess } from './index.js';

type Status = { title: string; summary: string; text?: string };
type Run = (options: { utils: { status: { show: (status: Status) => void } }; inputs: Record<string, string> }) => Promise<void>;
const run = onSuccess as Run;

let server: LocalServer;
let answers: unknown[] = [];
const saved = { ...process.env };

const changedResult = {
  provider: 'render',
  target: 'srv-a',
  applied: true,
  summary: { create: 2, update: 1, delete: 0, noop: 1 },
  changes: [
    { op: 'create', key: 'APP_A' },
    { op: 'create', key: 'APP_B' },
    { op: 'update', key: 'APP_C' },
    { op: 'noop', key: 'APP_D' },
  ],
  pending: [],
  errors: [],
};
const inSyncResult = { ...changedResult, applied: false, summary: { create: 0, update: 0, delete: 0, noop: 4 }, changes: [{ op: 'noop', key: 'APP_A' }] };

beforeAll(async () => {
  server = await startLocalServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answers.shift() ?? { runId: 'r0', results: [] }));
  });
});
afterAll(() => server.close());
afterEach(() => {
  process.env = { ...saved };
});

async function statusOf(inputs: Record<string, string> = {}): Promise<Status> {
  let status: Status = { title: '', summary: '' };
  await run({ utils: { status: { show: (shown) => void (status = shown) } }, inputs });
  return status;
}

describe('EnvSync build plugin', () => {
  it('asks apply-all to sync after a production deploy, saying it is a deploy, and lists key names and counts per target', async () => {
    Object.assign(process.env, { CONTEXT: 'production', URL: server.url, ENVSYNC_API_TOKEN: 'api-token' });
    answers = [{ runId: 'r1', results: [changedResult] }];
    const status = await statusOf();
    expect(server.requests.at(-1)).toMatchObject({ method: 'POST', url: '/.netlify/functions/envsync-apply-all', authorization: 'Bearer api-token' });
    expect(status.summary).toBe('1 target(s): 1 changed, 0 with errors.\nrender/srv-a: 2 create, 1 update, 0 delete, 1 in sync, 0 error(s); changed: APP_A, APP_B, APP_C');
  });

  it('never loops: the sync after EnvSync\'s own rebuild finds nothing, and the plugin sends nothing else', async () => {
    Object.assign(process.env, { CONTEXT: 'production', URL: server.url, ENVSYNC_API_TOKEN: 'api-token' });
    answers = [{ runId: 'r2', results: [inSyncResult] }];
    const before = server.requests.length;
    const status = await statusOf();
    expect(server.requests.length - before).toBe(1);
    expect(status.summary).toBe('1 target(s): 0 changed, 0 with errors.\nrender/srv-a: 0 create, 0 update, 0 delete, 4 in sync (not applied), 0 error(s)');
  });

  it.each([
    ['deploy-preview', {}],
    ['branch-deploy', { BRANCH: 'feature-x' }],
  ])('does nothing after a %s unless its context is listed', async (context, extra) => {
    Object.assign(process.env, { CONTEXT: context, URL: server.url, ENVSYNC_API_TOKEN: 'api-token', ...extra });
    const before = server.requests.length;
    expect((await statusOf()).summary).toMatch(new RegExp(`Skipped: deploy context "${context}"`));
    expect(server.requests.length).toBe(before);
  });

  it('syncs a branch deploy listed as branch:<name> or branch-deploy, and a listed deploy preview', async () => {
    const before = server.requests.length;
    Object.assign(process.env, { CONTEXT: 'branch-deploy', BRANCH: 'staging', URL: server.url, ENVSYNC_API_TOKEN: 'api-token' });
    await statusOf({ contexts: 'production,branch:staging' });
    await statusOf({ contexts: 'branch-deploy' });
    process.env['CONTEXT'] = 'deploy-preview';
    await statusOf({ contexts: 'production, deploy-preview' });
    expect(server.requests.length - before).toBe(3);
  });

  it('says what is missing when the build has no API token', async () => {
    Object.assign(process.env, { CONTEXT: 'production', URL: server.url });
    delete process.env['ENVSYNC_API_TOKEN'];
    expect((await statusOf()).summary).toMatch(/ENVSYNC_API_TOKEN/);
  });
});
