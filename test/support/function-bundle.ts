import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';

/**
 * Bundles a function the way Netlify's `node_bundler = "esbuild"` does for an `.mts` function
 * (@netlify/zip-it-and-ship-it's esbuild bundler: one ESM file, node_modules inlined, no code
 * splitting, a Node 20 target and its `require` shim), for the import-graph test and the bench's
 * cold start scenario. A dynamic `import()` stays in the same file, evaluated only when called.
 */
export async function bundleFunction(repoRoot: string, name: string, outfile: string): Promise<Metafile> {
  const { metafile } = await build({
    entryPoints: [join(repoRoot, 'netlify', 'functions', `${name}.mts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    metafile: true,
    banner: { js: "import { createRequire as __envsyncRequire } from 'node:module'; const require = __envsyncRequire(import.meta.url);" },
  });
  return metafile;
}

/** The names of every function in netlify/functions, sorted. */
export async function functionNamesIn(repoRoot: string): Promise<string[]> {
  const files = await readdir(join(repoRoot, 'netlify', 'functions'));
  return files.filter((file) => file.endsWith('.mts')).map((file) => file.replace(/\.mts$/, '')).sort();
}

/**
 * The inputs a bundle evaluates when it is imported: those reached from the entry through static
 * `import` statements. Modules reached only through a dynamic `import()` are left out: they run
 * when that import is called. Maps each input to the input that imported it, for a readable path.
 */
export function loadedAtImport(metafile: Metafile): Map<string, string | undefined> {
  const entry = Object.values(metafile.outputs).find((output) => output.entryPoint !== undefined)?.entryPoint;
  if (entry === undefined) throw new Error('The metafile names no entry point.');
  const importer = new Map<string, string | undefined>([[entry, undefined]]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const imported of metafile.inputs[file]?.imports ?? []) {
      if (imported.kind !== 'import-statement' || imported.external === true || importer.has(imported.path)) continue;
      importer.set(imported.path, file);
      queue.push(imported.path);
    }
  }
  return importer;
}

/** How `file` came to be loaded: the chain of importers from the entry down to it. */
export function importChain(importer: ReadonlyMap<string, string | undefined>, file: string): string[] {
  const chain: string[] = [];
  for (let current: string | undefined = file; current !== undefined; current = importer.get(current)) chain.unshift(current);
  return chain;
}
