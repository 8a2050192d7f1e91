import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import * as z from 'zod';
import { repoRoot } from '../e2e/project-copy.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * docs/examples/github-actions-envsync.yml, parsed with a YAML parser and its steps run with bash
 * against a local stand-in for the EnvSync site: what URL, method and header they use, and that the
 * job fails on a failed sync or any target with errors.
 */

const workflowSchema = z.object({
  on: z.object({ push: z.object({ branches: z.array(z.string()) }) }),
  jobs: z.object({
    sync: z.object({
      env: z.record(z.string(), z.string()),
      steps: z.array(z.object({ name: z.string(), run: z.string() })),
    }),
  }),
});

let workflow: z.infer<typeof workflowSchema>;
let server: LocalServer;
let answer: { status: number; body: unknown } = { status: 200, body: {} };
let dir: string;

beforeAll(async () => {
  workflow = workflowSchema.parse(parse(await readFile(join(repoRoot, 'docs', 'examples', 'github-actions-envsync.yml'), 'utf8')));
  server = await startLocalServer((_req: IncomingMessage, res) => {
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  });
  dir = await mkdtemp(join(tmpdir(), 'envsync-gha-'));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const step = (name: string) => {
  const found = workflow.jobs.sync.steps.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no step ${name}`);
  return found.run;
};

function runStep(name: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', step(name)],
      { cwd: dir, env: { PATH: process.env['PATH'] ?? '', ENVSYNC_URL: server.url, ENVSYNC_API_TOKEN: 'gha-secret-token', ENVSYNC_PROVIDERS: 'render netlify' } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output: `${stdout}${stderr}` }),
    );
  });
}

const report = (target: string, errors: { code: string }[]) => ({
  provider: 'render',
  target,
  applied: errors.length === 0,
  summary: { create: 1, update: 0, delete: 0, noop: 3 },
  pending: errors.length === 0 ? [] : [{ op: 'create', key: 'APP_NEW' }],
  errors,
});

describe('the GitHub Actions example', () => {
  it('runs after a merge to main, with the token from the repository secrets', () => {
    expect(workflow.on.push.branches).toEqual(['main']);
    expect(workflow.jobs.sync.env['ENVSYNC_API_TOKEN']).toBe('${{ secrets.ENVSYNC_API_TOKEN }}');
    expect(workflow.jobs.sync.steps.map((candidate) => candidate.name)).toEqual(['Plan (dry-run)', 'Apply']);
  });

  it('plans each provider with POST envsync-dry-run and the bearer token, printing the plan', async () => {
    const before = server.requests.length;
    answer = { status: 200, body: { summary: { withErrors: 0 }, results: [{ ...report('srv-a', []), pending: [{ op: 'update', key: 'APP_URL' }] }] } };

    const result = await runStep('Plan (dry-run)');

    expect(result.code).toBe(0);
    expect(server.requests.slice(before)).toEqual([
      { method: 'POST', url: '/.netlify/functions/envsync-dry-run?provider=render', authorization: 'Bearer gha-secret-token' },
      { method: 'POST', url: '/.netlify/functions/envsync-dry-run?provider=netlify', authorization: 'Bearer gha-secret-token' },
    ]);
    expect(result.output).toContain('render/srv-a: 1 create, 0 update, 0 delete, 3 in sync; pending: APP_URL');
  });

  it('applies with one POST envsync-apply-all and succeeds when no target has errors', async () => {
    const before = server.requests.length;
    answer = { status: 200, body: { summary: { withErrors: 0 }, results: [report('srv-a', [])] } };

    const result = await runStep('Apply');

    expect(result.code).toBe(0);
    expect(server.requests.slice(before)).toEqual([{ method: 'POST', url: '/.netlify/functions/envsync-apply-all', authorization: 'Bearer gha-secret-token' }]);
  });

  it('fails the job when any target ended with errors, naming it', async () => {
    answer = { status: 200, body: { summary: { withErrors: 1 }, results: [report('srv-a', []), report('srv-b', [{ code: 'provider-rejected' }])] } };

    const result = await runStep('Apply');

    expect(result.code).toBe(1);
    expect(result.output).toContain('::error::render/srv-b: provider-rejected');
  });

  it('fails the job when the sync itself failed (a non-2xx answer), for the plan too', async () => {
    answer = { status: 401, body: { error: { code: 'unauthorized', message: 'The bearer token does not match.' } } };

    const apply = await runStep('Apply');
    const plan = await runStep('Plan (dry-run)');

    expect(apply.code).toBe(1);
    expect(apply.output).toContain('::error::apply-all answered HTTP 401: The bearer token does not match.');
    expect(plan.code).toBe(1);
  });
});
