import { beforeEach, describe, expect, it } from 'vitest';
import { RenderFake } from '../../../test/emulator/render.ts';
import { useMswServer } from '../../../test/support/msw.ts';
import { isSyncError } from '../../errors.ts';
import type { Plan } from '../../core/plan.ts';
import { renderAdapter } from '../render.ts';
import { renderHandler, renderSession, syncOnce } from '../../../test/support/render-harness.ts';

const server = useMswServer();
let fake: RenderFake;

beforeEach(() => {
  fake = new RenderFake();
  server.use(renderHandler(fake));
});

function connect() {
  return renderAdapter.connect(renderSession());
}

describe('writing a small change set key by key', () => {
  it('a sync with nothing to change sends no write', async () => {
    fake.seed('srv-a', { APP_A: 'a', APP_B: 'b', OTHER: 'x' });
    const { plan, outcome } = await syncOnce(connect(), 'srv-a', { APP_A: 'a', APP_B: 'b' });
    expect(plan.changes.every((change) => change.op === 'noop')).toBe(true);
    expect(outcome).toEqual({ done: [], errors: [] });
    expect(fake.count('write')).toBe(0);
    expect(fake.counts()).toEqual({ 'GET /services/{serviceId}/env-vars': 1 });
  });

  it('sends one request per change and touches nothing else', async () => {
    fake.seed('srv-a', { APP_A: 'old', APP_GONE: 'x', APP_SAME: 's', OTHER: 'keep' });
    const { outcome } = await syncOnce(connect(), 'srv-a', { APP_A: 'new', APP_NEW: 'n', APP_SAME: 's' });
    expect(outcome.errors).toEqual([]);
    expect(outcome.done).toEqual([
      { op: 'update', key: 'APP_A', context: '*' },
      { op: 'create', key: 'APP_NEW', context: '*' },
      { op: 'delete', key: 'APP_GONE', context: '*' },
    ]);
    expect(fake.variables('srv-a')).toEqual({ APP_A: 'new', APP_SAME: 's', OTHER: 'keep', APP_NEW: 'n' });
    expect(fake.counts()).toEqual({
      'GET /services/{serviceId}/env-vars': 1,
      'PUT /services/{serviceId}/env-vars/{envVarKey}': 2,
      'DELETE /services/{serviceId}/env-vars/{envVarKey}': 1,
    });
  });

  it('sends every write before any delete', async () => {
    fake.seed('srv-a', { APP_OLD_NAME: 'x' });
    await syncOnce(connect(), 'srv-a', { APP_NEW_NAME: 'x' });
    expect(fake.log.filter((entry) => entry.method !== 'GET').map((entry) => entry.route)).toEqual(['env-var.put', 'env-var.delete']);
  });

  it('encodes keys in the path', async () => {
    fake.seed('srv-a', {});
    const { outcome } = await syncOnce(connect(), 'srv-a', { 'APP_a.b-c': 'v' });
    expect(outcome.errors).toEqual([]);
    expect(fake.variables('srv-a')).toEqual({ 'APP_a.b-c': 'v' });
  });

  it('counts a delete that finds the variable already gone as done', async () => {
    fake.seed('srv-a', { APP_GONE: 'x' });
    const connection = connect();
    const remote = await connection.read('srv-a');
    fake.remove('srv-a', 'APP_GONE');
    const plan: Plan = { changes: [{ op: 'delete', key: 'APP_GONE', context: '*', secret: false }], skipped: [] };
    const outcome = await connection.apply('srv-a', plan, new Map(), remote);
    expect(outcome).toEqual({ done: [{ op: 'delete', key: 'APP_GONE', context: '*' }], errors: [] });
    expect(fake.count('env-var.delete', 404)).toBe(1);
  });
});

