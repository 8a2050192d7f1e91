import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildDashboardAssets, generatedPath } from './dashboard-assets.ts';

/** `npm run dashboard`: rebuilds src/dashboard/assets.generated.ts from the client sources. */
const root = resolve(import.meta.dirname, '..');
await writeFile(generatedPath(root), await buildDashboardAssets(root));
process.stdout.write(`wrote ${generatedPath(root)}\n`);
