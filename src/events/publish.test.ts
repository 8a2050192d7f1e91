import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createReceiver, verifyEnvSyncWebhook } from '../../docs/examples/webhook-receiver.js';
import { makeReport, useLocalBlobs } from '../../test/support/blobs-server.ts';
import { startLocalServer, type LocalServer } from '../../test/support/local-server.ts';
import { testSettings } from '../../test/support/settings.ts';
import { slackIncomingWebhookSchema } from '../../test/support/slack-schema.ts';
import { createLogger } from '../logging/logger.ts';
import { createPublisher, type PublishContext } from './publish.ts';
import { signWebhook, verifyWebhook } from './signing.ts';
import type { EnvSyncEvent } from './types.ts';

/**
 * Publishing against real receivers on 127.0.0.1: the documented Node receiver (which verifies the
 * signature and the timestamp), a flaky, a refusing, a redirecting and a silent one, and a Slack
 * stand-in whose payloads are checked against Slack's Block Kit limits. Storage is the real local
 * BlobsServer.
 */

const secret = 'whsec-test-0123456789abcdef';
const blobs = useLocalBlobs();
const verifyExample = verifyEnvSyncWebhook as (args: { secret: string; signature: string; timestamp: string; body: string; nowSeconds?: number }) => string | undefined;

let receiver: Server;
let receiverUrl: string;
let received: EnvSyncEvent[];
let flaky: LocalServer;
let flakyCalls = 0;
let refusing: LocalServer;
let redirecting: LocalServer;
let silent: LocalServer;
let slack: LocalServer;
let slackBodies: unknown[];
let slackStatus = 200;

function collect(req: IncomingMessage, done: (body: string) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
}