describe('failing writes', () => {
  it('deletes nothing when a write fails after an earlier write succeeded', async () => {
    fake.seed('srv-a', { APP_A: 'old', APP_B: 'old', APP_STALE: 'x' });
    fake.fail({ route: 'env-var.put', skip: 1, status: 500 });
    const { outcome } = await syncOnce(connect(), 'srv-a', { APP_A: 'new', APP_B: 'new' });
    expect(outcome.done).toEqual([{ op: 'update', key: 'APP_A', context: '*' }]);
    expect(outcome.errors.map((error) => [error.key, error.code])).toEqual([
      ['APP_B', 'outcome-unknown'],
      ['APP_STALE', 'write-skipped'],
    ]);
    expect(fake.count('env-var.delete')).toBe(0);
    expect(fake.variables('srv-a')).toEqual({ APP_A: 'new', APP_B: 'old', APP_STALE: 'x' });
  });

  it('reports a write whose outcome is unknown (500) as retryable and does not blindly retry it', async () => {
    fake.seed('srv-a', { APP_A: 'old' });
    fake.fail({ route: 'env-var.put', status: 500, apply: true });
    const { outcome } = await syncOnce(connect(), 'srv-a', { APP_A: 'new' });
    expect(outcome.done).toEqual([]);
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]).toMatchObject({ code: 'outcome-unknown', key: 'APP_A', retryable: true });
    expect(fake.count('env-var.put')).toBe(1);
    // The write landed although its answer was lost: the next round's read finds nothing to do.
    const again = await syncOnce(connect(), 'srv-a', { APP_A: 'new' });
    expect(again.outcome).toEqual({ done: [], errors: [] });
    expect(fake.count('env-var.put')).toBe(1);
  });

  it('rejects a write after three 429s instead of reporting success', async () => {
    fake.seed('srv-a', { APP_A: 'old', APP_B: 'old' });
    fake.fail({ route: 'env-var.put', status: 429, times: 10, headers: { 'retry-after': '0' } });
    const { outcome } = await syncOnce(connect(), 'srv-a', { APP_A: 'new', APP_B: 'new' });
    expect(outcome.done).toEqual([]);
    expect(outcome.errors.map((error) => [error.key, error.code, error.retryable])).toEqual([
      ['APP_A', 'provider-rate-limited', true],
      ['APP_B', 'provider-rate-limited', true],
    ]);
    // One attempt and three retries for APP_A; APP_B is held back rather than hammered.
    expect(fake.count('env-var.put', 429)).toBe(4);
    expect(fake.count('env-var.put')).toBe(4);
    expect(fake.variables('srv-a')).toEqual({ APP_A: 'old', APP_B: 'old' });
  });

  it('reports a write answered with an unexpected body as retryable, not as done', async () => {
    fake.seed('srv-a', { APP_A: 'old' });
    fake.fail({ route: 'env-var.put', status: 200, body: '<html>proxy</html>' });
    const { outcome } = await syncOnce(connect(), 'srv-a', { APP_A: 'new' });
    expect(outcome.done).toEqual([]);
    expect(outcome.errors[0]).toMatchObject({ code: 'provider-response-invalid', key: 'APP_A', retryable: true });
    expect(fake.count('env-var.put')).toBe(1);
  });

  it('succeeds after a single 429', async () => {
    fake.seed('srv-a', { APP_A: 'old' });
    fake.fail({ route: 'env-var.put', status: 429, headers: { 'retry-after': '0' } });
    const { outcome } = await syncOnce(connect(), 'srv-a', { APP_A: 'new' });
    expect(outcome.errors).toEqual([]);
    expect(fake.count('env-var.put')).toBe(2);
    expect(fake.variables('srv-a')).toEqual({ APP_A: 'new' });
  });

  it('an empty canonical value is reported and the existing variable stays', async () => {
    fake.seed('srv-a', { APP_EMPTY: 'current', APP_B: 'old' });
    const { plan, outcome } = await syncOnce(connect(), 'srv-a', { APP_EMPTY: '', APP_B: 'new' });
    expect(plan.skipped).toEqual([{ key: 'APP_EMPTY', context: '*', op: 'update', reason: 'empty-value' }]);
    expect(outcome.errors).toEqual([]);
    expect(fake.variables('srv-a')).toEqual({ APP_EMPTY: 'current', APP_B: 'new' });
    expect(fake.count('write')).toBe(1);
  });

  it('never sends an empty value even when a plan asks for it (the core never does), and then deletes nothing', async () => {
    fake.seed('srv-a', { APP_EMPTY: 'current', APP_STALE: 'x' });
    const connection = connect();
    const remote = await connection.read('srv-a');
    const plan: Plan = {
      changes: [
        { op: 'update', key: 'APP_EMPTY', context: '*', secret: false },
        { op: 'delete', key: 'APP_STALE', context: '*', secret: false },
      ],
      skipped: [],
    };
    const outcome = await connection.apply('srv-a', plan, new Map([['APP_EMPTY', '']]), remote);
    expect(outcome.errors.map((error) => [error.key, error.code])).toEqual([
      ['APP_EMPTY', 'internal'],
      ['APP_STALE', 'write-skipped'],
    ]);
    expect(fake.count('write')).toBe(0);
    expect(fake.variables('srv-a')).toEqual({ APP_EMPTY: 'current', APP_STALE: 'x' });
  });

  it('fails the whole service when a write meets an unknown service', async () => {
    fake.seed('srv-a', { APP_A: 'old' });
    const connection = connect();
    const remote = await connection.read('srv-a');
    const plan: Plan = { changes: [{ op: 'update', key: 'APP_A', context: '*', secret: false }], skipped: [] };
    const error: unknown = await connection.apply('srv-gone', plan, new Map([['APP_A', 'new']]), remote).catch((e: unknown) => e);
    expect(isSyncError(error) && error.code).toBe('provider-not-found');
    expect(isSyncError(error) && error.message).toContain('srv-gone');
    expect(fake.count('env-var.put')).toBe(1);
  });

  it('fails the whole service on a rejected token, naming its source', async () => {
    fake.seed('srv-a', { APP_A: 'old', APP_B: 'old' });
    const remote = await connect().read('srv-a');
    const connection = renderAdapter.connect(renderSession({ token: 'rnd_revoked' }));
    const plan: Plan = {
      changes: [
        { op: 'update', key: 'APP_A', context: '*', secret: false },
        { op: 'update', key: 'APP_B', context: '*', secret: false },
      ],
      skipped: [],
    };
    const values = new Map([
      ['APP_A', 'new'],
      ['APP_B', 'new'],
    ]);
    const error: unknown = await connection.apply('srv-a', plan, values, remote).catch((e: unknown) => e);
    expect(isSyncError(error) && error.code).toBe('provider-auth');
    expect(isSyncError(error) && error.message).toContain('env:RENDER_API_TOKEN');
    expect(fake.count('env-var.put')).toBe(1);
  });
});
