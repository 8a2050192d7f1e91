import { parseArgs } from 'node:util';
import { startEmulator } from './server.ts';
import { demoCanonical, demoEnvGroups, demoTargets, demoTokens } from './sample-data.ts';

/**
 * `npm run emulator [-- --port 8899]`: runs the provider emulator with the sample accounts until
 * Ctrl-C, and prints the settings that point `npm start` at it (.env.example holds the same).
 */
const { values } = parseArgs({ options: { port: { type: 'string', default: '8899' }, host: { type: 'string', default: '127.0.0.1' } } });
const emulator = await startEmulator({ port: Number(values.port), host: values.host });

process.stdout.write(
  [
    `Provider emulator listening on ${emulator.url}`,
    '',
    'Point the local functions at it (these are in .env.example):',
    `  RENDER_API_URL=${emulator.renderApiUrl}`,
    `  NETLIFY_API_URL=${emulator.netlifyApiUrl}`,
    `  VERCEL_API_URL=${emulator.vercelApiUrl}`,
    `  VERCEL_API_TOKEN=${demoTokens.vercel}`,
    `  RENDER_API_TOKEN=${demoTokens.render}`,
    `  ENVSYNC_DASHBOARD_TOKEN_URLS=${emulator.dashboardUrl}   (serves NETLIFY_API_TOKEN)`,
    `  RENDER_SERVICE_ID=${demoTargets.render.join(',')}`,
    `  RENDER_ENV_GROUP_ID=${demoEnvGroups.join(',')}`,
    `  ENVSYNC_NETLIFY_SITE_ID=${demoTargets.netlify.join(',')}`,
    `  ENVSYNC_VERCEL_PROJECT_ID=${demoTargets.vercel.join(',')}`,
    `  canonical keys: ${Object.keys(demoCanonical).join(', ')}`,
    '',
    `Key names and request counts: ${emulator.url}/`,
    'Ctrl-C stops it.',
    '',
  ].join('\n'),
);

const stop = () => {
  void emulator.stop().finally(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
