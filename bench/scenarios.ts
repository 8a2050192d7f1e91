import { readFileSync } from 'node:fs';
import { applyAllEndpoint, applyEndpoint } from '../src/service/endpoints/sync.ts';
import type { Endpoint } from '../src/service/http/endpoint.ts';
import { runBaseline, type BaselineResult, type BaselineTarget } from './baseline.ts';
import { accountSlug, countsOf, functionEnv, startWorld, type Counts, type World } from './world.ts';

/** What one scenario variant measured, for the table, results.json and the chart. */
export interface ScenarioResult {
  readonly scenario: string;
  readonly variant: string;
  /** What the chart plots it against. */
  readonly axis?: { readonly name: 'variables' | 'targets'; readonly value: number };
  /**
   * `cpuMs`: CPU time of this whole process (EnvSync, the emulator and Blobs) during the run;
   * `runQueueMs`: time its main thread was ready to run but waited for a CPU (Linux schedstat),
   * i.e. what a busy machine added to the wall time.
   */
  readonly envsync: Counts & {
    readonly ms: number;
    readonly cpuMs: number;
    readonly runQueueMs: number | undefined;
    readonly status: number;
    readonly converged: boolean;
  };
  readonly baseline?: BaselineResult;
  readonly goal: string;
  readonly met: boolean;
  /** What bounds the time: latency × requests / concurrency, or a rate limit. */
  readonly bound: string;
  readonly notes?: readonly string[];
}

export interface BenchOptions {
  readonly latencyMs: number;
  readonly baselineCapMs: number;
  readonly baseline: boolean;
}

/** A target's variables: `managed` canonical-style keys and `unmanaged` ones EnvSync must keep. */
type Vars = Record<string, string>;

/** `APP_K00001`...: the canonical set's keys. */
export function canonicalSet(size: number, version = 'v1'): Map<string, string> {
  return new Map(Array.from({ length: size }, (_, index) => [`APP_K${String(index).padStart(5, '0')}`, `${version}-${index}`]));
}

function unmanaged(count: number): Vars {
  return Object.fromEntries(Array.from({ length: count }, (_, index) => [`OTHER_${String(index).padStart(4, '0')}`, `kept-${index}`]));
}

/** The canonical set with every `every`-th key changed on the target, and the extra keys on top. */
function drifted(desired: ReadonlyMap<string, string>, changedEvery: number, extra: Vars = {}): Vars {
  const vars: Vars = {};
  let index = 0;
  for (const [key, value] of desired) {
    vars[key] = changedEvery > 0 && index % changedEvery === 0 ? 'stale' : value;
    index += 1;
  }
  return { ...vars, ...extra };
}

interface Setup {
  readonly targets: readonly BaselineTarget[];
  readonly desired: ReadonlyMap<string, string>;
  /** The variables of each target before the sync. */
  readonly before: (target: BaselineTarget) => Vars;
  readonly env?: Readonly<Record<string, string>>;
  readonly endpoint: Endpoint;
  readonly path: string;
}

function seed(world: World, setup: Setup): void {
  for (const target of setup.targets) {
    const vars = setup.before(target);
    if (target.provider === 'render') {
      world.emulator.render.seed(target.id, vars);
      continue;
    }
    world.emulator.netlify.addSite({ id: target.id, accountSlug });
    for (const [key, value] of Object.entries(vars)) world.emulator.netlify.seed(target.id, key, { values: { all: value } });
  }
}

function converged(world: World, setup: Setup): boolean {
  return setup.targets.every((target) => {
    const render = target.provider === 'render' ? world.emulator.render.variables(target.id) : {};
    for (const [key, value] of setup.desired) {
      const actual = target.provider === 'render' ? render[key] : world.emulator.netlify.values(target.id, key)?.['all'];
      if (actual !== value) return false;
    }
    return true;
  });
}