beforeAll(async () => {
  received = [];
  receiver = (createReceiver)({ secret, onEvent: (event: EnvSyncEvent) => received.push(event) });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/envsync`;
  flaky = await startLocalServer((_req, res) => void res.writeHead(++flakyCalls === 1 ? 503 : 204).end());
  refusing = await startLocalServer((_req, res) => void res.writeHead(400).end('no'));
  redirecting = await startLocalServer((_req, res) => void res.writeHead(302, { location: receiverUrl }).end());
  silent = await startLocalServer(() => undefined);
  slackBodies = [];
  slack = await startLocalServer((req: IncomingMessage, res: ServerResponse) =>
    collect(req, (body) => {
      slackBodies.push(JSON.parse(body));
      res.writeHead(slackStatus, { 'content-type': 'text/plain' }).end(slackStatus === 200 ? 'ok' : 'invalid_payload');
    }),
  );
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  await Promise.all([flaky, refusing, redirecting, silent, slack].map((server) => server.close()));
});

beforeEach(() => {
  received.length = 0;
  slackBodies.length = 0;
  slackStatus = 200;
});

function context(env: Record<string, string>, storage = blobs.open()): PublishContext & { storage: ReturnType<typeof blobs.open>; lines: string[] } {
  const lines: string[] = [];
  return {
    settings: testSettings({ ENVSYNC_WEBHOOK_SECRET: secret, ...env }),
    storage,
    fetch: globalThis.fetch,
    now: Date.now,
    logger: createLogger({ write: (line) => lines.push(line) }),
    siteUrl: 'https://envsync.example.netlify.app',
    retryBaseMs: 5,
    lines,
  };
}

const drift = (keys: readonly string[], runId: string) =>
  makeReport({ runId, mode: 'dry-run', pending: keys.map((key) => ({ op: 'update' as const, key })), summary: { create: 0, update: keys.length, delete: 0, noop: 1 } });

describe('webhook signatures', () => {
  it('the documented receiver accepts what EnvSync signs, and refuses a tampered body, another secret and an old timestamp', () => {
    const now = 1_780_000_000;
    const body = '{"id":"e1"}';
    const signature = signWebhook(secret, now, body);
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyExample({ secret, signature, timestamp: String(now), body, nowSeconds: now + 299 })).toBeUndefined();
    expect(verifyExample({ secret, signature, timestamp: String(now), body: '{"id":"e2"}', nowSeconds: now })).toBe('bad signature');
    expect(verifyExample({ secret: 'another-secret-0123456789', signature, timestamp: String(now), body, nowSeconds: now })).toBe('bad signature');
    expect(verifyExample({ secret, signature, timestamp: String(now), body, nowSeconds: now + 301 })).toBe('timestamp older than 5 minutes');
    expect(verifyWebhook(secret, { signature, timestamp: String(now) }, body, now)).toBeUndefined();
    expect(verifyWebhook(secret, { signature, timestamp: String(now) }, body, now + 301)).toBe('stale');
  });
});

describe('webhooks', () => {
  it('sends each event of a run once, signed, to a receiver that verifies signature and timestamp, and logs the outcome', async () => {
    const ctx = context({ ENVSYNC_WEBHOOK_URLS: receiverUrl });
    const publisher = createPublisher({ trigger: 'schedule' }, ctx);

    const warnings = await publisher.publish([drift(['APP_B', 'APP_A'], 'run-1')]);

    expect(warnings).toEqual([]);
    expect(received.map((event) => event.type).sort()).toEqual(['ENVSYNC_COMPLETE', 'ENVSYNC_DRIFT_DETECTED']);
    const driftEvent = received.find((event) => event.type === 'ENVSYNC_DRIFT_DETECTED');
    expect(driftEvent).toMatchObject({ runId: 'run-1', provider: 'render', target: 'srv-one', trigger: 'schedule', outcome: 'planned', keys: ['APP_A', 'APP_B'], keyCount: 2, counts: { pending: 2, update: 2 } });
    const logged = await ctx.storage.events.list();
    expect(logged).toHaveLength(2);
    expect(logged.every((record) => record.deliveries.length === 1 && record.deliveries[0]?.ok === true && record.deliveries[0].attempts === 1)).toBe(true);
    expect(logged[0]?.deliveries[0]).toMatchObject({ destination: 'webhook', index: 1, host: '127.0.0.1', status: 204 });
  });

  it('adds FAILED beside COMPLETE for a target whose token discovery failed', async () => {
    const ctx = context({ ENVSYNC_WEBHOOK_URLS: receiverUrl });
    const failed = makeReport({ errors: [{ code: 'token-missing', message: 'No RENDER_API_TOKEN found.' }], rounds: 0, summary: { create: 0, update: 0, delete: 0, noop: 0 } });
    await createPublisher({ trigger: 'trigger', reason: 'rotation drill' }, ctx).publish([failed]);
    expect(received.map((event) => [event.type, event.outcome, event.reason, event.errorCodes])).toEqual(
      expect.arrayContaining([
        ['ENVSYNC_COMPLETE', 'failed', 'rotation drill', ['token-missing']],
        ['ENVSYNC_FAILED', 'failed', 'rotation drill', ['token-missing']],
      ]),
    );
    expect(received).toHaveLength(2);
  });

  it('retries a 503 and stops there once it succeeds; never retries a 400', async () => {
    flakyCalls = 0;
    const before = refusing.requests.length;
    const ctx = context({ ENVSYNC_WEBHOOK_URLS: `${flaky.url}/a,${refusing.url}/b` });
    await createPublisher({ trigger: 'api' }, ctx).publish([makeReport({ runId: 'run-retry' })]);

    expect(flakyCalls).toBe(2);
    expect(refusing.requests.length - before).toBe(1);
    const [record] = await ctx.storage.events.list();
    expect(record?.deliveries).toEqual([
      { destination: 'webhook', index: 1, host: '127.0.0.1', ok: true, status: 204, attempts: 2 },
      { destination: 'webhook', index: 2, host: '127.0.0.1', ok: false, status: 400, attempts: 1, error: 'http' },
    ]);
  });

  it('never follows a redirect: the payload reaches only the configured URL', async () => {
    const ctx = context({ ENVSYNC_WEBHOOK_URLS: `${redirecting.url}/moved` });
    await createPublisher({ trigger: 'api' }, ctx).publish([makeReport({ runId: 'run-redirect' })]);

    expect(received).toEqual([]);
    const [record] = await ctx.storage.events.list();
    expect(record?.deliveries).toEqual([{ destination: 'webhook', index: 1, host: '127.0.0.1', ok: false, status: 302, attempts: 1, error: 'redirect' }]);
  });

  it('gives up on a silent receiver by the run deadline, and a later batch of the same run sends nothing once it is spent', async () => {
    const before = silent.requests.length;
    const ctx = context({ ENVSYNC_WEBHOOK_URLS: `${silent.url}/slow`, ENVSYNC_WEBHOOK_TIMEOUT_MS: '150', ENVSYNC_WEBHOOK_DEADLINE_MS: '400', ENVSYNC_WEBHOOK_ATTEMPTS: '5' });
    const publisher = createPublisher({ trigger: 'api' }, ctx);

    await publisher.publish([makeReport({ runId: 'run-slow', target: 'srv-one' })]);
    await publisher.publish([makeReport({ runId: 'run-slow', target: 'srv-two' })]);

    const records = await ctx.storage.events.list();
    const first = records.find((record) => record.target === 'srv-one')?.deliveries[0];
    const second = records.find((record) => record.target === 'srv-two')?.deliveries[0];
    expect(first).toMatchObject({ ok: false, error: 'timeout' });
    // Attempts fit the deadline: 150 ms each within 400 ms leaves room for at most three (on a
    // loaded machine one attempt can take the whole deadline, so only the upper bound is a rule).
    expect(first?.attempts).toBeGreaterThanOrEqual(1);
    expect(first?.attempts).toBeLessThanOrEqual(3);
    expect(second).toMatchObject({ ok: false, attempts: 0, error: 'time-bound' });
    expect(silent.requests.length - before).toBe(first?.attempts);
  });

  it('keeps the secret, the receiver URLs and the Slack path out of the events log and the logs', async () => {
    const slackUrl = `${slack.url}/services/T000/B000/slack-path-secret`;
    const ctx = context({ ENVSYNC_WEBHOOK_URLS: `${receiverUrl}?token=query-secret`, ENVSYNC_SLACK_WEBHOOK_URL: slackUrl });
    await createPublisher({ trigger: 'api' }, ctx).publish([drift(['APP_A'], 'run-leak')]);

    const stored = (await blobs.files()).map((file) => file.content).join('\n') + ctx.lines.join('\n');
    expect(received.length).toBe(2);
    for (const needle of [secret, 'query-secret', 'slack-path-secret', '/services/T000']) expect(stored).not.toContain(needle);
  });
});

describe('Slack drift alerts', () => {
  it('posts once per target and ticket, again for a new key set, and one resolved message', async () => {
    const storage = blobs.open();
    const ctx = context({ ENVSYNC_SLACK_WEBHOOK_URL: `${slack.url}/services/x` }, storage);
    const run = (report: ReturnType<typeof makeReport>) => createPublisher({ trigger: 'schedule' }, ctx).publish([report]);

    await run(drift(['APP_A', 'APP_B'], 'run-1'));
    await run(drift(['APP_B', 'APP_A'], 'run-2'));
    expect(slackBodies).toHaveLength(1);

    await run(drift(['APP_A', 'APP_B', 'APP_C'], 'run-3'));
    expect(slackBodies).toHaveLength(2);

    await run(makeReport({ runId: 'run-4' }));
    await run(makeReport({ runId: 'run-5' }));
    expect(slackBodies).toHaveLength(3);

    const texts = slackBodies.map((body) => slackIncomingWebhookSchema.parse(body).text);
    expect(texts[0]).toMatch(/^EnvSync: drift on render srv-one: 2 change\(s\) pending \(dry-run mode\)/);
    expect(texts[2]).toMatch(/drift resolved on render srv-one/);
    expect(JSON.stringify(slackBodies[1])).toContain('`APP_C`');
    expect(JSON.stringify(slackBodies[0])).toContain('https://envsync.example.netlify.app/.netlify/functions/envsync-runs?provider=render&target=srv-one|Run run-1');
  });

  it('lists at most 20 key names, and every payload fits Block Kit', async () => {
    const ctx = context({ ENVSYNC_SLACK_WEBHOOK_URL: `${slack.url}/services/x` });
    const keys = Array.from({ length: 25 }, (_, i) => `APP_KEY_${String(i).padStart(2, '0')}`);
    await createPublisher({ trigger: 'schedule' }, ctx).publish([drift(keys, 'run-many')]);

    const message = slackIncomingWebhookSchema.parse(slackBodies[0]);
    const listed = JSON.stringify(message).match(/`APP_KEY_\d\d`/g) ?? [];
    expect(listed).toHaveLength(20);
    expect(JSON.stringify(message)).toContain('and 5 more');
  });

  it('alerts a failure, and alerts again on the next run when Slack refused the first message', async () => {
    const ctx = context({ ENVSYNC_SLACK_WEBHOOK_URL: `${slack.url}/services/x` });
    const failure = (runId: string) => makeReport({ runId, errors: [{ code: 'provider-auth', message: 'Render rejected the token.' }] });
    slackStatus = 500;
    await createPublisher({ trigger: 'schedule' }, ctx).publish([failure('run-1')]);
    slackStatus = 200;
    await createPublisher({ trigger: 'schedule' }, ctx).publish([failure('run-2')]);
    await createPublisher({ trigger: 'schedule' }, ctx).publish([failure('run-3')]);

    // run-1: 500 retried up to 3 attempts; run-2 posts and is remembered; run-3 is silent.
    expect(slackBodies).toHaveLength(4);
    expect(slackIncomingWebhookSchema.parse(slackBodies[3]).text).toBe('EnvSync: sync failed on render srv-one: provider-auth');
    const failedEvent = (await ctx.storage.events.list({ types: ['ENVSYNC_FAILED'] })).at(-1);
    expect(failedEvent?.deliveries).toEqual([{ destination: 'slack', host: '127.0.0.1', ok: false, status: 500, attempts: 3, error: 'http' }]);
  });

  it('in a run over a few keys (SECRET_ROTATED), neither alerts drift nor resolves', async () => {
    const storage = blobs.open();
    const ctx = context({ ENVSYNC_SLACK_WEBHOOK_URL: `${slack.url}/services/x` }, storage);
    await createPublisher({ trigger: 'schedule' }, ctx).publish([drift(['APP_A'], 'run-1')]);
    await createPublisher({ trigger: 'trigger' }, { ...ctx, scope: 'keys' }).publish([makeReport({ runId: 'run-2' })]);
    await createPublisher({ trigger: 'trigger' }, { ...ctx, scope: 'keys' }).publish([drift(['APP_B'], 'run-3')]);
    expect(slackBodies).toHaveLength(1);
  });
});
