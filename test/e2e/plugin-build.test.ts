import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { demoTargets } from '../emulator/sample-data.ts';
import { repoRoot } from './project-copy.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { apiToken, fn, runtimeEnv } from './setup.ts';

/**
 * The build plugin for real: `netlify build --offline` on a site using netlify/plugins/envsync,
 * whose onSuccess calls the apply-all function of a local runtime (as `URL`), which syncs the
 * emulator with ENVSYNC_REDEPLOY on. A production build syncs and EnvSync asks Netlify for a
 * rebuild; the build after it (that rebuild) finds nothing to change and asks for none, so there
 * is no loop; a deploy-preview build syncs nothing. The site has no functions, so each build is
 * only the plugin's work.
 */

let emulator: Emulator;
let runtime: Runtime;
let site: string;

beforeAll(async () => {
  emulator = await startEmulator({ render: { writesPerMinute: false, readsPerMinute: false } });
  runtime = await startRuntime({ env: runtimeEnv(emulator, { ENVSYNC_REDEPLOY: 'true' }) });
  site = await mkdtemp(join(tmpdir(), 'envsync-plugin-site-'));
  await mkdir(join(site, 'public'));
  await writeFile(join(site, 'public', 'index.html'), '<p>site</p>\n');
  await cp(join(repoRoot, 'netlify', 'plugins', 'envsync'), join(site, 'plugins', 'envsync'), { recursive: true, filter: (path) => !path.endsWith('.test.ts') });
  await writeFile(join(site, 'netlify.toml'), '[build]\n  publish = "public"\n\n[[plugins]]\n  package = "./plugins/envsync"\n');
}, 180_000);

afterAll(async () => {
  await runtime?.stop();
  await emulator?.stop();
  if (site !== undefined) await rm(site, { recursive: true, force: true });
});

function build(context: string): Promise<{ code: number; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NETLIFY_TELEMETRY_DISABLED: '1', URL: runtime.url, ENVSYNC_API_TOKEN: apiToken };
  for (const name of ['NETLIFY_SITE_ID', 'NETLIFY_AUTH_TOKEN', 'NODE_OPTIONS', 'CONTEXT', 'BRANCH']) delete env[name];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'node_modules', 'netlify-cli', 'bin', 'run.js'), 'build', '--offline', '--context', context, '--cwd', site],
      { cwd: site, env, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : 1, output: `${stdout}${stderr}` }),
    );
  });
}

const runsOfEnvSync = async () => ((await runtime.call('GET', `${fn('runs')}?limit=100`, { token: apiToken })).json as { runs: unknown[] }).runs.length;

describe('netlify build --offline with the EnvSync plugin', () => {
  it('a production build syncs every target and shows key names and counts per target', async () => {
    const result = await build('production');

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`render/${demoTargets.render[0]}: `);
    expect(result.output).toMatch(/render\/srv-demo-api: \d+ create, \d+ update, 0 delete, \d+ in sync, 0 error\(s\); changed: APP_/);
    expect(result.output).toMatch(/netlify\/site-demo-web: .*changed: APP_/);
    expect(emulator.netlify.builds).toHaveLength(1);
  }, 180_000);

  it('the build EnvSync asked for finds nothing to change and asks for no other: no loop', async () => {
    const writes = emulator.writeCount();

    const result = await build('production');

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/3 target\(s\): 0 changed, 0 with errors/);
    expect(emulator.writeCount()).toBe(writes);
    expect(emulator.netlify.builds).toHaveLength(1);
  }, 180_000);

  it('a deploy-preview build syncs nothing: no call to EnvSync, no provider request', async () => {
    emulator.render.seed(demoTargets.render[0], { APP_LOG_LEVEL: 'debug' });
    const requests = emulator.requestCount();
    const runs = await runsOfEnvSync();

    const result = await build('deploy-preview');

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('Skipped: deploy context "deploy-preview"');
    expect(emulator.requestCount()).toBe(requests);
    expect(await runsOfEnvSync()).toBe(runs);
  }, 180_000);
});
