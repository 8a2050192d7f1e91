import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { diff, type DiffPolicy } from '../src/core/diff.ts';
import { createFingerprinter, indexLedger } from '../src/core/ledger.ts';
import { noContext, type RemoteValue } from '../src/core/plan.ts';
import { bundleFunction, functionNamesIn } from '../test/support/function-bundle.ts';

/** The two scenarios that need no emulator: planning in process, and the functions' cold start. */

const run = promisify(execFile);

export interface PlanResult {
  readonly keys: number;
  readonly changed: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  /** Median CPU time of the process during one diff: less sensitive than wall time to a loaded machine. */
  readonly medianCpuMs: number;
  readonly runs: number;
}

/** Diff of `keys` managed keys (plus as many unmanaged) with 10 % changed, owned by the ledger. */
export function planScenario(keys = 10_000, runs = 50): PlanResult {
  const fingerprint = createFingerprinter('bench-ledger-secret-0123456789');
  const desired = new Map<string, string>();
  const values: RemoteValue[] = [];
  for (let index = 0; index < keys; index += 1) {
    const key = `APP_K${String(index).padStart(5, '0')}`;
    desired.set(key, `value-${index}`);
    values.push({ key, context: noContext, value: index % 10 === 0 ? 'stale' : `value-${index}`, secret: false });
    values.push({ key: `OTHER_${index}`, context: noContext, value: 'kept', secret: false });
  }
  const policy: DiffPolicy = {
    isManaged: (key) => key.startsWith('APP_'),
    contextsFor: () => [noContext],
    isSecret: () => false,
    allowDeletions: true,
    deleteScope: 'owned',
    allowsEmptyValues: false,
    ledger: indexLedger([...desired].map(([key, value]) => ({ key, context: noContext, fingerprint: fingerprint(key, value), writtenAt: '2026-01-01T00:00:00Z' }))),
    fingerprint,
  };
  const remote = { values };
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let changed = 0;
  for (let attempt = 0; attempt < runs + 3; attempt += 1) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const plan = diff(desired, remote, policy);
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    if (attempt >= 3) {
      // the first runs warm the JIT up
      times.push(ms);
      cpuTimes.push((used.user + used.system) / 1000);
    }
    changed = plan.changes.filter((change) => change.op !== 'noop').length;
  }
  times.sort((a, b) => a - b);
  return {
    keys,
    changed,
    medianMs: round(median(times)),
    p95Ms: round(times[Math.floor(times.length * 0.95)] ?? 0),
    medianCpuMs: round(median(cpuTimes)),
    runs,
  };
}

export interface ColdStart {
  readonly name: string;
  readonly bytes: number;
  /** Median over fresh Node processes of `await import(bundle)`: wall time. */
  readonly importMs: number;
  /** The same imports' CPU time (all of the process's threads), less sensitive to a loaded machine. */
  readonly importCpuMs: number;
}

/**
 * Bundles every function the way Netlify's `node_bundler = "esbuild"` does (see
 * `test/support/function-bundle.ts`), then imports each bundle in fresh Node processes and times
 * the import. Netlify adds its own bootstrap around the handler, which is not measured here.
 */
export async function coldStarts(repoRoot: string, importRuns = 7): Promise<ColdStart[]> {
  const out = await mkdtemp(join(tmpdir(), 'envsync-bench-bundle-'));
  try {
    const results: ColdStart[] = [];
    for (const name of await functionNamesIn(repoRoot)) {
      const outfile = join(out, `${name}.mjs`);
      await bundleFunction(repoRoot, name, outfile);
      const wall: number[] = [];
      const cpu: number[] = [];
      for (let attempt = 0; attempt < importRuns; attempt += 1) {
        const script = [
          'const cpu = process.cpuUsage(); const started = performance.now();',
          `await import(${JSON.stringify(`file://${outfile}`)});`,
          'const ms = performance.now() - started; const used = process.cpuUsage(cpu);',
          'process.stdout.write(JSON.stringify([ms, (used.user + used.system) / 1000]));',
        ].join(' ');
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env['PATH'] ?? '' } });
        const [ms, cpuMs] = JSON.parse(stdout) as [number, number];
        wall.push(ms);
        cpu.push(cpuMs);
      }
      results.push({ name, bytes: (await stat(outfile)).size, importMs: round(median(wall)), importCpuMs: round(median(cpu)) });
    }
    return results;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
