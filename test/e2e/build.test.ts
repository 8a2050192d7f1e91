import { execFile } from 'node:child_process';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject, repoRoot } from './project-copy.ts';
import { functionNames } from './runtime.ts';

/**
 * The site deploys as is: on a clean copy of the project (no .netlify/, production dependencies
 * only), `netlify build --offline` bundles every function, and no bundle carries test code.
 */

const run = promisify(execFile);

interface ManifestEntry {
  name: string;
  path: string;
  invocationMode?: string;
  schedule?: string;
  runtimeVersion?: string;
}

let root: string;
let manifest: { functions: ManifestEntry[] };

beforeAll(async () => {
  root = await copyProject('production', 'envsync-build-');
  const env: NodeJS.ProcessEnv = { ...process.env, NETLIFY_TELEMETRY_DISABLED: '1' };
  for (const name of ['NETLIFY_SITE_ID', 'NETLIFY_AUTH_TOKEN', 'NODE_OPTIONS']) delete env[name];
  await run(process.execPath, [join(repoRoot, 'node_modules', 'netlify-cli', 'bin', 'run.js'), 'build', '--offline', '--cwd', root], {
    cwd: root,
    env,
    maxBuffer: 32 * 1024 * 1024,
  });
  manifest = JSON.parse(await readFile(join(root, '.netlify', 'functions', 'manifest.json'), 'utf8')) as { functions: ManifestEntry[] };
}, 180_000);

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

/** Every entry of a function's zip and the text of its bundled entry file. */
async function zipOf(entry: ManifestEntry): Promise<{ files: string[]; bundle: string; bytes: number }> {
  const { stdout: listing } = await run('unzip', ['-Z1', entry.path], { maxBuffer: 16 * 1024 * 1024 });
  const { stdout: bundle } = await run('unzip', ['-p', entry.path, `netlify/functions/${entry.name}.mjs`], { maxBuffer: 64 * 1024 * 1024 });
  return { files: listing.split('\n').filter((line) => line !== ''), bundle, bytes: (await stat(entry.path)).size };
}

describe('netlify build --offline on a clean tree', () => {
  it('bundles every function in netlify/functions', async () => {
    expect(manifest.functions.map((entry) => entry.name).sort()).toEqual((await functionNames()).sort());
  });

  it('declares the hourly schedule and the background function', () => {
    const byName = new Map(manifest.functions.map((entry) => [entry.name, entry]));

    expect(byName.get('envsync-scheduled')?.schedule).toBe('@hourly');
    expect(byName.get('envsync-background')?.invocationMode).toBe('background');
    expect(manifest.functions.filter((entry) => entry.invocationMode === 'background').map((entry) => entry.name)).toEqual(['envsync-background']);
  });

  it('keeps every bundle lean: the core and its runtime dependencies, no emulator or test code', async () => {
    for (const entry of manifest.functions) {
      const { files, bundle, bytes } = await zipOf(entry);

      expect(files.filter((file) => /(^|\/)(test|tests|__tests__)\//.test(file) || /\.test\.[cm]?[jt]s$/.test(file))).toEqual([]);
      expect(files.filter((file) => /node_modules\/(msw|vitest|fast-check|netlify-cli|typescript|tsx)\//.test(file))).toEqual([]);
      expect(files).toContain(`netlify/functions/${entry.name}.mjs`);
      for (const marker of ['RenderFake', 'NetlifyFake', 'startEmulator', 'seedSampleData', 'from "msw"', 'from "vitest"']) {
        expect(bundle).not.toContain(marker);
      }
      expect(bytes).toBeLessThan(2 * 1024 * 1024);
    }
  });
});
