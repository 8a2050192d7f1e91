import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { diff, type DiffPolicy } from '../src/core/diff.ts';
import { createFingerprinter, indexLedger } from '../src/core/ledger.ts';
import { noContext, type RemoteValue } from '../src/core/plan.ts';

/** The two scenarios that need no emulator: planning in process, and the functions' cold start. */

const run = promisify(execFile);

export interface PlanResult {
  readonly keys: number;
  readonly changed: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly runs: number;
}

/** Diff of `keys` managed keys (plus as many unmanaged) with 10 % changed, owned by the ledger. */
export function planScenario(keys = 10_000, runs = 25): PlanResult {
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
  let changed = 0;
  for (let attempt = 0; attempt < runs + 3; attempt += 1) {
    const started = performance.now();
    const plan = diff(desired, remote, policy);
    const ms = performance.now() - started;
    if (attempt >= 3) times.push(ms); // the first runs warm the JIT up
    changed = plan.changes.filter((change) => change.op !== 'noop').length;
  }
  times.sort((a, b) => a - b);
  return { keys, changed, medianMs: round(times[Math.floor(times.length / 2)] ?? 0), p95Ms: round(times[Math.floor(times.length * 0.95)] ?? 0), runs };
}

export interface ColdStart {
  readonly name: string;
  readonly bytes: number;
  /** Median over fresh Node processes of `await import(bundle)`. */
  readonly importMs: number;
}

/**
 * Bundles every function the way Netlify's `node_bundler = "esbuild"` does (one ESM file per
 * function, node_modules inlined, Node 20 target, not minified), then imports each bundle in
 * fresh Node processes and times the import. Netlify adds its own bootstrap around the handler,
 * which is not measured here.
 */
export async function coldStarts(repoRoot: string, importRuns = 5): Promise<ColdStart[]> {
  const functions = (await readdir(join(repoRoot, 'netlify', 'functions'))).filter((file) => file.endsWith('.mts')).sort();
  const out = await mkdtemp(join(tmpdir(), 'envsync-bench-bundle-'));
  try {
    const results: ColdStart[] = [];
    for (const file of functions) {
      const name = file.replace(/\.mts$/, '');
      const outfile = join(out, `${name}.mjs`);
      await build({
        entryPoints: [join(repoRoot, 'netlify', 'functions', file)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        logLevel: 'silent',
        // As Netlify's bundle: CommonJS dependencies inside ESM need a require.
        banner: { js: "import { createRequire as __envsyncRequire } from 'node:module'; const require = __envsyncRequire(import.meta.url);" },
      });
      const times: number[] = [];
      for (let attempt = 0; attempt < importRuns; attempt += 1) {
        const script = `const t = performance.now(); await import(${JSON.stringify(`file://${outfile}`)}); process.stdout.write(String(performance.now() - t));`;
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env['PATH'] ?? '' } });
        times.push(Number(stdout));
      }
      times.sort((a, b) => a - b);
      results.push({ name, bytes: (await stat(outfile)).size, importMs: round(times[Math.floor(times.length / 2)] ?? 0) });
    }
    return results;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
