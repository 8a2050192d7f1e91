import { describe, expect, it } from 'vitest';
import { RenderFake } from './render.ts';
import { renderTestBase, renderTestToken, virtualClock } from '../support/render-harness.ts';

/**
 * The fake the adapter's tests run against must behave as the reference says Render does;
 * otherwise those tests prove nothing. Requests here go straight to `fake.handle`.
 */

function call(fake: RenderFake, method: string, path: string, body?: unknown, token = renderTestToken): Promise<Response> {
  return fake.handle(
    new Request(`${renderTestBase}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
}

describe('the Render fake', () => {
  it('pages 20 variables by default and at most 100, after the cursor of the last item', async () => {
    const fake = new RenderFake().seed('srv-a', Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`K${i}`, 'v'])));
    const first = (await (await call(fake, 'GET', '/services/srv-a/env-vars')).json()) as { cursor: string }[];
    expect(first).toHaveLength(20);
    const next = (await (await call(fake, 'GET', `/services/srv-a/env-vars?limit=100&cursor=${first[19]?.cursor ?? ''}`)).json()) as unknown[];
    expect(next).toHaveLength(100);
    expect((await call(fake, 'GET', '/services/srv-a/env-vars?limit=101')).status).toBe(400);
  });

  it('replaces the whole set on PUT, deleting what the body lacks, and rejects empty values', async () => {
    const fake = new RenderFake().seed('srv-a', { A: '1', B: '2' });
    expect((await call(fake, 'PUT', '/services/srv-a/env-vars', [{ key: 'A', value: '' }])).status).toBe(400);
    expect(fake.variables('srv-a')).toEqual({ A: '1', B: '2' });
    expect((await call(fake, 'PUT', '/services/srv-a/env-vars', [{ key: 'A', value: '9' }, { key: 'C', value: '3' }])).status).toBe(200);
    expect(fake.variables('srv-a')).toEqual({ A: '9', C: '3' });
  });

  it('upserts and deletes one key, with 404 for a missing key or service', async () => {
    const fake = new RenderFake().seed('srv-a');
    expect((await call(fake, 'PUT', '/services/srv-a/env-vars/A', { value: '' })).status).toBe(400);
    expect(await (await call(fake, 'PUT', '/services/srv-a/env-vars/A', { value: '1' })).json()).toEqual({ key: 'A', value: '1' });
    expect((await call(fake, 'DELETE', '/services/srv-a/env-vars/A')).status).toBe(204);
    expect((await call(fake, 'DELETE', '/services/srv-a/env-vars/A')).status).toBe(404);
    expect((await call(fake, 'GET', '/services/srv-nope/env-vars')).status).toBe(404);
    expect((await call(fake, 'GET', '/services/srv-a')).status).toBe(200);
  });

  it('answers 401 without a valid bearer token', async () => {
    const fake = new RenderFake().seed('srv-a');
    expect((await call(fake, 'GET', '/services/srv-a/env-vars', undefined, 'nope')).status).toBe(401);
  });

  it('allows 30 writes a minute per token, then answers 429 with Retry-After and Ratelimit headers', async () => {
    const clock = virtualClock();
    const fake = new RenderFake({ now: clock.now }).seed('srv-a');
    for (let i = 0; i < 30; i += 1) {
      clock.advance(1_000);
      expect((await call(fake, 'PUT', `/services/srv-a/env-vars/K${i}`, { value: 'v' })).status).toBe(200);
    }
    const limited = await call(fake, 'PUT', '/services/srv-a/env-vars/K30', { value: 'v' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('31');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('ratelimit-limit')).toBe('30');
    clock.advance(31_000);
    expect((await call(fake, 'PUT', '/services/srv-a/env-vars/K30', { value: 'v' })).status).toBe(200);
    expect(fake.count('write', 429)).toBe(1);
  });

  it('triggers deploys only with a JSON body', async () => {
    const fake = new RenderFake().seed('srv-a');
    expect((await call(fake, 'POST', '/services/srv-a/deploys')).status).toBe(400);
    expect((await call(fake, 'POST', '/services/srv-a/deploys', { clearCache: 'do_not_clear' })).status).toBe(201);
    expect(fake.deploys('srv-a')).toBe(1);
  });

  it('keeps values out of its request log', async () => {
    const fake = new RenderFake().seed('srv-a', { A: 'secret-value-123' });
    await call(fake, 'GET', '/services/srv-a/env-vars');
    await call(fake, 'PUT', '/services/srv-a/env-vars/B', { value: 'secret-value-456' });
    expect(JSON.stringify(fake.log)).not.toMatch(/secret-value/);
    expect(fake.counts()).toEqual({ 'GET /services/{serviceId}/env-vars': 1, 'PUT /services/{serviceId}/env-vars/{envVarKey}': 1 });
  });
});
