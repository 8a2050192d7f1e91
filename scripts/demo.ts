/**
 * `npm run demo`: EnvSync end to end on a laptop, with no account.
 *
 * Starts the provider emulator (two Render services and an environment group linked to both, one
 * Netlify site and one Vercel project, with sample variables)
 * and the real local Netlify runtime serving the functions, pointed at it; waits until every
 * function answers; then shows health → dry-run → apply → dry-run again, and stops everything.
 * Only key names and counts are printed, as EnvSync itself does.
 */
import { parseSyncBody, type SyncBody } from '../src/service/api/schemas.ts';
import { startEmulator, type Emulator } from '../test/emulator/server.ts';
import { demoCanonical, demoEnvGroups, demoTargets, demoTokens } from '../test/emulator/sample-data.ts';
import { startRuntime, type CallResult, type Runtime } from '../test/e2e/runtime.ts';

const apiToken = 'demo-api-token-change-me-0123456789abcdef';
const tty = process.stdout.isTTY;
const style = (code: string) => (text: string) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);
const bold = style('1');
const dim = style('2');
const green = style('32');
const yellow = style('33');
const red = style('31');
const print = (line = '') => process.stdout.write(`${line}\n`);

/** One target's report, as the one declared sync response has it. */
type Report = SyncBody['results'][number];

const providers = ['render', 'netlify', 'vercel'] as const;

let emulator: Emulator | undefined;
let runtime: Runtime | undefined;

async function main(): Promise<void> {
  print(bold('EnvSync demo'));
  print(dim('Starting the provider emulator and the local Netlify runtime (the first build takes a few seconds)...'));
  emulator = await startEmulator();
  runtime = await startRuntime({
    env: {
      ENVSYNC_ENABLED: 'true',
      ENVSYNC_MODE: 'enforce',
      ENVSYNC_TARGETS: 'render,netlify,vercel',
      RENDER_SERVICE_ID: demoTargets.render.join(','),
      RENDER_ENV_GROUP_ID: demoEnvGroups.join(','),
      ENVSYNC_REDEPLOY: 'true',
      ENVSYNC_NETLIFY_SITE_ID: demoTargets.netlify.join(','),
      ENVSYNC_VERCEL_PROJECT_ID: demoTargets.vercel.join(','),
      ENVSYNC_INCLUDE_PREFIXES: 'APP_',
      ENVSYNC_LEDGER_SECRET: 'demo-ledger-secret-not-for-production',
      ENVSYNC_API_TOKEN: apiToken,
      // Render's token comes from the environment, Netlify's from the emulator's token dashboard.
      ENVSYNC_DISCOVERY_ORDER: 'env,dashboard',
      ENVSYNC_DASHBOARD_TOKEN_URLS: emulator.dashboardUrl,
      RENDER_API_TOKEN: demoTokens.render,
      VERCEL_API_TOKEN: demoTokens.vercel,
      RENDER_API_URL: emulator.renderApiUrl,
      NETLIFY_API_URL: emulator.netlifyApiUrl,
      VERCEL_API_URL: emulator.vercelApiUrl,
      ...demoCanonical,
    },
  });
  print(dim(`Emulator: ${emulator.url}   Functions: ${runtime.url}/.netlify/functions/envsync-*`));
  print();
  print(`Canonical set (${Object.keys(demoCanonical).length} keys): ${Object.keys(demoCanonical).join(', ')}`);

  step('1. Health', 'GET /.netlify/functions/envsync-health (public, then with the token)');
  const publicHealth = expectOk(await runtime.call('GET', '/.netlify/functions/envsync-health')) as { status: string };
  print(`   public answer: status ${publicHealth.status} (name and version only, nothing else without a token)`);
  const health = expectOk(await runtime.call('GET', '/.netlify/functions/envsync-health', { token: apiToken })) as {
    version: string;
    role: string;
    enabled: boolean;
    mode: string;
    schedule: string;
    targets: { provider: string; id: string; token: { found: boolean; source?: string }; lastSync: unknown }[];
  };
  print(`   version ${health.version}, role: ${health.role}, enabled: ${String(health.enabled)}, mode: ${health.mode}, schedule: ${health.schedule}`);
  for (const target of health.targets) {
    const token = target.token.found ? green(`found (${target.token.source ?? ''})`) : target.lastSync === null ? 'not checked yet (no run so far)' : red('missing');
    print(`   ${target.provider.padEnd(8)} ${target.id.padEnd(26)} token: ${token}`);
  }

  step('2. Dry-run: what would change', 'POST /.netlify/functions/envsync-dry-run/{render,netlify,vercel}');
  for (const provider of providers) showReports(await sync(`/.netlify/functions/envsync-dry-run/${provider}`), 'plan');

  step('3. Apply every target', 'POST /.netlify/functions/envsync-apply-all');
  const writesBefore = emulator.writeCount();
  showReports(await sync('/.netlify/functions/envsync-apply-all'), 'apply');
  print(dim(`   ${emulator.writeCount() - writesBefore} write requests reached the providers (deploys and builds included)`));
  const deploys = demoTargets.render.map((id) => `${id} ${emulator?.render.deploys(id) ?? 0}`).join(', ');
  print(dim(`   Render deploys: ${deploys}: each service once, although its own variables and those of its env group both changed`));
  print(dim(`   unmanaged variables left as they were: ${unmanagedKeys(emulator).join(', ')}`));

  step('4. Dry-run again: nothing left to do', 'POST /.netlify/functions/envsync-dry-run/{render,netlify,vercel}');
  const writesAfter = emulator.writeCount();
  const vercelReadsBefore = emulator.vercel.requests.length;
  const again: Report[] = [];
  for (const provider of providers) again.push(...(await sync(`/.netlify/functions/envsync-dry-run/${provider}`)));
  showReports(again, 'plan');
  print(dim(`   Vercel: ${emulator.vercel.requests.length - vercelReadsBefore} request(s) for ${demoTargets.vercel.length} project(s): one list each, hidden values compared through the ledger`));
  const allNoop = again.every((report) => report.summary.create + report.summary.update + report.summary.delete === 0 && report.errors.length === 0);
  print();
  print(allNoop && emulator.writeCount() === writesAfter ? green(bold('Every target is in sync: the second dry-run plans only no-ops.')) : red(bold('Something is still out of sync; see above.')));
  print();
  print(dim('Run it yourself: `npm run emulator` in one terminal, `cp .env.example .env && npm start` in another; docs/functions.md has every endpoint.'));
}

