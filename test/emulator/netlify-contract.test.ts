import { describe, expect, it } from 'vitest';
import { NetlifyFake, type NetlifyFakeOptions } from './netlify.ts';

/** The fake the adapter tests rely on behaves as the reference says Netlify does. */

const base = 'https://api.netlify.test/api/v1';
const auth = { authorization: 'Bearer nfp_test_token', 'content-type': 'application/json' };

function fake(options: NetlifyFakeOptions = {}): NetlifyFake {
  return new NetlifyFake(options).addSite({ id: 'site-a', accountId: 'acc-1', accountSlug: 'team-a' });
}

async function call(target: NetlifyFake, method: string, path: string, body?: unknown, headers: Record<string, string> = auth) {
  const response = await target.handle(new Request(`${base}/${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

describe('NetlifyFake', () => {
  it('answers 401 without the bearer token and 404 for an unknown site or a wrong account', async () => {
    const target = fake();
    expect((await call(target, 'GET', 'sites/site-a', undefined, {})).status).toBe(401);
    expect((await call(target, 'GET', 'sites/nope')).status).toBe(404);
    expect((await call(target, 'GET', 'accounts/team-b/env?site_id=site-a')).status).toBe(404);
    expect((await call(target, 'GET', 'accounts/acc-1/env?site_id=site-a')).status).toBe(200);
    expect((await call(target, 'GET', 'accounts/team-a/env')).status).toBe(400);
  });

  it('returns account_slug and account_id for a site', async () => {
    expect((await call(fake(), 'GET', 'sites/site-a')).body).toMatchObject({ id: 'site-a', account_id: 'acc-1', account_slug: 'team-a' });
  });

  it('rejects a bulk create of an existing key and creates nothing', async () => {
    const target = fake();
    target.seed('site-a', 'A', { values: { all: 'a' } });
    const response = await call(target, 'POST', 'accounts/team-a/env?site_id=site-a', [
      { key: 'B', values: [{ context: 'all', value: 'b' }] },
      { key: 'A', values: [{ context: 'all', value: 'a2' }] },
    ]);

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ message: expect.stringContaining('already exists') as unknown });
    expect(target.keys('site-a')).toEqual(['A']);
  });

  it('enforces the secret rules: explicit contexts, no post-processing, a flag that stays', async () => {
    const target = fake();
    const create = (item: unknown) => call(target, 'POST', 'accounts/team-a/env?site_id=site-a', [item]);
    expect((await create({ key: 'S', is_secret: true, scopes: ['builds'], values: [{ context: 'all', value: 'x' }] })).status).toBe(422);
    expect((await create({ key: 'S', is_secret: true, values: [{ context: 'production', value: 'x' }] })).status).toBe(422);
    expect((await create({ key: 'S', is_secret: true, scopes: ['builds'], values: [{ context: 'production', value: 'x' }] })).status).toBe(201);
    expect((await call(target, 'PUT', 'accounts/team-a/env/S?site_id=site-a', { is_secret: false, values: [] })).status).toBe(422);
    expect((await call(target, 'PATCH', 'accounts/team-a/env/S?site_id=site-a', { context: 'all', value: 'y' })).status).toBe(422);
  });

  it('masks secret values except in the dev context, as configured', async () => {
    for (const [style, expected] of [
      ['omitted', undefined],
      ['empty', ''],
      ['null', null],
      ['masked', '************'],
    ] as const) {
      const target = fake({ maskedSecrets: style });
      target.seed('site-a', 'S', { secret: true, scopes: ['builds'], values: { production: 'real', dev: 'local' } });
      const { body } = await call(target, 'GET', 'accounts/team-a/env?site_id=site-a');
      const values = (body as { values: { context: string; value?: string | null }[] }[])[0]?.values;
      expect(values?.find((value) => value.context === 'production')?.value).toBe(expected);
      expect(values?.find((value) => value.context === 'dev')?.value).toBe('local');
    }
  });

  it('moves a variable updated_at forward on every change, including edits in the UI', async () => {
    const target = fake({ now: () => Date.parse('2026-01-01T00:00:00Z') });
    target.seed('site-a', 'A', { values: { production: 'a' } });
    const seeded = target.variable('site-a', 'A')?.updatedAt ?? '';
    const patched = await call(target, 'PATCH', 'accounts/team-a/env/A?site_id=site-a', { context: 'production', value: 'b' });
    expect(patched.status).toBe(201);
    const afterPatch = (patched.body as { updated_at: string }).updated_at;
    target.editInUi('site-a', 'A', 'production', 'c');
    const afterEdit = target.variable('site-a', 'A')?.updatedAt ?? '';

    expect(Date.parse(afterPatch)).toBeGreaterThan(Date.parse(seeded));
    expect(Date.parse(afterEdit)).toBeGreaterThan(Date.parse(afterPatch));
  });

  it('answers 429 past the limit with X-RateLimit-Reset in epoch seconds and no Retry-After', async () => {
    const now = Date.parse('2026-01-01T00:00:10Z');
    const target = fake({ now: () => now, rateLimit: { limit: 2, windowMs: 60_000 } });
    await call(target, 'GET', 'sites/site-a');
    const last = await call(target, 'GET', 'sites/site-a');
    const limited = await call(target, 'GET', 'sites/site-a');

    expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-reset')).toBe(String(Date.parse('2026-01-01T00:01:10Z') / 1000));
    expect(limited.headers.get('retry-after')).toBeNull();
  });

  it('routes with or without the /api/v1 base path, and build hooks outside it', async () => {
    const target = fake();
    const hook = target.addBuildHook('site-a');
    expect((await target.handle(new Request('http://127.0.0.1:9/sites/site-a', { headers: auth }))).status).toBe(200);
    expect((await target.handle(new Request(`http://127.0.0.1:9/build_hooks/${hook}`, { method: 'POST' }))).status).toBe(200);
    expect(target.builds).toEqual([{ siteId: 'site-a', via: 'hook' }]);
  });

  it('logs method, route and key of each request, never a value', async () => {
    const target = fake();
    await call(target, 'POST', 'accounts/team-a/env?site_id=site-a', [{ key: 'A', values: [{ context: 'all', value: 'canary-value' }] }]);

    expect(target.requests).toEqual([{ method: 'POST', route: 'POST /accounts/{account_id}/env', site: 'site-a', status: 201 }]);
    expect(JSON.stringify(target.requests)).not.toContain('canary-value');
  });

  it('can apply a write and still answer with a failure, like a lost response', async () => {
    const target = fake();
    target.fail({ route: 'POST /accounts/{account_id}/env', status: 502, afterApply: true });
    const response = await call(target, 'POST', 'accounts/team-a/env?site_id=site-a', [{ key: 'A', values: [{ context: 'all', value: 'a' }] }]);

    expect(response.status).toBe(502);
    expect(target.keys('site-a')).toEqual(['A']);
  });
});
