import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { openApiYaml, openApiPath } from './openapi-yaml.ts';

/** `npm run openapi`: rewrites docs/openapi.yaml from the zod schemas. */
const root = resolve(import.meta.dirname, '..');
await writeFile(openApiPath(root), openApiYaml());
process.stdout.write(`wrote ${openApiPath(root)}\n`);