/** Keys outside the canonical set on each sample target, as the emulator holds them now. */
function unmanagedKeys(fake: Emulator): string[] {
  const managed = (key: string) => key in demoCanonical;
  return [
    ...demoTargets.render.flatMap((id) => Object.keys(fake.render.variables(id)).filter((key) => !managed(key)).map((key) => `${key} (${id})`)),
    ...demoEnvGroups.flatMap((id) => Object.keys(fake.render.groupVariables(id)).filter((key) => !managed(key)).map((key) => `${key} (env group ${id})`)),
    ...demoTargets.netlify.flatMap((id) => fake.netlify.keys(id).filter((key) => !managed(key)).map((key) => `${key} (${id})`)),
    ...demoTargets.vercel.flatMap((id) =>
      fake.vercel
        .records(id)
        .filter((record) => !managed(record.key) || record.gitBranch !== undefined)
        .map((record) => `${record.key}${record.gitBranch === undefined ? '' : ` [preview:${record.gitBranch}]`} (${id})`),
    ),
  ];
}

function step(title: string, request: string): void {
  print();
  print(`${bold(title)}  ${dim(request)}`);
}

async function sync(path: string): Promise<Report[]> {
  if (runtime === undefined) throw new Error('runtime not started');
  return parseSyncBody(expectOk(await runtime.call('POST', path, { token: apiToken }))).results;
}

function expectOk(result: CallResult): unknown {
  if (result.status >= 200 && result.status < 300) return result.json;
  throw new Error(`HTTP ${result.status}: ${result.text}`);
}

const symbols: Record<string, string> = { create: green('+'), update: yellow('~'), delete: red('-'), noop: dim('=') };

function showReports(reports: readonly Report[], kind: 'plan' | 'apply'): void {
  for (const report of reports) {
    const { create, update, delete: remove, noop } = report.summary;
    const verb = kind === 'plan' ? 'would' : report.applied ? 'did' : 'did not';
    const counts = create + update + remove === 0 ? green(`in sync (${noop} unchanged)`) : `${verb} create ${create}, update ${update}, delete ${remove}; ${noop} unchanged`;
    print(`   ${report.provider.padEnd(8)} ${report.target.padEnd(26)} ${counts}`);
    for (const change of report.changes.filter((item) => item.op !== 'noop')) {
      print(`      ${symbols[change.op] ?? '?'} ${change.key}${change.context === undefined ? '' : dim(` [${change.context}]`)}`);
    }
    for (const skip of report.skipped) print(dim(`      (left alone: ${skip.key}${skip.context === undefined ? '' : ` [${skip.context}]`}, ${skip.detail ?? skip.reason})`));
    for (const warning of report.warnings ?? []) print(yellow(`      ! ${warning.code}: ${warning.message}`));
    for (const error of report.errors) print(red(`      ! ${error.code}: ${error.message}`));
  }
}

async function shutdown(): Promise<void> {
  await runtime?.stop().catch(() => undefined);
  await emulator?.stop().catch(() => undefined);
}

process.once('SIGINT', () => {
  void shutdown().finally(() => process.exit(130));
});

try {
  await main();
} catch (error) {
  print(red(`Demo failed: ${error instanceof Error ? error.message : String(error)}`));
  process.exitCode = 1;
} finally {
  await shutdown();
}