/** Runs EnvSync through the function, then (unless off) the baseline on a fresh emulator. */
async function measure(setup: Setup, options: BenchOptions): Promise<{ envsync: ScenarioResult['envsync']; baseline?: BaselineResult; world: Counts }> {
  const world = await startWorld({ latencyMs: options.latencyMs });
  try {
    seed(world, setup);
    const render = setup.targets.filter((target) => target.provider === 'render').map((target) => target.id);
    const netlify = setup.targets.filter((target) => target.provider === 'netlify').map((target) => target.id);
    const env = functionEnv(world.emulator, {
      ENVSYNC_TARGETS: [render.length > 0 ? 'render' : '', netlify.length > 0 ? 'netlify' : ''].filter(Boolean).join(','),
      RENDER_SERVICE_ID: render.join(','),
      ENVSYNC_NETLIFY_SITE_ID: netlify.join(','),
      ...Object.fromEntries(setup.desired),
      ...setup.env,
    });
    const cpu = process.cpuUsage();
    const queued = runQueueNs();
    const started = performance.now();
    const { status } = await world.call(setup.endpoint, setup.path, env);
    const ms = Math.round(performance.now() - started);
    const used = process.cpuUsage(cpu);
    const queuedAfter = runQueueNs();
    const runQueueMs = queued === undefined || queuedAfter === undefined ? undefined : Math.round((queuedAfter - queued) / 1e6);
    const counts = countsOf(world.emulator);
    const envsync = { ...counts, ms, cpuMs: Math.round((used.user + used.system) / 1000), runQueueMs, status, converged: converged(world, setup) };
    const baseline = options.baseline
      ? await runBaseline({ latencyMs: options.latencyMs, capMs: options.baselineCapMs, targets: setup.targets, desired: setup.desired, seed: (fresh) => seed(fresh, setup) })
      : undefined;
    return { envsync, world: counts, ...(baseline === undefined ? {} : { baseline }) };
  } finally {
    await world.stop();
  }
}

/** Nanoseconds the main thread has waited on a run queue so far (Linux only). */
function runQueueNs(): number | undefined {
  try {
    return Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]);
  } catch {
    return undefined;
  }
}

const both: readonly BaselineTarget[] = [
  { provider: 'render', id: 'srv-bench' },
  { provider: 'netlify', id: 'site-bench' },
];

/** No-op: both targets already hold the canonical set. */
export async function noOp(options: BenchOptions): Promise<ScenarioResult> {
  const desired = canonicalSet(1_000);
  const setup: Setup = { targets: both, desired, before: () => ({ ...drifted(desired, 0), ...unmanaged(100) }), endpoint: applyAllEndpoint, path: '/envsync-apply-all' };
  const { envsync, baseline } = await measure(setup, options);
  return {
    scenario: 'no-op',
    variant: '1 service + 1 site, 1,000 managed + 100 unmanaged each, in sync',
    envsync,
    ...(baseline === undefined ? {} : { baseline }),
    goal: '≤ 13 requests in all, 0 writes',
    met: envsync.requests <= 13 && envsync.writes === 0,
    bound: 'latency × Render pages (11 sequential cursor pages of 100); Netlify (2 requests) runs beside it',
  };
}

/** First sync: both targets empty. */
export async function firstSync(options: BenchOptions): Promise<ScenarioResult> {
  const desired = canonicalSet(1_000);
  const setup: Setup = { targets: both, desired, before: () => ({}), endpoint: applyAllEndpoint, path: '/envsync-apply-all' };
  const world = await measure(setup, options);
  const { envsync, baseline } = world;
  return {
    scenario: 'first sync',
    variant: '1 service + 1 site, empty; 1,000 variables to create on each',
    envsync,
    ...(baseline === undefined ? {} : { baseline }),
    goal: 'Render ≤ 3 writes, Netlify creates in ≤ ⌈1,000 / batch⌉ requests (one bulk POST), 0 × 429',
    met: envsync.rateLimited === 0 && envsync.writes <= 3 + 1 && envsync.converged,
    bound: 'latency × requests: a read, one replace-all (Render) and one bulk create (Netlify)',
  };
}

