import { describe, expect, it } from 'vitest';
import { VercelFake, type VercelFakeOptions } from './vercel.ts';

/** The fake the Vercel adapter tests rely on behaves as ../shared/reference/vercel-api.md says Vercel does. */

const base = 'https://api.vercel.test';
const auth = { authorization: 'Bearer vercel_test_token', 'content-type': 'application/json' };

function fake(options: VercelFakeOptions = {}): VercelFake {
  return new VercelFake(options).addProject({ id: 'prj_a', name: 'web' }).addProject({ id: 'prj_team', teamId: 'team_1' });
}

async function call(target: VercelFake, method: string, path: string, body?: unknown, headers: Record<string, string> = auth) {
  const response = await target.handle(new Request(`${base}/${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

interface Listed {
  id: string;
  key: string;
  value?: string;
  type: string;
  target: string[];
  decrypted?: boolean;
  updatedAt: number;
}

const envsOf = (body: Record<string, unknown> | undefined) => (body?.['envs'] ?? []) as Listed[];

describe('VercelFake', () => {
  it('answers 403 forbidden without the token, and finds a team project only with its teamId', async () => {
    const target = fake();
    expect((await call(target, 'GET', 'v10/projects/prj_a/env', undefined, {})).status).toBe(403);
    expect((await call(target, 'GET', 'v10/projects/prj_team/env')).status).toBe(404);
    expect((await call(target, 'GET', 'v10/projects/prj_team/env?teamId=team_1')).status).toBe(200);
    expect((await call(target, 'GET', 'v10/projects/web/env')).status).toBe(200);
  });

  it('lists encrypted values as ciphertext, sensitive ones without a value, and decrypts only encrypted by id', async () => {
    const target = fake();
    const encrypted = target.seed('prj_a', { key: 'E', value: 'real-e', type: 'encrypted' });
    const sensitive = target.seed('prj_a', { key: 'S', value: 'real-s', type: 'sensitive', target: ['production'] });
    target.seed('prj_a', { key: 'P', value: 'real-p', type: 'plain' });
    const listed = envsOf((await call(target, 'GET', 'v10/projects/prj_a/env')).body);

    expect(JSON.stringify(listed)).not.toContain('real-e');
    expect(JSON.stringify(listed)).not.toContain('real-s');
    expect(listed.find((record) => record.key === 'P')?.value).toBe('real-p');
    expect(listed.find((record) => record.key === 'E')?.decrypted).toBe(false);
    expect((await call(target, 'GET', `v1/projects/prj_a/env/${encrypted}`)).body).toMatchObject({ value: 'real-e', decrypted: true });
    const secret = await call(target, 'GET', `v1/projects/prj_a/env/${sensitive}`);
    expect(secret.body).toMatchObject({ decrypted: false });
    expect(secret.body).not.toHaveProperty('value');
  });

  it('creates a batch partly: conflicts and rule breaks land in failed, the rest is created', async () => {
    const target = fake();
    target.seed('prj_a', { key: 'A', value: 'a', target: ['production'] });
    const response = await call(target, 'POST', 'v10/projects/prj_a/env', [
      { key: 'A', value: 'a2', type: 'encrypted', target: ['production', 'preview'] },
      { key: 'A', value: 'a3', type: 'encrypted', target: ['development'] },
      { key: 'S', value: 's', type: 'sensitive', target: ['development'] },
      { key: 'TZ', value: 'UTC', type: 'plain', target: ['production'] },
      { key: '1BAD', value: 'x', type: 'plain', target: ['production'] },
    ]);

    expect(response.status).toBe(201);
    expect((response.body?.['created'] as Listed[]).map((record) => [record.key, record.target])).toEqual([['A', ['development']]]);
    const failed = response.body?.['failed'] as { error: { code: string; key?: string } }[];
    expect(failed.map((item) => [item.error.key, item.error.code])).toEqual([
      ['A', 'ENV_CONFLICT'],
      ['S', 'bad_request'],
      ['TZ', 'RESERVED_ENV_VARIABLE'],
      ['1BAD', 'KEY_INVALID_CHARACTERS'],
    ]);
  });

  it('answers 400 with {error, failed} when nothing of a batch was created, and can omit the key of a failure', async () => {
    const target = fake({ failedNamesKey: false });
    target.seed('prj_a', { key: 'A', value: 'a' });
    const response = await call(target, 'POST', 'v10/projects/prj_a/env', [{ key: 'A', value: 'b', type: 'plain', target: ['preview'] }]);

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'ENV_CONFLICT' }, failed: [{ error: { code: 'ENV_CONFLICT' } }] });
    expect((response.body?.['failed'] as { error: Record<string, unknown> }[])[0]?.error).not.toHaveProperty('key');
  });

  it('refuses unknown body fields, and a sensitive edit that sends its key', async () => {
    const target = fake();
    const id = target.seed('prj_a', { key: 'S', value: 's', type: 'sensitive', target: ['production'] });
    expect((await call(target, 'POST', 'v10/projects/prj_a/env', [{ key: 'X', value: 'x', type: 'plain', target: ['production'], is_secret: true }])).status).toBe(400);
    expect((await call(target, 'PATCH', `v9/projects/prj_a/env/${id}`, { key: 'S', value: 't' })).status).toBe(400);
    expect((await call(target, 'PATCH', `v9/projects/prj_a/env/${id}`, { value: 't', type: 'sensitive', target: ['production'] })).status).toBe(200);
    expect(target.records('prj_a')[0]?.value).toBe('t');
  });

  it('edits a record in place, moving updatedAt, and refuses targets that overlap another record', async () => {
    const target = fake({ now: () => 1_000 });
    const prod = target.seed('prj_a', { key: 'A', value: 'a', target: ['production'] });
    target.seed('prj_a', { key: 'A', value: 'b', target: ['preview'] });
    const before = target.records('prj_a')[0]?.updatedAt ?? 0;
    const edited = await call(target, 'PATCH', `v9/projects/prj_a/env/${prod}`, { value: 'c', type: 'encrypted', target: ['production'] });
    expect(edited.status).toBe(200);
    expect(Number(edited.body?.['updatedAt'])).toBeGreaterThan(before);
    expect((await call(target, 'PATCH', `v9/projects/prj_a/env/${prod}`, { target: ['production', 'preview'] })).body).toMatchObject({ error: { code: 'ENV_CONFLICT' } });
  });

  it('deletes one record or a batch by ids, refusing a batch with an unknown id', async () => {
    const target = fake();
    const a = target.seed('prj_a', { key: 'A', value: 'a' });
    const b = target.seed('prj_a', { key: 'B', value: 'b' });
    const c = target.seed('prj_a', { key: 'C', value: 'c' });
    expect((await call(target, 'DELETE', `v9/projects/prj_a/env/${a}`)).status).toBe(200);
    expect((await call(target, 'DELETE', 'v1/projects/prj_a/env', { ids: [b, 'env_nope'] })).status).toBe(404);
    expect((await call(target, 'DELETE', 'v1/projects/prj_a/env', { ids: [b, c] })).body).toEqual({ deleted: 2, ids: [b, c] });
    expect(target.records('prj_a')).toEqual([]);
  });

  it('applies the team sensitive policy: encrypted production values are refused', async () => {
    const target = new VercelFake().addProject({ id: 'prj_p', sensitivePolicy: true });
    const refused = await call(target, 'POST', 'v10/projects/prj_p/env', [{ key: 'A', value: 'a', type: 'encrypted', target: ['production'] }]);
    const allowed = await call(target, 'POST', 'v10/projects/prj_p/env', [{ key: 'A', value: 'a', type: 'sensitive', target: ['production'] }]);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('sensitive environment variables policy');
    expect(allowed.status).toBe(201);
  });

  it('pages the list by until when a page size is set', async () => {
    const target = fake({ pageSize: 2 });
    for (const key of ['A', 'B', 'C']) target.seed('prj_a', { key, value: key });
    const first = await call(target, 'GET', 'v10/projects/prj_a/env?limit=100');
    const next = (first.body?.['pagination'] as { next: number | null }).next;
    const second = await call(target, 'GET', `v10/projects/prj_a/env?limit=100&until=${String(next)}`);

    expect(envsOf(first.body)).toHaveLength(2);
    expect(envsOf(second.body)).toHaveLength(1);
    expect((second.body?.['pagination'] as { next: number | null }).next).toBeNull();
  });

  it('lists custom environments, the latest production deployment, and redeploys as preview unless told production', async () => {
    const target = fake();
    target.addCustomEnvironment('prj_a', 'staging');
    target.addDeployment('prj_a', { target: null });
    const latest = target.addDeployment('prj_a');
    expect((await call(target, 'GET', 'v9/projects/prj_a/custom-environments')).body).toMatchObject({ environments: [{ slug: 'staging' }] });
    const deployments = await call(target, 'GET', 'v6/deployments?projectId=prj_a&target=production&limit=1');
    expect((deployments.body?.['deployments'] as { uid: string }[]).map((deployment) => deployment.uid)).toEqual([latest]);

    await call(target, 'POST', 'v13/deployments', { deploymentId: latest, name: 'web' });
    await call(target, 'POST', 'v13/deployments?forceNew=1', { deploymentId: latest, name: 'web', target: 'production' });
    expect(target.redeploys.map((redeploy) => redeploy.target)).toEqual(['preview', 'production']);
  });

  it('answers 429 past an endpoint limit with Retry-After, X-RateLimit-* and the rate_limited body; other endpoints still answer', async () => {
    const now = 1_700_000_000_000;
    const target = fake({ now: () => now, perEndpointPerMinute: 1 });
    await call(target, 'GET', 'v10/projects/prj_a/env');
    const limited = await call(target, 'GET', 'v10/projects/prj_a/env');

    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.body).toMatchObject({ error: { code: 'rate_limited', limit: { resetMs: now + 60_000 } } });
    expect((await call(target, 'GET', 'v9/projects/prj_a/custom-environments')).status).toBe(200);
  });

  it('logs method, route and project, never a value', async () => {
    const target = fake();
    await call(target, 'POST', 'v10/projects/prj_a/env', [{ key: 'A', value: 'canary-value', type: 'plain', target: ['production'] }]);
    expect(target.requests).toEqual([{ method: 'POST', route: 'POST /v10/projects/{p}/env', project: 'prj_a', status: 201 }]);
    expect(JSON.stringify(target.requests)).not.toContain('canary-value');
  });
});
