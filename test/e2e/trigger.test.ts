import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiver } from '../../docs/examples/webhook-receiver.js';
import type { EnvSyncEvent } from '../../src/events/types.ts';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { demoCanonical, demoTargets } from '../emulator/sample-data.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { apiToken, eventually, fn, runtimeEnv, syncBodyOf } from './setup.ts';

/**
 * envsync-trigger through the real local runtime, against the emulator, with the documented Node
 * webhook receiver (which refuses anything not signed with the shared secret or older than 5
 * minutes) listening on 127.0.0.1.
 *
 * Every target is first brought in sync; then two managed keys drift on a Render service. A
 * SECRET_ROTATED for one of them writes exactly that key on every target that needs it and leaves
 * the other drifted key as it is; EMERGENCY_SYNC then repairs the rest.
 */

const secret = 'e2e-webhook-secret-6b1f0c9d2a7e';

let emulator: Emulator;
let runtime: Runtime;
let receiver: Server;
const received: EnvSyncEvent[] = [];

beforeAll(async () => {
  receiver = (createReceiver)({ secret, onEvent: (event: EnvSyncEvent) => received.push(event) });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/envsync`;
  emulator = await startEmulator({ render: { writesPerMinute: false, readsPerMinute: false } });
  runtime = await startRuntime({ env: runtimeEnv(emulator, { ENVSYNC_WEBHOOK_URLS: hook, ENVSYNC_WEBHOOK_SECRET: secret }) });
  const first = await runtime.call('POST', fn('apply-all'), { token: apiToken });
  expect(first.status).toBe(200);
}, 240_000);

afterAll(async () => {
  await runtime?.stop();
  await emulator?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

const trigger = (body: unknown) => runtime.call('POST', fn('trigger'), { token: apiToken, body });
const service = demoTargets.render[0];

describe('envsync-trigger', { timeout: 120_000 }, () => {
  it('SECRET_ROTATED writes only the named key, deletes nothing, and leaves another drifted key alone', async () => {
    emulator.render.seed(service, { APP_API_URL: 'https://stale.example.com', APP_LOG_LEVEL: 'trace' });
    emulator.render.clearLog();
    const writesBefore = emulator.writeCount();
    received.length = 0;

    const result = await trigger({ type: 'SECRET_ROTATED', keys: ['APP_API_URL'], reason: 'rotated in the e2e test' });

    expect(result.status, result.text).toBe(200);
    const variables = emulator.render.variables(service);
    expect(variables['APP_API_URL']).toBe(demoCanonical['APP_API_URL']);
    expect(variables['APP_LOG_LEVEL']).toBe('trace');
    const renderWrites = emulator.render.log.filter((entry) => entry.method !== 'GET');
    expect(renderWrites.map((entry) => [entry.method, entry.serviceId, entry.key])).toEqual([['PUT', service, 'APP_API_URL']]);
    // The only write of the whole run, across every provider: the other targets already held the key.
    expect(emulator.writeCount() - writesBefore).toBe(1);
    expect(emulator.render.log.some((entry) => entry.method === 'DELETE')).toBe(false);
  });

  it('its events reach the signed webhook and the events log with the trigger and the reason, naming only that key', async () => {
    const targets = demoTargets.render.length + demoTargets.netlify.length;
    const delivered = await eventually(() => Promise.resolve(received.filter((event) => event.type === 'ENVSYNC_COMPLETE').length >= targets ? received : undefined), 30_000, 'webhooks');
    const complete = delivered.filter((event) => event.type === 'ENVSYNC_COMPLETE');
    expect(complete.map((event) => [event.trigger, event.reason])).toEqual(complete.map(() => ['trigger', 'rotated in the e2e test']));
    expect(complete.find((event) => event.target === service)?.keys).toEqual(['APP_API_URL']);

    const log = await runtime.call('GET', `${fn('events')}?type=ENVSYNC_COMPLETE&target=${service}&limit=1`, { token: apiToken });
    expect(log.status).toBe(200);
    const [newest] = (log.json as { events: (EnvSyncEvent & { deliveries: { destination: string; status?: number }[] })[] }).events;
    expect(newest).toMatchObject({ trigger: 'trigger', reason: 'rotated in the e2e test', outcome: 'applied', keys: ['APP_API_URL'] });
    expect(newest?.deliveries.map((delivery) => [delivery.destination, delivery.status])).toEqual([['webhook', 204]]);
  });

  it('refuses keys outside the canonical set, and unknown types, with 400s that name the fix, writing nothing', async () => {
    const writesBefore = emulator.writeCount();

    const unknownKey = await trigger({ type: 'SECRET_ROTATED', keys: ['APP_API_URL', 'APP_NOT_THERE'] });
    const unknownType = await trigger({ type: 'ROTATE_EVERYTHING' });
    const longReason = await trigger({ type: 'EMERGENCY_SYNC', reason: 'x'.repeat(201) });

    expect(unknownKey.status).toBe(400);
    expect(unknownKey.text).toContain('APP_NOT_THERE');
    expect(unknownType.status).toBe(400);
    expect(unknownType.text).toMatch(/SECRET_ROTATED|EMERGENCY_SYNC/);
    expect(longReason.status).toBe(400);
    expect(emulator.writeCount()).toBe(writesBefore);
  });

  it('EMERGENCY_SYNC applies everything now: the key SECRET_ROTATED left alone is repaired too', async () => {
    const result = await trigger({ type: 'EMERGENCY_SYNC', reason: 'incident 42' });

    expect(result.status, result.text).toBe(200);
    expect(emulator.render.variables(service)['APP_LOG_LEVEL']).toBe(demoCanonical['APP_LOG_LEVEL']);
    const body = syncBodyOf(result);
    expect(body.summary).toMatchObject({ targets: demoTargets.render.length + demoTargets.netlify.length, withErrors: 0 });
  });

  it('a wrong token may not trigger', async () => {
    const refused = await runtime.call('POST', fn('trigger'), { token: 'not-the-api-token-0123456789abcdef', body: { type: 'EMERGENCY_SYNC' } });
    expect(refused.status).toBe(401);
  });
});
