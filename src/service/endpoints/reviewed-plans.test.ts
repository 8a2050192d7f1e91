import { describe, expect, it } from 'vitest';
import { useLocalBlobs } from '../../../test/support/blobs-server.ts';
import { endpointSetup } from '../../../test/support/endpoint-setup.ts';
import { historyEndpoint } from './history.ts';
import { applyAllEndpoint, applyEndpoint, dryRunEndpoint } from './sync.ts';

/** Reviewed plans through the endpoints: dry-run stores a plan, apply by planId checks then applies exactly it. */

const blobs = useLocalBlobs();

type Report = { target: string; applied: boolean; planId?: string; changes: { op: string; key: string }[]; skipped: { key: string; reason: string }[]; errors: { code: string }[] };
const results = (body: Record<string, unknown>) => body['results'] as Report[];

describe('dry-run', () => {
  it('stores a plan and returns its planId in the response and in every report', async () => {
    const s = endpointSetup(blobs, { RENDER_SERVICE_ID: 'srv-a,srv-b' });
    s.render.seed('srv-a', { APP_COLOR: 'red', OTHER: 'keep' });
    s.render.seed('srv-b', {});

    const { status, body } = await s.call(dryRunEndpoint, '/envsync-dry-run/render');

    expect(status).toBe(200);
    const planId = body['planId'] as string;
    expect(planId).toMatch(/^plan-\d{13}-[0-9a-f]{8}$/);
    expect(results(body).map((report) => report.planId)).toEqual([planId, planId]);
    const stored = await s.storage.plans.get(planId);
    expect(stored?.targets.map((target) => [target.target, target.slots.map((slot) => `${slot.op} ${slot.key}`)])).toEqual([
      ['srv-a', ['update APP_COLOR', 'create APP_NAME']],
      ['srv-b', ['create APP_COLOR', 'create APP_NAME']],
    ]);
    expect((await s.storage.reports.list()).map((report) => report.planId)).toEqual([planId, planId]);
    // Fingerprints only: no canonical or target value in the stored plan.
    expect(JSON.stringify(stored)).not.toMatch(/\b(blue|red|envsync|keep)\b/);
    expect(s.render.operations).toEqual(['read srv-a', 'read srv-b']);
  });

  it('takes no planId', async () => {
    const s = endpointSetup(blobs);
    const { status, body } = await s.call(dryRunEndpoint, '/envsync-dry-run/render', { json: { planId: 'plan-1' } });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'bad-request', message: expect.stringMatching(/takes no planId/) as unknown } });
  });
});

