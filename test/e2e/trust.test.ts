import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { demoCanonical, demoTargets } from '../emulator/sample-data.ts';
import { startRuntime, type CallResult, type Runtime } from './runtime.ts';
import { apiToken, fn, runtimeEnv, secretsOf, syncBodyOf } from './setup.ts';

/**
 * Reviewed plans, rollback and the change history through the real local Netlify runtime, against
 * the provider emulator. The canonical set is a file, so a test can change it between two runs.
 * The tests run in order and build on each other, like a person's afternoon with EnvSync.
 */

let emulator: Emulator;
let runtime: Runtime;
let secrets: string[];
let folder: string;
let canonicalFile: string;

const [api, worker] = demoTargets.render;
const [site] = demoTargets.netlify;

async function writeCanonical(values: Readonly<Record<string, string>>): Promise<void> {
  await writeFile(canonicalFile, Object.entries(values).map(([key, value]) => `${key}=${value}`).join('\n'));
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'envsync-trust-'));
  canonicalFile = join(folder, 'canonical.env');
  await writeCanonical(demoCanonical);
  emulator = await startEmulator({ render: { writesPerMinute: false, readsPerMinute: false } });
  const env = runtimeEnv(emulator, { ENVSYNC_CANONICAL_FILE: canonicalFile, ENVSYNC_ALLOW_DELETIONS: 'true' });
  for (const key of Object.keys(demoCanonical)) env[key] = undefined;
  secrets = secretsOf(env);
  runtime = await startRuntime({ env });
});

afterAll(async () => {
  await runtime?.stop();
  await emulator?.stop();
  if (folder !== undefined) await rm(folder, { recursive: true, force: true });
});

const authed = (method: string, path: string, body?: unknown) => runtime.call(method, path, { token: apiToken, ...(body === undefined ? {} : { body }) });

function expectNoSecret(result: CallResult) {
  for (const secret of secrets) expect(result.text).not.toContain(secret);
}


describe('reviewed plans', () => {
  it('a planId applied after the target changed is a 409 naming the moved key, and nothing is written', async () => {
    const dry = await authed('POST', fn('dry-run', '/render'));
    expect(dry.status).toBe(200);
    const planId = (dry.json as { planId: string }).planId;
    expect(planId).toMatch(/^plan-/);
    expect(syncBodyOf(dry).results.map((report) => report.planId)).toEqual([planId, planId]);
    emulator.render.seed(api, { APP_LOG_LEVEL: 'warn' });
    const writes = emulator.writeCount();

    const stale = await authed('POST', fn('apply', '/render'), { planId });

    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({
      error: { code: 'stale-plan', message: expect.stringMatching(new RegExp(`render ${api}: APP_LOG_LEVEL.*Nothing was written`)) as unknown },
      moved: [{ provider: 'render', target: api, slots: [{ key: 'APP_LOG_LEVEL', why: 'target-changed' }] }],
    });
    expect(emulator.writeCount()).toBe(writes);
    expectNoSecret(stale);
  });

  it('a planId applied unchanged writes exactly the plan: a key added to the canonical set since waits', async () => {
    const dry = await authed('POST', fn('dry-run', '/render'));
    const planId = (dry.json as { planId: string }).planId;
    const planned = syncBodyOf(dry).results.map((report) => [report.target, report.changes.filter((change) => change.op !== 'noop').map((change) => `${change.op} ${change.key}`)]);
    await writeCanonical({ ...demoCanonical, APP_LATE: 'added-after-review' });
    emulator.render.clearLog();

    const applied = await authed('POST', fn('apply', '/render'), { planId });

    expect(applied.status).toBe(200);
    const results = syncBodyOf(applied).results;
    expect(results.map((report) => [report.target, report.changes.filter((change) => change.op !== 'noop').map((change) => `${change.op} ${change.key}`)])).toEqual(planned);
    expect(results.map((report) => report.skipped)).toEqual([
      [{ op: 'create', key: 'APP_LATE', reason: 'not-in-plan' }],
      [{ op: 'create', key: 'APP_LATE', reason: 'not-in-plan' }],
    ]);
    expect(emulator.render.variables(api)).toEqual({ ...demoCanonical, DATABASE_URL: expect.any(String) as unknown });
    expect(emulator.render.variables(worker)).toEqual({ ...demoCanonical, REDIS_URL: expect.any(String) as unknown });
    await writeCanonical(demoCanonical);
  });

  it('an unknown planId is a 404 that says to run a new dry-run', async () => {
    const result = await authed('POST', fn('apply-all'), { planId: 'plan-0000000000001-00000000' });

    expect(result.status).toBe(404);
    expect(result.json).toMatchObject({ error: { code: 'not-found', message: expect.stringMatching(/Run a new dry-run/) as unknown } });
  });
});

