import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { demoTargets } from '../emulator/sample-data.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { apiToken, fn, runtimeEnv, syncBodyOf } from './setup.ts';

/** ENVSYNC_MODE=dry-run, Render only: apply endpoints plan, say why, and write nothing. */

let emulator: Emulator;
let runtime: Runtime;

beforeAll(async () => {
  emulator = await startEmulator();
  runtime = await startRuntime({ env: runtimeEnv(emulator, { ENVSYNC_MODE: 'dry-run', ENVSYNC_TARGETS: 'render' }) });
});

afterAll(async () => {
  await runtime?.stop();
  await emulator?.stop();
});


describe('ENVSYNC_MODE=dry-run', () => {
  it('apply returns the plan with applied: false and a note saying why', async () => {
    const result = await runtime.call('POST', fn('apply', '/render'), { token: apiToken });

    expect(result.status).toBe(200);
    const body = syncBodyOf(result);
    expect(body.mode).toBe('dry-run');
    expect(body.note).toMatch(/ENVSYNC_MODE is dry-run.*Set ENVSYNC_MODE=enforce/);
    expect(body.results.map((report) => [report.target, report.applied])).toEqual(demoTargets.render.map((id) => [id, false]));
    expect(body.results.every((report) => report.pending.length > 0)).toBe(true);
  });

  it('apply-all and the schedule plan too, and nothing is ever written', async () => {
    const all = await runtime.call('POST', fn('apply-all'), { token: apiToken });
    await runtime.call('POST', fn('scheduled'));

    expect(all.status).toBe(200);
    expect(syncBodyOf(all).note).toMatch(/ENVSYNC_MODE is dry-run/);
    expect(emulator.writeCount()).toBe(0);
  });

  it('opens one drift ticket per target however many runs found the drift', async () => {
    const result = await runtime.call('GET', `${fn('tickets')}?status=open`, { token: apiToken });

    const tickets = (result.json as { tickets: { kind: string; target: string; occurrences: number }[] }).tickets;
    expect(tickets.map((ticket) => [ticket.kind, ticket.target]).sort()).toEqual(demoTargets.render.map((id) => ['drift', id]));
    expect(tickets.every((ticket) => ticket.occurrences === 3)).toBe(true);
  });

  it('a provider left out of ENVSYNC_TARGETS answers 503 and says how to enable it', async () => {
    const result = await runtime.call('POST', fn('apply', '/netlify'), { token: apiToken });

    expect(result.status).toBe(503);
    expect(result.json).toEqual({
      error: { code: 'disabled', message: expect.stringMatching(/Netlify is not enabled.*Add netlify to ENVSYNC_TARGETS/) as unknown },
    });
    expect(emulator.netlify.requests).toHaveLength(0);
  });

  it('health shows the mode', async () => {
    const result = await runtime.call('GET', fn('health'), { token: apiToken });

    expect(result.json).toMatchObject({ status: 'ok', enabled: true, mode: 'dry-run', openTickets: 2 });
  });
});
