import type { NetlifyFake } from './netlify.ts';
import type { RenderFake } from './render.ts';
import type { VercelFake } from './vercel.ts';

/**
 * The sample accounts the demo and `npm run emulator` start with: two Render services and an
 * environment group linked to both, one Netlify site and one Vercel project, each a little out of step with the canonical set, next to variables EnvSync does
 * not manage (they must survive every sync). Made-up values only.
 */

/** The tokens the emulator accepts. The Netlify one is served by the emulator's dashboard too. */
export const demoTokens = { render: 'rnd_demo_token', netlify: 'nfp_demo_token', vercel: 'vercel_demo_token' } as const;

/** The targets of the sample accounts. */
export const demoTargets = { render: ['srv-demo-api', 'srv-demo-worker'], netlify: ['site-demo-web'], vercel: ['prj_demo_app'] } as const;

/**
 * The sample Render environment group (RENDER_ENV_GROUP_ID), linked to both sample services. Kept
 * apart from `demoTargets.render` so the setups that sync services only stay as they were; its
 * target id is `env-group:evg-demo-shared`.
 */
export const demoEnvGroups = ['evg-demo-shared'] as const;

/**
 * Two values that must never leave the providers' side: one inside the canonical set, one inside a
 * variable EnvSync does not manage. Every end-to-end runtime scans its responses, its output and
 * its Blobs sandbox for both when it stops (test/e2e/canary.ts).
 */
export const canaries = { canonical: 'CANARY-c4n0n-7f3a9e1d', unmanaged: 'CANARY-unm4n-2b8d41c6' } as const;

/** The canonical set the demo syncs (keys starting with APP_). */
export const demoCanonical: Readonly<Record<string, string>> = {
  APP_API_URL: 'https://api.example.com/v2',
  APP_FEATURE_FLAGS: 'search,beta-banner',
  APP_LOG_LEVEL: 'info',
  APP_SUPPORT_EMAIL: `help+${canaries.canonical}@example.com`,
};

/**
 * Seeds the sample services, site and project: some keys missing, some stale, some unmanaged. The
 * Vercel project also has a value an integration manages and a preview value for one branch, which
 * EnvSync must leave alone.
 */
export function seedSampleData(render: RenderFake, netlify: NetlifyFake, vercel?: VercelFake): void {
  render.seed('srv-demo-api', {
    APP_API_URL: 'https://api.example.com/v1',
    APP_LOG_LEVEL: 'debug',
    DATABASE_URL: `postgres://demo:${canaries.unmanaged}@db.internal:5432/app`,
  });
  render.seed('srv-demo-worker', { REDIS_URL: 'redis://cache.internal:6379', APP_FEATURE_FLAGS: 'search,beta-banner' });
  // Shared by both services: one stale value, one missing, and a variable EnvSync does not manage.
  render.seedEnvGroup(
    demoEnvGroups[0],
    { APP_LOG_LEVEL: 'warn', SENTRY_DSN: `https://${canaries.unmanaged}@sentry.internal/1` },
    demoTargets.render,
  );
  netlify.addSite({ id: 'site-demo-web', accountId: 'acc-demo', accountSlug: 'demo-team', name: 'demo-web' });
  netlify.seed('site-demo-web', 'APP_API_URL', { values: { all: 'https://api.example.com/v1' } });
  netlify.seed('site-demo-web', 'NODE_VERSION', { values: { all: '20' } });
  if (vercel === undefined) return;
  const [project] = demoTargets.vercel;
  vercel.addProject({ id: project, name: 'demo-app' });
  vercel.addDeployment(project);
  vercel.seed(project, { key: 'APP_LOG_LEVEL', value: 'debug', type: 'plain' });
  // Already the canonical value, but encrypted: EnvSync reads it once by id instead of writing it.
  vercel.seed(project, { key: 'APP_SUPPORT_EMAIL', value: demoCanonical['APP_SUPPORT_EMAIL'] ?? '', type: 'encrypted' });
  vercel.seed(project, { key: 'DATABASE_URL', value: `postgres://demo:${canaries.unmanaged}@neon.internal/app`, configurationId: 'icfg_demo_neon', target: ['production', 'preview'] });
  vercel.seed(project, { key: 'APP_API_URL', value: 'https://api-feature.example.com', type: 'plain', target: ['preview'], gitBranch: 'feature-x' });
}