/** Drift: 200 changed, 50 new, 50 removed per target, deletions on. */
export async function driftScenario(options: BenchOptions): Promise<ScenarioResult> {
  const desired = canonicalSet(1_000);
  const before = (): Vars => {
    const vars: Vars = { ...unmanaged(100) };
    let index = 0;
    for (const [key, value] of desired) {
      if (index < 50) {
        index += 1;
        continue; // new: missing on the target
      }
      vars[key] = index < 250 ? 'stale' : value; // 200 changed
      index += 1;
    }
    for (let gone = 0; gone < 50; gone += 1) vars[`APP_GONE_${String(gone).padStart(3, '0')}`] = 'old'; // removed from the canonical set
    return vars;
  };
  const setup: Setup = {
    targets: both,
    desired,
    before,
    env: { ENVSYNC_ALLOW_DELETIONS: 'true', ENVSYNC_DELETE_SCOPE: 'managed', ENVSYNC_MAX_DELETIONS: '100' },
    endpoint: applyAllEndpoint,
    path: '/envsync-apply-all',
  };
  const { envsync, baseline } = await measure(setup, options);
  return {
    scenario: 'drift',
    variant: '1,000 variables per target: 200 changed, 50 new, 50 removed (deletions on)',
    envsync,
    ...(baseline === undefined ? {} : { baseline }),
    goal: `≤ 2.5 s at 50 ms latency through the function, 0 × 429${options.latencyMs === 50 ? '' : ` (run at ${options.latencyMs} ms)`}`,
    met: envsync.rateLimited === 0 && envsync.converged && (options.latencyMs !== 50 || envsync.ms <= 2_500),
    bound: "Render: latency × sequential cursor pages (read, re-read before the replace-all); Netlify: latency × ~300 key writes / 16 in flight",
  };
}

/** A fleet: services and sites, `vars` variables each, `changed` stale on each. */
export async function fleet(options: BenchOptions, size: { services: number; sites: number; vars: number; changed: number; name: string }): Promise<ScenarioResult> {
  const desired = canonicalSet(size.vars);
  const targets: BaselineTarget[] = [
    ...Array.from({ length: size.services }, (_, index) => ({ provider: 'render' as const, id: `srv-fleet-${index + 1}` })),
    ...Array.from({ length: size.sites }, (_, index) => ({ provider: 'netlify' as const, id: `site-fleet-${index + 1}` })),
  ];
  const every = Math.max(1, Math.floor(size.vars / size.changed));
  const setup: Setup = { targets, desired, before: () => drifted(desired, every), endpoint: applyAllEndpoint, path: '/envsync-apply-all' };
  const { envsync, baseline } = await measure(setup, options);
  const renderWrites = size.services * size.changed;
  return {
    scenario: size.name,
    variant: `${size.services} Render services + ${size.sites} Netlify sites, ${size.vars} variables each, ${size.changed} changed on each`,
    axis: { name: 'targets', value: targets.length },
    envsync,
    ...(baseline === undefined ? {} : { baseline }),
    goal: size.name === 'big fleet' ? '0 × 429, within one background function (15 min) at real limits' : '0 × 429, each function within its limit',
    met: envsync.rateLimited === 0 && envsync.converged && envsync.ms < 14 * 60_000,
    bound: `Render's 30 writes a minute per API key: ${renderWrites} per-key changes fit in ${Math.ceil(size.services / 30)} window(s) as per-key writes for the first services and one replace-all for each of the rest; Netlify: latency × requests per site / 16 in flight`,
    notes: ['answered 202 at once; time is until the background function finished'],
  };
}

/** One target of `provider` with `size` variables, 1 % changed. */
export async function scale(options: BenchOptions, provider: 'render' | 'netlify', size: number): Promise<ScenarioResult> {
  const desired = canonicalSet(size);
  const target: BaselineTarget = { provider, id: provider === 'render' ? 'srv-scale' : 'site-scale' };
  const setup: Setup = { targets: [target], desired, before: () => drifted(desired, 100), endpoint: applyEndpoint, path: `/envsync-apply/${provider}` };
  const { envsync, baseline } = await measure(setup, options);
  return {
    scenario: `scale (${provider})`,
    variant: `${size.toLocaleString('en')} variables, 1 % changed`,
    axis: { name: 'variables', value: size },
    envsync,
    ...(baseline === undefined ? {} : { baseline }),
    goal: 'reads grow with pages, writes with changes, nothing with the square',
    met: envsync.rateLimited === 0 && envsync.converged,
    bound:
      provider === 'render'
        ? `latency × ${Math.ceil(size / 100)} sequential cursor pages (×2 when the write is a replace-all: it re-reads first)`
        : `latency × (1 list + ${Math.ceil(size / 100)} key writes / 16 in flight)`,
  };
}
