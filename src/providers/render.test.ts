import { beforeEach, describe, expect, it } from 'vitest';
import { RenderFake } from '../../test/emulator/render.ts';
import { useMswServer } from '../../test/support/msw.ts';
import { isSyncError, type SyncError } from '../errors.ts';
import { createRenderAdapter, renderAdapter } from './render.ts';
import {
  managedPolicy,
  numberedVariables,
  renderHandler,
  renderSession,
  syncOnce,
  virtualClock,
} from '../../test/support/render-harness.ts';

const server = useMswServer();
let fake: RenderFake;

beforeEach(() => {
  fake = new RenderFake();
  server.use(renderHandler(fake));
});

async function failureOf(promise: Promise<unknown>): Promise<SyncError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isSyncError(error)) throw new Error(`expected a SyncError, got ${String(error)}`);
  return error;
}

describe('the Render adapter', () => {
  it('declares what Render can do once, on the adapter', () => {
    expect(renderAdapter.id).toBe('render');
    expect(renderAdapter.tokenName).toBe('RENDER_API_TOKEN');
    expect(renderAdapter.capabilities).toEqual({
      replacesWholeSet: true,
      hidesSecretValues: false,
      allowsEmptyValues: false,
      hasContexts: false,
    });
    const options = renderSession().provider.options;
    expect(renderAdapter.contextsFor('APP_X', options)).toEqual(['*']);
    expect(renderAdapter.isSecret('APP_X', options)).toBe(false);
  });

  it('makes no request when it connects', () => {
    renderAdapter.connect(renderSession());
    expect(fake.log).toHaveLength(0);
  });
});

describe('reading a service', () => {
  it('1,000 variables are read in 11 requests or fewer', async () => {
    fake.seed('srv-a', numberedVariables('APP_', 1_000));
    const remote = await renderAdapter.connect(renderSession()).read('srv-a');
    expect(remote.values).toHaveLength(1_000);
    expect(remote.values[999]).toEqual({ key: 'APP_1000', context: '*', value: 'v-1000', secret: false });
    expect(fake.count('env-vars.list')).toBeLessThanOrEqual(11);
    expect(fake.count('env-vars.list')).toBe(11);
  });

  it('stops at the first short page', async () => {
    fake.seed('srv-a', numberedVariables('APP_', 150));
    const remote = await renderAdapter.connect(renderSession()).read('srv-a');
    expect(remote.values).toHaveLength(150);
    expect(fake.count('env-vars.list')).toBe(2);
  });

  it('reads an empty service in one request', async () => {
    fake.seed('srv-a');
    const remote = await renderAdapter.connect(renderSession()).read('srv-a');
    expect(remote.values).toEqual([]);
    expect(fake.count('env-vars.list')).toBe(1);
  });

  it('fails on a malformed page instead of returning fewer variables', async () => {
    fake.seed('srv-a', numberedVariables('APP_', 250));
    fake.fail({ route: 'env-vars.list', skip: 1, status: 200, body: [{ envVar: { key: 'APP_X' } }] });
    const error = await failureOf(renderAdapter.connect(renderSession()).read('srv-a'));
    expect(error.code).toBe('provider-response-invalid');
    expect(error.message).toContain('GET /services/srv-a/env-vars');
    expect(error.message).toContain('0.envVar.value');
  });

  it('fails on a page that is not a list', async () => {
    fake.seed('srv-a', { APP_A: 'a' });
    fake.fail({ route: 'env-vars.list', status: 200, body: { envVars: [] } });
    const error = await failureOf(renderAdapter.connect(renderSession()).read('srv-a'));
    expect(error.code).toBe('provider-response-invalid');
  });

  it('fails when a cursor comes back twice instead of reading forever', async () => {
    fake.seed('srv-a', numberedVariables('APP_', 100));
    const page = Array.from({ length: 100 }, (_, index) => ({ envVar: { key: `APP_${index}`, value: 'x' }, cursor: 'same' }));
    fake.fail({ route: 'env-vars.list', status: 200, body: page, times: 2 });
    const error = await failureOf(renderAdapter.connect(renderSession()).read('srv-a'));
    expect(error.code).toBe('provider-response-invalid');
    expect(fake.count('env-vars.list')).toBe(2);
  });

  it('names the service id and RENDER_SERVICE_ID when the service is unknown', async () => {
    const error = await failureOf(renderAdapter.connect(renderSession()).read('srv-missing'));
    expect(error.code).toBe('provider-not-found');
    expect(error.message).toContain('srv-missing');
    expect(error.message).toContain('RENDER_SERVICE_ID');
    expect(fake.count('env-vars.list')).toBe(1);
  });

  it('names where the token came from when Render rejects it, and never the token', async () => {
    fake.seed('srv-a', { APP_A: 'a' });
    const error = await failureOf(renderAdapter.connect(renderSession({ token: 'rnd_wrong_token' })).read('srv-a'));
    expect(error.code).toBe('provider-auth');
    expect(error.message).toContain('env:RENDER_API_TOKEN');
    expect(error.message).toContain('Render Dashboard');
    expect(error.message).not.toContain('rnd_wrong_token');
    expect(fake.count('env-vars.list', 401)).toBe(1);
  });

  it('retries a read that hit a 503 and then succeeds', async () => {
    fake.seed('srv-a', { APP_A: 'a' });
    fake.fail({ route: 'env-vars.list', status: 503, headers: { 'retry-after': '0' } });
    const remote = await renderAdapter.connect(renderSession()).read('srv-a');
    expect(remote.values).toHaveLength(1);
    expect(fake.count('env-vars.list')).toBe(2);
  });
});

