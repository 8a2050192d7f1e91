import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction, functionNamesIn, importChain, loadedAtImport } from '../support/function-bundle.ts';

/**
 * What each function's bundle holds and evaluates when Netlify imports it (its cold start). The
 * times are in `npm run bench` (docs/PERFORMANCE.md); these are the deterministic causes: what is
 * in a bundle, and what runs before the first request.
 */

const repoRoot = join(import.meta.dirname, '..', '..');

interface Bundle {
  readonly name: string;
  readonly bytes: number;
  readonly metafile: Metafile;
  readonly loaded: Map<string, string | undefined>;
}

let out: string;
let bundles: Bundle[];

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'envsync-import-graph-'));
  bundles = [];
  for (const name of await functionNamesIn(repoRoot)) {
    const outfile = join(out, `${name}.mjs`);
    const metafile = await bundleFunction(repoRoot, name, outfile);
    bundles.push({ name, bytes: (await stat(outfile)).size, metafile, loaded: loadedAtImport(metafile) });
  }
}, 60_000);

afterAll(async () => {
  if (out !== undefined) await rm(out, { recursive: true, force: true });
});

/** For each bundle, the import chain of every module it loads at import that matches `pattern`. */
function loadedMatching(pattern: RegExp, only: (bundle: Bundle) => boolean = () => true): string[] {
  return bundles.filter(only).flatMap(({ name, loaded }) =>
    [...loaded.keys()].filter((file) => pattern.test(file)).map((file) => `${name}: ${importChain(loaded, file).join(' -> ')}`),
  );
}

/** The inputs that put code in the bundle (the metafile also lists inputs tree-shaken away). */
function bundledInputs(metafile: Metafile): string[] {
  return Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([file]) => file),
  );
}

describe('function bundles', () => {
  it('are each under 1 MB of JavaScript', () => {
    expect(bundles.length).toBeGreaterThan(0);
    expect(bundles.filter((bundle) => bundle.bytes >= 1_000_000).map(({ name, bytes }) => `${name}: ${bytes} bytes`)).toEqual([]);
  });

  it("carry zod's English messages only, not its 40 other locales (zod is imported as a namespace)", () => {
    const locales = bundles.flatMap(({ name, metafile }) =>
      bundledInputs(metafile)
        .filter((file) => /node_modules\/zod\/v4\/locales\/(?!(en|index)\.js$)/.test(file))
        .map((file) => `${name}: ${file}`),
    );
    expect(locales).toEqual([]);
  });

  it("load no provider's connection and no HTTP client (ky) at import: a run loads them on its first provider request", () => {
    expect(loadedMatching(/node_modules\/ky\//)).toEqual([]);
    expect(loadedMatching(/^src\/providers\/[^/]+\/(connection|client)\.ts$/)).toEqual([]);
    expect(loadedMatching(/^src\/http\/client\.ts$/)).toEqual([]);
  });

  it('still contain each provider connection, loaded lazily, in the functions that sync', () => {
    const apply = bundles.find((bundle) => bundle.name === 'envsync-apply');
    expect(apply).toBeDefined();
    const inputs = apply === undefined ? [] : bundledInputs(apply.metafile);
    for (const provider of ['render', 'netlify', 'vercel']) expect(inputs).toContain(`src/providers/${provider}/connection.ts`);
    expect(inputs.some((file) => file.startsWith('node_modules/ky/'))).toBe(true);
  });

  it('keep the dashboard assets and the OpenAPI document out of every function but the dashboard', () => {
    expect(loadedMatching(/^src\/dashboard\//, (bundle) => bundle.name !== 'envsync-dashboard')).toEqual([]);
    expect(loadedMatching(/^src\/service\/api\/openapi\.ts$/)).toEqual([]);
  });
});
