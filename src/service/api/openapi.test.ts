import { readdir, readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { openApiPath, openApiYaml } from '../../../scripts/openapi-yaml.ts';
import { errorCodes } from '../../errors.ts';
import { openApiDocument } from './openapi.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');

interface Doc {
  paths: Record<string, Record<string, { operationId: string; security: unknown[]; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

const document = openApiDocument() as unknown as Doc;
const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ path, method, ...operation })));

describe('docs/openapi.yaml', () => {
  it('is what `npm run openapi` generates from the zod schemas (regenerate it after changing them)', async () => {
    expect(await readFile(openApiPath(root), 'utf8')).toBe(openApiYaml());
  });

  it('parses back to the generated document', async () => {
    expect(parse(await readFile(openApiPath(root), 'utf8'))).toEqual(document);
  });

  it('describes every HTTP function in netlify/functions (the scheduled one is not callable by URL)', async () => {
    const functions = (await readdir(resolve(root, 'netlify', 'functions'))).map((file) => basename(file).replace(/\.m?[jt]s$/, '')).filter((name) => name !== 'envsync-scheduled');
    const documented = new Set(Object.keys(document.paths).map((path) => path.split('/')[3]));

    expect([...functions].sort()).toEqual([...documented].sort());
  });

  it('has unique operation ids, and every operation names its security', () => {
    const ids = operations.map((operation) => operation.operationId);

    expect(new Set(ids).size).toBe(ids.length);
    for (const operation of operations) expect(Array.isArray(operation.security)).toBe(true);
  });

  it('declares both bearer schemes, the API token and the read token', () => {
    expect(document.components.securitySchemes).toMatchObject({ apiToken: { type: 'http', scheme: 'bearer' }, readToken: { type: 'http', scheme: 'bearer' } });
  });

  it('compiles every schema as JSON Schema 2020-12 and resolves every $ref', () => {
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema({ $id: 'doc', components: document.components });
    const text = JSON.stringify(document);
    const refs = [...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((match) => match[1] ?? '');

    for (const name of new Set(refs)) expect(document.components.schemas, `$ref ${name}`).toHaveProperty([name]);
    for (const name of Object.keys(document.components.schemas)) expect(() => ajv.compile({ $ref: `doc#/components/schemas/${name}` })).not.toThrow();
  });

  it('names every error code a request can end with in some response', () => {
    const text = JSON.stringify(document.paths);
    const requestCodes = errorCodes.filter((code) => text.includes(`\`${code}\``));

    expect(requestCodes).toEqual(expect.arrayContaining(['bad-request', 'unauthorized', 'not-found', 'method-not-allowed', 'conflict', 'disabled', 'config-invalid', 'canonical-invalid', 'storage-failed', 'internal']));
  });
});
