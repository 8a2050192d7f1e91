import { describe, expect, it } from 'vitest';
import { useLocalBlobs } from '../../../test/support/blobs-server.ts';
import { MemoryProvider } from '../../../test/support/memory-provider.ts';
import { testEnv } from '../../../test/support/settings.ts';
import { createLogger } from '../../logging/logger.ts';
import type { ServiceDeps } from '../deps.ts';
import { serve, type Endpoint } from '../http/endpoint.ts';
import { backgroundEndpoint } from './background.ts';
import { eventsEndpoint } from './events.ts';
import { dryRunEndpoint } from './sync.ts';
import { triggerEndpoint } from './trigger.ts';

/** envsync-trigger with `new Request()`, memory providers and the real Blobs storage on a local BlobsServer. */

const blobs = useLocalBlobs();
const apiToken = 'unit-api-token-0123456789abcdef0123';
const readToken = 'unit-read-token-0123456789abcdef0123';
const base = 'http://localhost:8888/.netlify/functions';

function setup(env: Record<string, string> = {}) {
  const render = new MemoryProvider('render');
  const storage = blobs.open();
  const posted: Request[] = [];
  const deps: ServiceDeps = {
    env: testEnv({
      ENVSYNC_API_TOKEN: apiToken,
      ENVSYNC_READ_TOKEN: readToken,
      ENVSYNC_ALLOW_DELETIONS: 'true',
      ENVSYNC_DELETE_SCOPE: 'managed',
      APP_DB_PASSWORD: 'new-password',
      APP_NAME: 'envsync',
      APP_COLOR: 'blue',
      ...env,
    }),
    openStorage: () => storage,
    adapters: { render: render.adapter, netlify: new MemoryProvider('netlify').adapter, vercel: new MemoryProvider('vercel').adapter },
    logger: createLogger({ write: () => undefined }),
    fetch: (input, init) => {
      posted.push(new Request(input, init));
      return Promise.resolve(new Response(null, { status: 202 }));
    },
  };
  const call = async (endpoint: Endpoint, path: string, body?: unknown, token = apiToken) => {
    const init: RequestInit = { method: endpoint === eventsEndpoint ? 'GET' : 'POST', headers: { authorization: `Bearer ${token}` } };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const response = await serve(endpoint, new Request(`${base}${path}`, init), deps);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { render, storage, deps, posted, call };
}

const message = (body: Record<string, unknown>) => (body['error'] as { message: string }).message;

describe('SECRET_ROTATED', () => {
  it('writes only the rotated keys, deletes nothing, and leaves the other keys and their tickets alone', async () => {
    const s = setup();
    s.render.seed('srv-a', { APP_DB_PASSWORD: 'old-password', APP_NAME: 'stale', APP_LEFTOVER: 'x', OTHER: 'keep' });
    await s.call(dryRunEndpoint, '/envsync-dry-run/render');
    const ticketsBefore = await s.storage.tickets.list({ status: 'open' });
    expect(ticketsBefore).toHaveLength(1);
    s.render.operations.length = 0;

    const { status, body } = await s.call(triggerEndpoint, '/envsync-trigger', { type: 'SECRET_ROTATED', keys: ['APP_DB_PASSWORD'], reason: 'quarterly rotation' });

    expect(status).toBe(200);
    expect(s.render.values('srv-a')).toEqual({ APP_DB_PASSWORD: 'new-password', APP_NAME: 'stale', APP_LEFTOVER: 'x', OTHER: 'keep' });
    expect(s.render.operations).toEqual(['read srv-a', 'update APP_DB_PASSWORD']);
    const [report] = body['results'] as { changes: { key: string }[]; pending: unknown[]; skipped: unknown[] }[];
    expect(report?.changes.map((change) => change.key)).toEqual(['APP_DB_PASSWORD']);
    expect(report?.pending).toEqual([]);
    expect(report?.skipped).toEqual([]);
    expect(await s.storage.tickets.list({ status: 'open' })).toEqual(ticketsBefore);

    const events = (await s.call(eventsEndpoint, '/envsync-events?type=ENVSYNC_COMPLETE&limit=1')).body['events'] as Record<string, unknown>[];
    expect(events[0]).toMatchObject({ trigger: 'trigger', reason: 'quarterly rotation', outcome: 'applied', keys: ['APP_DB_PASSWORD'] });
  });

  it('refuses keys outside the canonical set or not managed, naming them, before touching any provider', async () => {
    const s = setup();
    s.render.seed('srv-a', {});

    const { status, body } = await s.call(triggerEndpoint, '/envsync-trigger', { type: 'SECRET_ROTATED', keys: ['APP_DB_PASSWORD', 'APP_NOT_THERE', 'DATABASE_URL'] });

    expect(status).toBe(400);
    expect(message(body)).toMatch(/not in the canonical set or not managed: APP_NOT_THERE, DATABASE_URL\./);
    expect(s.render.operations).toEqual([]);
  });

  it('in ENVSYNC_MODE=dry-run only plans the rotated keys', async () => {
    const s = setup({ ENVSYNC_MODE: 'dry-run' });
    s.render.seed('srv-a', { APP_DB_PASSWORD: 'old-password', APP_NAME: 'stale' });

    const { status, body } = await s.call(triggerEndpoint, '/envsync-trigger', { type: 'SECRET_ROTATED', keys: ['APP_DB_PASSWORD'] });

    expect(status).toBe(200);
    expect(body['note']).toMatch(/ENVSYNC_MODE is dry-run/);
    expect(s.render.values('srv-a')).toEqual({ APP_DB_PASSWORD: 'old-password', APP_NAME: 'stale' });
    expect((body['results'] as { pending: { key: string }[] }[])[0]?.pending.map((change) => change.key)).toEqual(['APP_DB_PASSWORD']);
  });

  it('fans a fleet out to the background function, which still writes only the rotated keys', async () => {
    const fleet = Array.from({ length: 9 }, (_, index) => `srv-${index + 1}`);
    const s = setup({ RENDER_SERVICE_ID: fleet.join(',') });
    for (const id of fleet) s.render.seed(id, { APP_DB_PASSWORD: 'old-password', APP_NAME: 'stale' });

    const queued = await s.call(triggerEndpoint, '/envsync-trigger', { type: 'SECRET_ROTATED', keys: ['APP_DB_PASSWORD'], reason: 'leak drill' });
    expect(queued.status).toBe(202);
    const response = await serve(backgroundEndpoint, s.posted[0] as Request, s.deps);

    expect(response.status).toBe(200);
    for (const id of fleet) expect(s.render.values(id)).toEqual({ APP_DB_PASSWORD: 'new-password', APP_NAME: 'stale' });
    const events = (await s.call(eventsEndpoint, '/envsync-events?type=ENVSYNC_COMPLETE&limit=200')).body['events'] as { reason: string; trigger: string }[];
    expect(events).toHaveLength(9);
    expect(events.every((event) => event.reason === 'leak drill' && event.trigger === 'trigger')).toBe(true);
  });
});

describe('EMERGENCY_SYNC', () => {
  it('applies everything now, even with the schedule off', async () => {
    const s = setup({ ENVSYNC_SCHEDULE: 'off' });
    s.render.seed('srv-a', { APP_DB_PASSWORD: 'old-password', APP_LEFTOVER: 'x' });

    const { status } = await s.call(triggerEndpoint, '/envsync-trigger', { type: 'EMERGENCY_SYNC' });

    expect(status).toBe(200);
    expect(s.render.values('srv-a')).toEqual({ APP_DB_PASSWORD: 'new-password', APP_NAME: 'envsync', APP_COLOR: 'blue' });
  });
});

describe('bad trigger requests', () => {
  it.each([
    ['no body', undefined, /"type" to be one of SECRET_ROTATED, EMERGENCY_SYNC/],
    ['an unknown type', { type: 'REBOOT' }, /"type" to be one of SECRET_ROTATED, EMERGENCY_SYNC/],
    ['not JSON', '{"type":', /not valid JSON/],
    ['SECRET_ROTATED without keys', { type: 'SECRET_ROTATED' }, /keys/],
    ['an empty key list', { type: 'SECRET_ROTATED', keys: [] }, /at least one key/],
    ['a reason over 200 characters', { type: 'EMERGENCY_SYNC', reason: 'x'.repeat(201) }, /reason: expected at most 200 characters/],
    ['an unknown field', { type: 'EMERGENCY_SYNC', force: true }, /force/],
  ])('%s is a 400 and touches nothing', async (_name, body, expected) => {
    const s = setup();
    s.render.seed('srv-a', {});

    const result = await s.call(triggerEndpoint, '/envsync-trigger', body);

    expect(result.status).toBe(400);
    expect(message(result.body)).toMatch(expected);
    expect(s.render.operations).toEqual([]);
  });

  it('refuses the read token with 403', async () => {
    const s = setup();
    const result = await s.call(triggerEndpoint, '/envsync-trigger', { type: 'EMERGENCY_SYNC' }, readToken);
    expect(result.status).toBe(403);
    expect(s.render.operations).toEqual([]);
  });
});
