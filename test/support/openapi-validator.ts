import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { repoRoot } from '../e2e/project-copy.ts';

/**
 * Checks real HTTP answers against the committed docs/openapi.yaml: the operation must exist, the
 * status must be documented for it, and a JSON body must match the documented schema (JSON Schema
 * 2020-12, OpenAPI 3.1's dialect, checked by ajv).
 */

interface Document {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: { schemas: Record<string, unknown> };
}

/** One answer as a test saw it. */
export interface SeenResponse {
  readonly method: string;
  /** The full URL or the path (with its query). */
  readonly url: string;
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

/** A validator over the committed document. */
export interface OpenApiValidator {
  /** Problems with one answer; empty when it matches the document. */
  problems(response: SeenResponse): string[];
}

/** Loads docs/openapi.yaml and compiles its schemas. */
export function loadOpenApiValidator(): OpenApiValidator {
  const document = parse(readFileSync(join(repoRoot, 'docs', 'openapi.yaml'), 'utf8')) as Document;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'envsync-openapi', components: document.components }, 'envsync-openapi');
  const compiled = new Map<string, ValidateFunction>();
  const compile = (schema: unknown) => {
    const key = JSON.stringify(schema);
    let validate = compiled.get(key);
    if (validate === undefined) {
      // Refs in the document are relative to its root, so they resolve against its $id.
      validate = ajv.compile({ $id: `envsync-response-${compiled.size}`, ...rebase(schema) });
      compiled.set(key, validate);
    }
    return validate;
  };
  return {
    problems(response) {
      const pathname = new URL(response.url, 'http://localhost').pathname;
      const template = matchPath(Object.keys(document.paths), pathname);
      const where = `${response.method} ${pathname} → ${response.status}`;
      if (template === undefined) return [`${where}: no such path in docs/openapi.yaml`];
      const operation = document.paths[template]?.[response.method.toLowerCase()];
      if (operation === undefined) {
        // A method a path does not take is answered 405 with the error body, and is documented by its absence.
        if (response.status !== 405) return [`${where}: the method is not documented for ${template}, and the answer is not a 405`];
        return schemaProblems(compile({ $ref: '#/components/schemas/Error' }), response.body, where);
      }
      const documented = operation.responses[String(response.status)];
      if (documented === undefined) return [`${where}: status ${response.status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`];
      const mediaType = (response.contentType ?? '').split(';')[0]?.trim() ?? '';
      if (documented.content === undefined) return response.body === undefined || response.body === '' ? [] : [`${where}: a body where none is documented`];
      const media = documented.content[mediaType];
      if (media === undefined) return [`${where}: content type ${mediaType || '(none)'} is not documented (documented: ${Object.keys(documented.content).join(', ')})`];
      if (mediaType !== 'application/json') return [];
      return schemaProblems(compile(media.schema), response.body, where);
    },
  };
}

function schemaProblems(validate: ValidateFunction, body: unknown, where: string): string[] {
  if (validate(body)) return [];
  return (validate.errors ?? []).map((error) => `${where}: ${error.instancePath || '(body)'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
}

/** `#/components/...` refs rewritten to the document's $id, so ajv finds them. */
function rebase(schema: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"envsync-openapi#/components/')) as Record<string, unknown>;
}

/** The documented path a request path falls under (`{name}` matches one segment). */
function matchPath(templates: readonly string[], pathname: string): string | undefined {
  const exact = templates.find((template) => template === pathname);
  if (exact !== undefined) return exact;
  return templates.find((template) => {
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return pattern.test(pathname);
  });
}