describe('apply by planId', () => {
  async function planned(overrides: Record<string, string> = {}) {
    const s = endpointSetup(blobs, { RENDER_SERVICE_ID: 'srv-a,srv-b', ...overrides });
    s.render.seed('srv-a', { APP_COLOR: 'red', OTHER: 'keep' });
    s.render.seed('srv-b', { APP_COLOR: 'blue', APP_NAME: 'envsync' });
    const { body } = await s.call(dryRunEndpoint, '/envsync-dry-run/render');
    s.render.operations.length = 0;
    return { s, planId: body['planId'] as string };
  }

  it('applies exactly the plan when nothing moved', async () => {
    const { s, planId } = await planned();

    const { status, body } = await s.call(applyEndpoint, '/envsync-apply/render', { json: { planId } });

    expect(status).toBe(200);
    expect(body['planId']).toBe(planId);
    expect(s.render.values('srv-a')).toEqual({ APP_COLOR: 'blue', APP_NAME: 'envsync', OTHER: 'keep' });
    // Check pass reads both targets, then the write pass reads each again under its lock.
    expect(s.render.operations).toEqual(['read srv-a', 'read srv-b', 'read srv-a', 'update APP_COLOR', 'create APP_NAME', 'read srv-b']);
    expect(results(body).map((report) => [report.target, report.applied, report.planId])).toEqual([
      ['srv-a', true, planId],
      ['srv-b', false, planId],
    ]);
  });

  it('answers 409 stale-plan naming the target and key when the target changed, and writes nothing', async () => {
    const { s, planId } = await planned();
    s.render.targets.get('srv-a')?.set('APP_COLOR', 'green');

    const { status, body } = await s.call(applyAllEndpoint, '/envsync-apply-all', { json: { planId } });

    expect(status).toBe(409);
    expect(body['error']).toMatchObject({ code: 'stale-plan', message: expect.stringMatching(/render srv-a: APP_COLOR.*Nothing was written/) as unknown });
    expect(body['moved']).toEqual([{ provider: 'render', target: 'srv-a', slots: [{ key: 'APP_COLOR', context: '*', why: 'target-changed' }] }]);
    expect(s.render.operations).toEqual(['read srv-a', 'read srv-b']);
    expect(await s.storage.reports.list()).toHaveLength(2); // only the dry-run's
  });

  it('answers 409 when a planned key changed in the canonical set, also on a target that was in sync', async () => {
    const { s, planId } = await planned();
    s.env['APP_NAME'] = 'renamed';

    const { status, body } = await s.call(applyEndpoint, '/envsync-apply/render', { json: { planId } });

    expect(status).toBe(409);
    expect(body['moved']).toEqual([{ provider: 'render', target: 'srv-a', slots: [{ key: 'APP_NAME', context: '*', why: 'canonical-changed' }] }]);
    expect(s.render.operations.filter((operation) => !operation.startsWith('read'))).toEqual([]);
  });

  it('leaves keys added to the canonical set since the dry-run for the next run, and unmanaged changes do not make it stale', async () => {
    const { s, planId } = await planned();
    s.env['APP_NEW'] = 'later';
    s.render.targets.get('srv-a')?.set('OTHER', 'edited');

    const { status, body } = await s.call(applyEndpoint, '/envsync-apply/render', { json: { planId } });

    expect(status).toBe(200);
    expect(s.render.values('srv-a')).toEqual({ APP_COLOR: 'blue', APP_NAME: 'envsync', OTHER: 'edited' });
    expect(s.render.values('srv-b')).toEqual({ APP_COLOR: 'blue', APP_NAME: 'envsync' });
    const [a, b] = results(body);
    expect(a?.skipped).toEqual([{ op: 'create', key: 'APP_NEW', reason: 'not-in-plan' }]);
    expect(b?.skipped).toEqual([{ op: 'create', key: 'APP_NEW', reason: 'not-in-plan' }]);
    expect(body['summary']).toMatchObject({ inSync: 0 });
  });

  it('answers 404 for an unknown or expired planId, saying to run a new dry-run', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const s = endpointSetup(blobs, { ENVSYNC_PLAN_TTL: '1h' }, () => now);
    s.render.seed('srv-a', {});
    const { body: dry } = await s.call(dryRunEndpoint, '/envsync-dry-run/render');
    now += 60 * 60_000 + 1;

    const expired = await s.call(applyEndpoint, '/envsync-apply/render', { json: { planId: dry['planId'] } });
    const unknown = await s.call(applyEndpoint, '/envsync-apply/render', { json: { planId: 'plan-9999999999999-deadbeef' } });

    for (const answer of [expired, unknown]) {
      expect(answer.status).toBe(404);
      expect(answer.body['error']).toMatchObject({ code: 'not-found', message: expect.stringMatching(/unknown or has expired \(.*1h\)\. Run a new dry-run/) as unknown });
    }
    expect(s.render.operations).toEqual(['read srv-a']);
  });

  it('prunes expired plans when a new one is stored', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const s = endpointSetup(blobs, { ENVSYNC_PLAN_TTL: '30m' }, () => now);
    s.render.seed('srv-a', {});
    const first = (await s.call(dryRunEndpoint, '/envsync-dry-run/render')).body['planId'] as string;
    now += 31 * 60_000;
    const second = (await s.call(dryRunEndpoint, '/envsync-dry-run/render')).body['planId'] as string;

    expect((await s.blobStore.list('plans/')).map((entry) => entry.key)).toEqual([`plans/${second}`]);
    expect(first).not.toBe(second);
    expect((await s.storage.plans.get(second))?.planId).toBe(second);
  });

  it('refuses a provider or target the plan does not cover', async () => {
    const { s, planId } = await planned();

    const { status, body } = await s.call(applyEndpoint, '/envsync-apply/netlify', { json: { planId } });

    expect(status).toBe(400);
    expect(body['error']).toMatchObject({ message: expect.stringMatching(/covers render srv-a, render srv-b, not netlify/) as unknown });
  });
});

describe('ENVSYNC_REQUIRE_PLAN', () => {
  it('refuses a manual apply without a planId, and accepts one with it', async () => {
    const s = endpointSetup(blobs, { ENVSYNC_REQUIRE_PLAN: 'true' });
    s.render.seed('srv-a', {});

    const refused = await s.call(applyEndpoint, '/envsync-apply/render');
    const planId = (await s.call(dryRunEndpoint, '/envsync-dry-run/render')).body['planId'];
    const accepted = await s.call(applyEndpoint, '/envsync-apply/render', { json: { planId } });

    expect(refused.status).toBe(400);
    expect(refused.body['error']).toMatchObject({ message: expect.stringMatching(/ENVSYNC_REQUIRE_PLAN is true/) as unknown });
    expect(accepted.status).toBe(200);
    expect(s.render.values('srv-a')).toEqual({ APP_COLOR: 'blue', APP_NAME: 'envsync' });
  });
});

describe('the post-deploy hook', () => {
  it('keeps applying without a planId under ENVSYNC_REQUIRE_PLAN, and its changes name the deploy and commit in the history', async () => {
    const s = endpointSetup(blobs, { ENVSYNC_REQUIRE_PLAN: 'true' });
    s.render.seed('srv-a', {});
    const headers = { 'x-envsync-trigger': 'deploy', 'x-envsync-deploy-id': '65a1b2c3d4e5f60718293a4b', 'x-envsync-commit': '0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6' };

    const { status } = await s.call(applyAllEndpoint, '/envsync-apply-all', { headers });
    const history = await s.call(historyEndpoint, '/envsync-history?key=APP_COLOR', { method: 'GET' });

    expect(status).toBe(200);
    expect(s.render.values('srv-a')).toEqual({ APP_COLOR: 'blue', APP_NAME: 'envsync' });
    expect(history.body['entries']).toEqual([
      {
        at: expect.any(String) as unknown,
        runId: expect.any(String) as unknown,
        provider: 'render',
        target: 'srv-a',
        key: 'APP_COLOR',
        op: 'create',
        trigger: 'deploy',
        deployId: headers['x-envsync-deploy-id'],
        commit: headers['x-envsync-commit'],
        fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/) as unknown,
      },
    ]);
  });
});