describe('redeploying a service', () => {
  it('triggers one deploy with a JSON body and counts a 201 as success', async () => {
    fake.seed('srv-a');
    const outcome = await renderAdapter.connect(renderSession()).redeploy('srv-a');
    expect(outcome).toEqual({ status: 'triggered' });
    expect(fake.deployBodies('srv-a')).toEqual([{}]);
    expect(fake.count('deploys.create', 201)).toBe(1);
    expect(fake.deploys('srv-a')).toBe(1);
  });

  it('counts a 202 without a body as success', async () => {
    fake = new RenderFake({ deployStatus: 202 });
    server.use(renderHandler(fake));
    fake.seed('srv-a');
    const outcome = await renderAdapter.connect(renderSession()).redeploy('srv-a');
    expect(outcome).toEqual({ status: 'triggered' });
    expect(fake.count('deploys.create', 202)).toBe(1);
  });

  it('reports a deploy to an unknown service as failed, naming RENDER_SERVICE_ID', async () => {
    const outcome = await renderAdapter.connect(renderSession()).redeploy('srv-missing');
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('provider-not-found');
    expect(outcome.error?.message).toContain('RENDER_SERVICE_ID');
  });

  it('does not repeat a deploy whose answer was a 500', async () => {
    fake.seed('srv-a');
    fake.fail({ route: 'deploys.create', status: 500 });
    const outcome = await renderAdapter.connect(renderSession()).redeploy('srv-a');
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.retryable).toBe(true);
    expect(fake.count('deploys.create')).toBe(1);
  });

  it('does not spend the write budget of env-var changes', async () => {
    const clock = virtualClock();
    fake = new RenderFake({ now: clock.now });
    server.use(renderHandler(fake));
    fake.seed('srv-a', { APP_A: 'old' });
    const adapter = createRenderAdapter({ writesPerMinute: 1, now: clock.now, sleep: clock.sleep });
    const connection = adapter.connect(renderSession({ now: clock.now }));
    await connection.redeploy('srv-a');
    const { outcome } = await syncOnce(connection, 'srv-a', { APP_A: 'new' });
    expect(outcome.errors).toEqual([]);
    expect(fake.count('env-var.put')).toBe(1);
  });
});

describe('keeping values out of messages', () => {
  it('never puts a canary value into an error or a log line', async () => {
    const canary = 'CANARY-7f3a9c-do-not-leak';
    const logLines: string[] = [];
    fake.seed('srv-a', { APP_A: 'old', APP_B: 'old', OTHER: canary });
    fake.fail({ route: 'env-var.put', key: 'APP_A', status: 400, body: { message: `value ${canary} is not allowed` } });
    fake.fail({ route: 'env-var.put', key: 'APP_B', status: 500, body: { message: `upstream said ${canary}` } });
    const session = renderSession({ secrets: [canary], logLines });
    const { outcome } = await syncOnce(renderAdapter.connect(session), 'srv-a', { APP_A: canary, APP_B: canary });
    expect(outcome.errors.map((error) => error.code).sort()).toEqual(['outcome-unknown', 'provider-rejected']);
    const everything = [...outcome.errors.map((error) => `${error.message} ${String(error.key)}`), ...logLines].join('\n');
    expect(everything).toContain('may quote a value');
    expect(everything).not.toContain(canary);
    expect(JSON.stringify(fake.log)).not.toContain(canary);
  });

  it('keeps values out of the log of a replace-all write', async () => {
    const canary = 'CANARY-replace-all-0042';
    const logLines: string[] = [];
    fake.seed('srv-a', { ...numberedVariables('APP_', 20, 'old'), KEEP: canary });
    const session = renderSession({ secrets: [canary], logLines });
    const desired = numberedVariables('APP_', 20, canary);
    const { outcome } = await syncOnce(renderAdapter.connect(session), 'srv-a', desired, managedPolicy());
    expect(outcome.errors).toEqual([]);
    expect(fake.count('env-vars.replace')).toBe(1);
    expect(logLines.join('\n')).not.toContain(canary);
    expect(logLines.some((line) => line.includes('"path":"replace-all"'))).toBe(true);
  });
});
