/**
 * `npm run bench`: EnvSync's performance scenarios against the provider emulator over real HTTP
 * (documented rate limits enforced, a fixed latency before every answer), each next to a
 * peer-style baseline client on the same emulator code in the same process. Prints a table per
 * scenario, writes bench/results.json and draws docs/performance.svg from it.
 *
 *     npm run bench                       # the default scenarios, under 5 minutes
 *     npm run bench -- --big-fleet        # adds 100 services + 100 sites at real limits (~4 min more)
 *     npm run bench -- --latency 20       # per-request latency in ms (default 50)
 *     npm run bench -- --baseline-cap 8   # seconds each baseline may run before it is extrapolated
 *     npm run bench -- --no-baseline      # EnvSync only
 *     npm run bench -- --only drift,plan  # some scenarios
 *
 * Not part of `npm test`: timings are never asserted, only reported.
 */
import { writeFile } from 'node:fs/promises';
import { cpus, platform, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderChart } from './chart.ts';
import { coldStarts, planScenario, type ColdStart, type PlanResult } from './in-process.ts';
import { driftScenario, firstSync, fleet, noOp, scale, type BenchOptions, type ScenarioResult } from './scenarios.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const value = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && args[index + 1] !== undefined ? (args[index + 1] as string) : fallback;
};

const options: BenchOptions = {
  latencyMs: Number(value('latency', '50')),
  baselineCapMs: Number(value('baseline-cap', '8')) * 1000,
  baseline: !flag('no-baseline'),
};
const only = value('only', '').split(',').filter(Boolean);
const wanted = (name: string) => only.length === 0 || only.includes(name);
const print = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  const machine = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    platform: platform(),
  };
  print(`EnvSync bench: latency ${options.latencyMs} ms per request; Render 30 writes + 400 reads/min, Netlify 500 requests/min`);
  print(`${machine.cpus} × ${machine.cpu}, Node ${machine.node}, ${machine.date}\n`);

  const results: ScenarioResult[] = [];
  const step = async (name: string, scenario: () => Promise<ScenarioResult>) => {
    if (!wanted(name)) return;
    const result = await scenario();
    results.push(result);
    table(result);
  };
  await step('no-op', () => noOp(options));
  await step('first-sync', () => firstSync(options));
  await step('drift', () => driftScenario(options));
  await step('fleet', () => fleet(options, { services: 20, sites: 20, vars: 100, changed: 10, name: 'fleet' }));
  if (flag('big-fleet')) await step('big-fleet', () => fleet(options, { services: 100, sites: 100, vars: 50, changed: 5, name: 'big fleet' }));
  for (const size of [100, 1_000, 10_000]) {
    for (const provider of ['render', 'netlify'] as const) await step('scale', () => scale(options, provider, size));
  }

  let plan: PlanResult | undefined;
  if (wanted('plan')) {
    plan = planScenario();
    print(`plan: diff of ${plan.keys.toLocaleString('en')} keys (+ as many unmanaged), ${plan.changed} changed: median ${plan.medianMs} ms (CPU ${plan.medianCpuMs} ms), p95 ${plan.p95Ms} ms over ${plan.runs} runs (goal < 20 ms: ${plan.medianMs < 20 ? 'met' : 'MISSED'})\n`);
  }
  let cold: ColdStart[] | undefined;
  if (wanted('cold-start')) {
    cold = await coldStarts(root);
    print('cold start (esbuild bundle as Netlify builds it; import in a fresh Node process, median of 7)');
    print(pad(['function', 'bundle', 'import', 'CPU', 'goal < 1 MB, < 150 ms'], [22, 10, 10, 10, 24]));
    for (const item of cold) {
      const met = item.bytes < 1_000_000 && item.importMs < 150;
      print(pad([item.name, `${(item.bytes / 1024).toFixed(0)} KB`, `${item.importMs} ms`, `${item.importCpuMs} ms`, met ? 'met' : 'MISSED'], [22, 10, 10, 10, 24]));
    }
    print();
  }

  const output = { machine, options, totalMs: Date.now() - started, results, plan, coldStart: cold };
  await writeFile(join(root, 'bench', 'results.json'), `${JSON.stringify(output, null, 2)}\n`);
  const subtitle = `${machine.date.slice(0, 10)}, ${machine.cpus} cores, Node ${machine.node}, ${options.latencyMs} ms latency, real rate limits`;
  if (results.length > 0) await writeFile(join(root, 'docs', 'performance.svg'), renderChart(results, subtitle));
  print(`wrote bench/results.json and docs/performance.svg in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function table(result: ScenarioResult): void {
  print(`${result.scenario}: ${result.variant}`);
  const widths = [10, 9, 7, 7, 6, 10, 12];
  print(pad(['client', 'requests', 'reads', 'writes', '429s', 'time', ''], widths));
  const e = result.envsync;
  print(pad(['EnvSync', e.requests, e.reads, e.writes, e.rateLimited, seconds(e.ms), `HTTP ${e.status}${e.converged ? ', converged' : ', NOT converged'}, CPU ${seconds(e.cpuMs)}${e.runQueueMs === undefined ? '' : `, waited for a CPU ${seconds(e.runQueueMs)}`}`], widths));
  const b = result.baseline;
  if (b !== undefined) {
    print(pad(['baseline', b.requests, b.reads, b.writes, b.rateLimited, seconds(b.ms), b.capped ? `extrapolated (capped at ${options.baselineCapMs / 1000} s)` : ''], widths));
    print(pad(['ratio', ratio(b.requests, e.requests), '', '', '', ratio(b.ms, e.ms), 'baseline / EnvSync'], widths));
  }
  if (e.runQueueMs !== undefined && e.runQueueMs > 0) {
    print(`time less the wait for a CPU (an estimate for an idle machine): ${seconds(Math.max(0, e.ms - e.runQueueMs))}`);
  }
  print(`goal: ${result.goal}: ${result.met ? 'met' : 'MISSED'}`);
  print(`bound: ${result.bound}`);
  for (const note of result.notes ?? []) print(`note: ${note}`);
  print();
}

function pad(cells: readonly (string | number)[], widths: readonly number[]): string {
  return cells.map((cell, index) => String(cell).padEnd(widths[index] ?? 0)).join(' ').trimEnd();
}

function seconds(ms: number): string {
  return ms >= 120_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(2)} s`;
}

function ratio(baseline: number, envsync: number): string {
  return envsync > 0 ? `${(baseline / envsync).toFixed(1)}×` : '∞';
}

await main();
