import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository root. */
export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** What a deployable copy of EnvSync contains besides node_modules. */
const projectEntries = ['netlify', 'src', 'public', 'package.json', 'package-lock.json', 'netlify.toml', 'tsconfig.json'];

/**
 * Copies the project into a fresh temporary folder, without `.netlify/`, `.env` or test files:
 * what a clean clone holds.
 *
 * @param nodeModules - `link` shares the repository's node_modules (enough for `functions:serve`,
 *   which runs in place); `production` copies only the production dependency tree, as a deploy
 *   installs it (needed by `netlify build`, whose file tracer would otherwise zip the symlink).
 */
export async function copyProject(nodeModules: 'link' | 'production', prefix = 'envsync-project-'): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  for (const entry of projectEntries) {
    await cp(join(repoRoot, entry), join(root, entry), { recursive: true, filter: (source) => !source.endsWith('.test.ts') }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      },
    );
  }
  if (nodeModules === 'link') {
    await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
    return root;
  }
  for (const path of await productionPackages()) {
    const target = join(root, relative(repoRoot, path));
    await mkdir(dirname(target), { recursive: true });
    await cp(path, target, { recursive: true, dereference: true });
  }
  return root;
}

/** Folders of every installed production dependency, transitive ones included. */
async function productionPackages(): Promise<string[]> {
  const { stdout } = await promisify(execFile)('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 }).catch(
    // npm ls exits non-zero on a peer-dependency warning but still prints the tree.
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith(join(repoRoot, 'node_modules')));
}
