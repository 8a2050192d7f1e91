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

  describe('environment groups', () => {
    it('answers GET /env-groups/{id} with the envGroup shape: metadata, every variable, serviceLinks and secretFiles', async () => {
      const fake = new RenderFake().seed('srv-a').seedEnvGroup('evg-1', { A: '1', B: '2' }, ['srv-a']);
      const response = await call(fake, 'GET', '/env-groups/evg-1');
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        id: 'evg-1',
        name: 'evg-1',
        ownerId: 'tea-fake',
        createdAt: '2026-01-01T00:00:00Z',
        serviceLinks: [{ id: 'srv-a', name: 'srv-a', type: 'web' }],
        envVars: [{ key: 'A', value: '1' }, { key: 'B', value: '2' }],
        secretFiles: [],
      });
      expect((await call(fake, 'GET', '/env-groups/evg-nope')).status).toBe(404);
    });

    it('upserts one key with PUT (answering with the whole group), deletes with DELETE, and has no replace-all', async () => {
      const fake = new RenderFake().seedEnvGroup('evg-1', { A: '1' });
      const put = await call(fake, 'PUT', '/env-groups/evg-1/env-vars/B', { value: '2' });
      expect(put.status).toBe(200);
      expect(((await put.json()) as { envVars: unknown[] }).envVars).toEqual([{ key: 'A', value: '1' }, { key: 'B', value: '2' }]);
      expect(await (await call(fake, 'GET', '/env-groups/evg-1/env-vars/B')).json()).toEqual({ key: 'B', value: '2' });
      expect((await call(fake, 'DELETE', '/env-groups/evg-1/env-vars/A')).status).toBe(204);
      expect((await call(fake, 'DELETE', '/env-groups/evg-1/env-vars/A')).status).toBe(404);
      expect((await call(fake, 'PUT', '/env-groups/evg-1/env-vars', [{ key: 'C', value: '3' }])).status).toBe(404);
      expect((await call(fake, 'PUT', '/env-groups/evg-nope/env-vars/A', { value: '1' })).status).toBe(404);
      expect(fake.groupVariables('evg-1')).toEqual({ B: '2' });
    });

    it('is strict about bodies: empty values, missing values and non-objects are 400 and change nothing', async () => {
      const fake = new RenderFake().seedEnvGroup('evg-1', { A: '1' });
      for (const body of [{ value: '' }, {}, { value: 1 }, 'x', { value: 'v', generateValue: true }]) {
        expect((await call(fake, 'PUT', '/env-groups/evg-1/env-vars/A', body)).status).toBe(400);
      }
      expect(fake.groupVariables('evg-1')).toEqual({ A: '1' });
    });

    it('keeps group variables out of the linked services\' own lists', async () => {
      const fake = new RenderFake().seed('srv-a', { OWN: 'o' }).seedEnvGroup('evg-1', { SHARED: 's' }, ['srv-a']);
      const list = (await (await call(fake, 'GET', '/services/srv-a/env-vars')).json()) as { envVar: { key: string } }[];
      expect(list.map((item) => item.envVar.key)).toEqual(['OWN']);
    });

    it('links and unlinks services, which must exist', async () => {
      const fake = new RenderFake().seed('srv-a').seedEnvGroup('evg-1');
      expect((await call(fake, 'POST', '/env-groups/evg-1/services/srv-a')).status).toBe(200);
      expect((await call(fake, 'POST', '/env-groups/evg-1/services/srv-nope')).status).toBe(404);
      expect(fake.linkedServices('evg-1')).toEqual(['srv-a']);
      expect((await call(fake, 'DELETE', '/env-groups/evg-1/services/srv-a')).status).toBe(204);
      expect(fake.linkedServices('evg-1')).toEqual([]);
    });

    it('counts group writes in the same 30-a-minute bucket as service writes, and group reads as reads', async () => {
      const clock = virtualClock();
      const fake = new RenderFake({ now: clock.now }).seed('srv-a').seedEnvGroup('evg-1');
      for (let i = 0; i < 20; i += 1) expect((await call(fake, 'PUT', `/services/srv-a/env-vars/K${i}`, { value: 'v' })).status).toBe(200);
      for (let i = 0; i < 10; i += 1) expect((await call(fake, 'PUT', `/env-groups/evg-1/env-vars/K${i}`, { value: 'v' })).status).toBe(200);
      const limited = await call(fake, 'DELETE', '/env-groups/evg-1/env-vars/K0');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).not.toBeNull();
      expect((await call(fake, 'GET', '/env-groups/evg-1')).status).toBe(200);
      expect(fake.count('write')).toBe(31);
      expect(fake.count('write', 429)).toBe(1);
    });

    it('keeps values out of its request log and names the group there', async () => {
      const fake = new RenderFake().seedEnvGroup('evg-1', { A: 'secret-value-789' });
      await call(fake, 'GET', '/env-groups/evg-1');
      await call(fake, 'PUT', '/env-groups/evg-1/env-vars/B', { value: 'secret-value-012' });
      expect(JSON.stringify(fake.log)).not.toMatch(/secret-value/);
      expect(fake.log.map((entry) => [entry.route, entry.envGroupId, entry.key])).toEqual([
        ['env-group.get', 'evg-1', undefined],
        ['env-group-var.put', 'evg-1', 'B'],
      ]);
    });
  });
});