/** Every managed (APP_) slot of the three targets, as the emulator holds them. */
function managedState() {
  const pick = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).filter(([key]) => key.startsWith('APP_')));
  const netlify = Object.fromEntries(emulator.netlify.keys(site).filter((key) => key.startsWith('APP_')).map((key) => [key, emulator.netlify.values(site, key)]));
  return { api: pick(emulator.render.variables(api)), worker: pick(emulator.render.variables(worker)), site: netlify };
}

interface RollbackBody {
  runId: string;
  undoes: string;
  mode: string;
  targets: { provider: string; target: string; held: boolean; slots: { key: string; action: string }[] }[];
}

describe('rollback and change history', () => {
  let undone = '';
  let rollbackRunId = '';
  let before: ReturnType<typeof managedState>;
  const changed = { ...demoCanonical, APP_LOG_LEVEL: 'error', APP_NEW_KEY: 'fresh-value' } as Record<string, string>;
  delete changed['APP_SUPPORT_EMAIL'];

  it('an apply changes, creates and deletes keys on every target', async () => {
    before = managedState();
    await writeCanonical(changed);

    const result = await authed('POST', fn('apply-all'), undefined);

    expect(result.status).toBe(200);
    undone = (result.json as { runId: string }).runId;
    expect(emulator.render.variables(api)).toMatchObject({ APP_LOG_LEVEL: 'error', APP_NEW_KEY: 'fresh-value' });
    expect(emulator.render.variables(api)['APP_SUPPORT_EMAIL']).toBeUndefined();
    expect(emulator.netlify.values(site, 'APP_NEW_KEY')).toEqual({ all: 'fresh-value' });
  });

  it('the dry-run form shows the rollback plan per key and writes nothing', async () => {
    emulator.render.seed(worker, { APP_LOG_LEVEL: 'changed-by-hand' });
    const writes = emulator.writeCount();

    const result = await authed('POST', fn('rollback'), { runId: undone, dryRun: true });

    expect(result.status).toBe(200);
    const body = result.json as RollbackBody;
    expect(body).toMatchObject({ undoes: undone, mode: 'dry-run' });
    const actions = Object.fromEntries(body.targets.map((item) => [item.target, Object.fromEntries(item.slots.map((slot) => [slot.key, slot.action]))]));
    expect(actions[api]).toEqual({ APP_LOG_LEVEL: 'restore', APP_NEW_KEY: 'remove', APP_SUPPORT_EMAIL: 'recreate' });
    expect(actions[worker]).toEqual({ APP_LOG_LEVEL: 'changed-since', APP_NEW_KEY: 'remove', APP_SUPPORT_EMAIL: 'recreate' });
    expect(emulator.writeCount()).toBe(writes);
    expectNoSecret(result);
  });

  it('a rollback leaves every managed slot as before the apply, except the one changed since, which it leaves alone', async () => {
    const result = await authed('POST', fn('rollback'), { runId: undone, reason: 'the error level hid a bug' });

    expect(result.status).toBe(200);
    const body = result.json as RollbackBody;
    rollbackRunId = body.runId;
    expect(body.targets.map((item) => [item.target, item.held]).sort()).toEqual([
      [site, true],
      [api, true],
      [worker, true],
    ]);
    expect(managedState()).toEqual({ ...before, worker: { ...before.worker, APP_LOG_LEVEL: 'changed-by-hand' } });
    expectNoSecret(result);
  });

  it('a scheduled run after the rollback leaves the held slots alone and reports them held', async () => {
    const held = managedState();

    await runtime.call('POST', fn('scheduled'));

    // The slot changed by hand was not rolled back, so it is not held: the schedule syncs it as usual.
    expect(managedState()).toEqual({ ...held, worker: { ...held.worker, APP_LOG_LEVEL: 'error' } });
    const runs = (await authed('GET', `${fn('runs')}?target=${api}&limit=1`)).json as { runs: { skipped: { key: string; reason: string; heldBy?: string }[] }[] };
    expect(runs.runs[0]?.skipped).toEqual(
      expect.arrayContaining([{ op: 'update', key: 'APP_LOG_LEVEL', reason: 'held', heldBy: rollbackRunId }, { op: 'create', key: 'APP_NEW_KEY', reason: 'held', heldBy: rollbackRunId }]),
    );
    // Tickets, events and health show the target as held, not in sync, naming the held keys.
    const tickets = (await authed('GET', `${fn('tickets')}?target=${api}&status=open`)).json as { tickets: { kind: string; keys: string[]; codes: string[]; summary: string }[] };
    const drift = tickets.tickets.find((ticket) => ticket.kind === 'drift' && ticket.codes.includes('held'));
    expect(drift?.keys).toEqual(expect.arrayContaining(['APP_LOG_LEVEL', 'APP_NEW_KEY']));
    expect(drift?.summary).toContain(`held by rollback ${rollbackRunId}`);
    const events = (await authed('GET', `${fn('events')}?type=ENVSYNC_COMPLETE&target=${api}&limit=1`)).json as { events: { outcome: string; keys: string[]; trigger: string }[] };
    expect(events.events[0]).toMatchObject({ outcome: 'held', trigger: 'schedule' });
    expect(events.events[0]?.keys).toEqual(expect.arrayContaining(['APP_LOG_LEVEL', 'APP_NEW_KEY']));
    const health = (await authed('GET', fn('health'))).json as { targets: { id: string; lastSync?: { inSync: boolean } | null }[] };
    expect(health.targets.find((target) => target.id === api)?.lastSync?.inSync).toBe(false);
  });

  it('a held key is written again once its canonical value changes; the rest once the hold is released', async () => {
    await writeCanonical({ ...changed, APP_LOG_LEVEL: 'fixed-level' });
    await runtime.call('POST', fn('scheduled'));
    expect(emulator.render.variables(api)['APP_LOG_LEVEL']).toBe('fixed-level');
    expect(emulator.render.variables(api)['APP_NEW_KEY']).toBeUndefined();

    const released = await authed('POST', fn('rollback'), { release: api });
    expect(released.status).toBe(200);
    await runtime.call('POST', fn('scheduled'));

    expect(emulator.render.variables(api)).toMatchObject({ APP_LOG_LEVEL: 'fixed-level', APP_NEW_KEY: 'fresh-value' });
    expect(emulator.render.variables(worker)['APP_NEW_KEY']).toBeUndefined();
  });

  it('the history answers who changed APP_LOG_LEVEL, across targets and runs, newest first, without a value', async () => {
    const result = await authed('GET', `${fn('history')}?key=APP_LOG_LEVEL`);

    expect(result.status).toBe(200);
    const entries = (result.json as { entries: { at: string; runId: string; target: string; trigger: string; op: string; reason?: string; undoes?: string }[] }).entries;
    expect(entries.map((entry) => entry.at)).toEqual([...entries.map((entry) => entry.at)].sort().reverse());
    expect(new Set(entries.map((entry) => entry.target))).toEqual(new Set([api, worker, site]));
    expect(new Set(entries.map((entry) => entry.runId)).size).toBeGreaterThanOrEqual(3);
    expect(entries.find((entry) => entry.trigger === 'rollback')).toMatchObject({ runId: rollbackRunId, undoes: undone, reason: 'the error level hid a bug' });
    expect(entries.filter((entry) => entry.runId === undone).map((entry) => entry.target).sort()).toEqual([api, site, worker].sort());
    expect(entries[0]).toMatchObject({ trigger: 'schedule', op: 'update' });
    expect(result.text).not.toMatch(/fixed-level|changed-by-hand|"error"/);
    expectNoSecret(result);

    const one = await authed('GET', `${fn('history')}?key=APP_LOG_LEVEL&target=${site}`);
    expect(new Set((one.json as { entries: { target: string }[] }).entries.map((entry) => entry.target))).toEqual(new Set([site]));

    const first = await authed('GET', `${fn('history')}?key=APP_LOG_LEVEL&limit=2`);
    const page = first.json as { entries: unknown[]; next?: string };
    expect(page.entries).toHaveLength(2);
    const second = await authed('GET', `${fn('history')}?key=APP_LOG_LEVEL&limit=50&cursor=${page.next ?? ''}`);
    expect([...page.entries, ...(second.json as { entries: unknown[] }).entries]).toEqual(entries);
  });

  it('no snapshot or history blob in the Blobs sandbox holds a value in plaintext', async () => {
    const files = await runtime.blobFiles();
    expect(files.filter((file) => file.includes('"sealed"')).length).toBeGreaterThanOrEqual(3);
    const values = [...Object.values(demoCanonical), 'fresh-value', 'fixed-level', 'changed-by-hand', 'https://api.example.com/v1', 'added-after-review'];
    for (const file of files) for (const value of values) expect(file).not.toContain(value);
  });
});
