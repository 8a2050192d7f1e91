import { demoTokens } from '../test/emulator/sample-data.ts';
import { accountSlug, countsOf, startWorld, type Counts } from './world.ts';

/**
 * A peer-style client, the way the sync tools EnvSync is compared with work: one request after
 * another, for every canonical key on every target one GET and one write (create or replace),
 * whether or not the value differs, and a flat 60 s sleep after a 429 before trying again. It
 * deletes nothing (so it does fewer requests than a real sync where keys were removed).
 *
 * It runs on its own emulator, seeded the same way, whose clock the sleeps advance instead of
 * waiting: its wall time is the real time of its requests plus the simulated sleeps. It is
 * capped in real time; a capped run is extrapolated from its request count:
 * `time × requests needed / requests sent`.
 */

export interface BaselineTarget {
  readonly provider: 'render' | 'netlify';
  readonly id: string;
}

export interface BaselineResult extends Counts {
  readonly ms: number;
  /** Requests the full sync needs (2 per key per target, plus one per 429). */
  readonly requestsNeeded: number;
  readonly capped: boolean;
  /** Simulated 60 s sleeps taken. */
  readonly sleeps: number;
}

export interface BaselineOptions {
  readonly latencyMs: number;
  readonly capMs: number;
  readonly targets: readonly BaselineTarget[];
  readonly desired: ReadonlyMap<string, string>;
  readonly seed: (world: Awaited<ReturnType<typeof startWorld>>) => void;
}

const sleepMs = 60_000;

export async function runBaseline(options: BaselineOptions): Promise<BaselineResult> {
  let offset = 0;
  const world = await startWorld({ latencyMs: options.latencyMs, now: () => Date.now() + offset });
  options.seed(world);
  const { emulator } = world;
  const started = Date.now();
  let sleeps = 0;
  let sent = 0;
  let capped = false;
  const needed = options.targets.length * options.desired.size * 2;

  /** Sends until it is not a 429; sleeps 60 s after each 429. */
  const send = async (url: string, init: RequestInit): Promise<Response> => {
    for (;;) {
      const response = await fetch(url, init);
      sent += 1;
      await response.arrayBuffer();
      if (response.status !== 429) return response;
      sleeps += 1;
      offset += sleepMs;
    }
  };

  outer: for (const target of options.targets) {
    for (const [key, value] of options.desired) {
      if (Date.now() - started > options.capMs) {
        capped = true;
        break outer;
      }
      if (target.provider === 'render') {
        const url = `${emulator.renderApiUrl}/services/${target.id}/env-vars/${encodeURIComponent(key)}`;
        const headers = { authorization: `Bearer ${demoTokens.render}`, 'content-type': 'application/json' };
        await send(url, { headers });
        await send(url, { method: 'PUT', headers, body: JSON.stringify({ value }) });
      } else {
        const base = `${emulator.netlifyApiUrl}/accounts/${accountSlug}/env`;
        const site = `site_id=${encodeURIComponent(target.id)}`;
        const headers = { authorization: `Bearer ${demoTokens.netlify}`, 'content-type': 'application/json' };
        const found = await send(`${base}/${encodeURIComponent(key)}?${site}`, { headers });
        const variable = { key, scopes: ['builds', 'functions', 'runtime', 'post-processing'], values: [{ context: 'all', value }] };
        await (found.status === 404
          ? send(`${base}?${site}`, { method: 'POST', headers, body: JSON.stringify([variable]) })
          : send(`${base}/${encodeURIComponent(key)}?${site}`, { method: 'PUT', headers, body: JSON.stringify(variable) }));
      }
    }
  }
  const realMs = Date.now() - started;
  const counts = countsOf(emulator);
  await world.stop();
  if (!capped) return { ...counts, ms: realMs + sleeps * sleepMs, requestsNeeded: needed, capped, sleeps };
  // Capped: replay the whole sequence against the same limits in simulated time, each request
  // taking the mean time the sent ones took.
  const perRequestMs = realMs / Math.max(1, sent);
  const model = simulate(options.targets, options.desired.size, perRequestMs);
  return {
    requests: needed + model.sleeps,
    reads: needed / 2 + model.readSleeps,
    writes: needed / 2 + model.sleeps - model.readSleeps,
    rateLimited: model.sleeps,
    ms: Math.round(model.ms),
    requestsNeeded: needed,
    capped,
    sleeps: model.sleeps,
  };
}

/**
 * The baseline's sequence in simulated time, against the emulator's limits: Render 400 reads and 30
 * writes a minute, Netlify 500 requests a minute. After a 429 it sleeps 60 s, which empties every
 * window.
 */
function simulate(targets: readonly BaselineTarget[], keys: number, perRequestMs: number): { ms: number; sleeps: number; readSleeps: number } {
  const limits = { 'render-read': 400, 'render-write': 30, netlify: 500 } as const;
  type Bucket = keyof typeof limits;
  const windows = new Map<Bucket, { start: number; count: number }>();
  let time = 0;
  let sleeps = 0;
  let readSleeps = 0;
  const request = (bucket: Bucket, read: boolean) => {
    for (;;) {
      let window = windows.get(bucket);
      if (window === undefined || time >= window.start + sleepMs) {
        window = { start: time, count: 0 };
        windows.set(bucket, window);
      }
      time += perRequestMs;
      if (window.count < limits[bucket]) {
        window.count += 1;
        return;
      }
      sleeps += 1;
      if (read) readSleeps += 1;
      time += sleepMs;
    }
  };
  for (const target of targets) {
    for (let key = 0; key < keys; key += 1) {
      request(target.provider === 'render' ? 'render-read' : 'netlify', true);
      request(target.provider === 'render' ? 'render-write' : 'netlify', false);
    }
  }
  return { ms: time, sleeps, readSleeps };
}
