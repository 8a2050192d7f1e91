import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../../test/support/local-server.ts';
// @ts-expect-error: the plugin is plain JavaScript, as Netlify loads it.
import { onSuccess } from './index.js';

type Run = (options: { utils: { status: { show: (status: { summary: string }) => void } }; inputs: Record<string, string> }) => Promise<void>;
const run = onSuccess as Run;

let server: LocalServer;
const saved = { ...process.env };

beforeAll(async () => {
  server = await startLocalServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ runId: 'r1', results: [{ provider: 'render', target: 'srv-a', summary: { create: 2, update: 0, delete: 0, noop: 1 }, errors: [] }] }));
  });
});
afterAll(() => server.close());
afterEach(() => {
  process.env = { ...saved };
});

async function summaryOf(inputs: Record<string, string> = {}): Promise<string> {
  let summary = '';
  await run({ utils: { status: { show: (status) => void (summary = status.summary) } }, inputs });
  return summary;
}

describe('EnvSync build plugin', () => {
  it('asks the apply-all function to sync after a production deploy', async () => {
    Object.assign(process.env, { CONTEXT: 'production', URL: server.url, ENVSYNC_API_TOKEN: 'api-token' });
    const summary = await summaryOf();
    expect(server.requests.at(-1)).toMatchObject({ method: 'POST', url: '/.netlify/functions/envsync-apply-all', authorization: 'Bearer api-token' });
    expect(summary).toBe('render/srv-a: 2 created, 0 updated, 0 deleted, 0 error(s)');
  });

  it('does nothing after a deploy preview', async () => {
    Object.assign(process.env, { CONTEXT: 'deploy-preview', URL: server.url, ENVSYNC_API_TOKEN: 'api-token' });
    const before = server.requests.length;
    expect(await summaryOf()).toMatch(/Skipped: deploy context "deploy-preview"/);
    expect(server.requests.length).toBe(before);
  });

  it('says what is missing when the build has no API token', async () => {
    Object.assign(process.env, { CONTEXT: 'production', URL: server.url });
    delete process.env['ENVSYNC_API_TOKEN'];
    expect(await summaryOf()).toMatch(/ENVSYNC_API_TOKEN/);
  });
});
