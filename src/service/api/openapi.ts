import { historyResponseSchema, releaseResponseSchema, rollbackResponseSchema, stalePlanResponseSchema } from '../http/trust-schemas.ts';
import * as z from 'zod';
import { syncReportSchema } from '../../core/report.ts';
import { errorCodes, type ErrorCode } from '../../errors.ts';
import { providerIds } from '../../providers/index.ts';
import { runProgressSchema } from '../../storage/runs.ts';
import { ticketSchema } from '../../storage/tickets.ts';
import { version } from '../version.ts';
import { statusForCode } from '../http/responses.ts';
import { operations, type Access, type Operation } from './operations.ts';
import {
  errorBodySchema,
  eventsBodySchema,
  healthBodySchema,
  healthDetailsSchema,
  healthPublicSchema,
  progressBodySchema,
  queuedBodySchema,
  runsBodySchema,
  syncBodyResponseSchema,
  ticketsBodySchema,
  vaultBodySchema,
} from './schemas.ts';

/**
 * Builds `docs/openapi.yaml` (OpenAPI 3.1) from the zod schemas of requests and responses and the
 * table of operations, so the document is generated, never hand-written. JSON Schema 2020-12 is
 * OpenAPI 3.1's schema dialect, which is what zod's `toJSONSchema` emits.
 */

type Json = Record<string, unknown>;

const componentRef = (name: string) => `#/components/schemas/${name}`;

/** Named schemas: reused ones become components and are referenced by `$ref`. */
function componentSchemas(): Json {
  const output = z.registry<{ id: string }>();
  const named: [string, z.ZodType][] = [
    ['SyncReport', syncReportSchema],
    ['Ticket', ticketSchema],
    ['RunProgress', runProgressSchema],
    ['Error', errorBodySchema],
    ['HealthDetails', healthDetailsSchema],
    ['HealthPublic', healthPublicSchema],
    ['HealthBody', healthBodySchema],
    ['SyncResponse', syncBodyResponseSchema],
    ['QueuedResponse', queuedBodySchema],
    ['RunsResponse', runsBodySchema],
    ['ProgressResponse', progressBodySchema],
    ['TicketsResponse', ticketsBodySchema],
    ['EventsResponse', eventsBodySchema],
    ['VaultResponse', vaultBodySchema],
    ['RollbackResponse', rollbackResponseSchema],
    ['ReleaseResponse', releaseResponseSchema],
    ['HistoryResponse', historyResponseSchema],
    ['StalePlanResponse', stalePlanResponseSchema],
  ];
  for (const [id, schema] of named) output.add(schema, { id });
  const { schemas } = z.toJSONSchema(output, { io: 'output', target: 'draft-2020-12', uri: componentRef, unrepresentable: 'any' }) as { schemas: Record<string, Json> };
  const clean: Json = {};
  for (const [id] of named) clean[id] = withoutIds(schemas[id] ?? {});
  // envsync-runs answers either shape; the operation points at this union.
  clean['RunsOrProgress'] = { oneOf: [{ $ref: componentRef('RunsResponse') }, { $ref: componentRef('ProgressResponse') }] };
  clean['RollbackOrRelease'] = { oneOf: [{ $ref: componentRef('RollbackResponse') }, { $ref: componentRef('ReleaseResponse') }] };
  return clean;
}

/** A request-side schema, inline. */
function inputSchema(schema: z.ZodType): Json {
  return withoutIds(z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }));
}

/** Drops `$schema` and `$id`: a component is part of the document, not a document of its own. */
function withoutIds(schema: Json): Json {
  return Object.fromEntries(Object.entries(schema).filter(([name]) => name !== '$schema' && name !== '$id'));
}

const securityOf: Record<Access, Json[]> = {
  public: [],
  // An empty requirement first: the token is optional.
  optional: [{}, { readToken: [] }, { apiToken: [] }],
  read: [{ readToken: [] }, { apiToken: [] }],
  write: [{ apiToken: [] }],
  signature: [{ runSignature: [] }],
  vault: [{ vaultToken: [] }],
};

const errorTexts: Record<number, string> = {
  400: 'A bad request: a body that is not JSON, an unknown field, a bad query value, an unknown target.',
  401: 'No token, a wrong token, or no token configured on the server.',
  403: 'A read token on an endpoint that changes targets: send the API token.',
  404: 'An unknown or missing provider, an extra path segment, an unknown run.',
  405: 'A wrong method; the `Allow` header names the right one.',
  409: 'Another sync holds every target of the request, or (apply by planId) the reviewed plan is stale: `stale-plan` with `moved`.',
  413: 'A body over 16 KiB.',
  500: 'Invalid settings or canonical set (every problem is listed), storage unavailable, or a bug.',
  503: 'EnvSync is disabled (ENVSYNC_ENABLED), or the provider is not in ENVSYNC_TARGETS.',
};

/**
 * Codes a request can end with at 500. Every other code maps to 500 as well (see responses.ts),
 * but those (provider-auth, value-rejected, ...) only ever appear inside a target's report: a
 * failing target does not fail the request.
 */
const serverErrorCodes: readonly ErrorCode[] = ['config-invalid', 'canonical-invalid', 'storage-failed', 'internal'];

/** The error codes a request can end with at `status`. */
export function codesForStatus(status: number): ErrorCode[] {
  if (status === 500) return errorCodes.filter((code) => serverErrorCodes.includes(code));
  return errorCodes.filter((code) => statusForCode(code) === status && !serverErrorCodes.includes(code));
}

/** The operations that apply a reviewed plan by planId, so may answer a stale plan. */
const stalePlanOperations = new Set(['apply', 'applyByPath', 'applyAll']);

function errorResponse(status: number, operation: Operation): Json {
  const codes = codesForStatus(status);
  const description = `${errorTexts[status] ?? 'An error.'} Codes: ${codes.map((code) => `\`${code}\``).join(', ')}.`;
  if (operation.operationId === 'health' && status === 500) {
    // Without a token, a misconfigured EnvSync answers its public shape naming the settings at fault.
    const schema = { oneOf: [{ $ref: componentRef('Error') }, { $ref: componentRef('HealthPublic') }] };
    return { description: `${description} Without a token: the public shape with \`status: misconfigured\` and the names of the settings at fault.`, content: { 'application/json': { schema } } };
  }
  if (status === 409 && stalePlanOperations.has(operation.operationId)) {
    // An apply by planId whose plan moved answers `stale-plan` with the slots that moved.
    const schema = { oneOf: [{ $ref: componentRef('Error') }, { $ref: componentRef('StalePlanResponse') }] };
    return { description, content: { 'application/json': { schema } } };
  }
  return { description, content: { 'application/json': { schema: { $ref: componentRef('Error') } } } };
}

const successTexts: Record<number, string> = { 200: 'Done.', 202: 'Accepted: the work continues in the background.' };

function successResponse(status: number, kind: Operation['success'][number], operation: Operation): Json {
  if (kind === 'html') {
    return {
      description: 'The page (text/html), or with `?asset=` its script or style sheet. Security headers on every answer.',
      headers: {
        'Content-Security-Policy': { schema: { type: 'string' } },
        'X-Frame-Options': { schema: { type: 'string', const: 'DENY' } },
        'Referrer-Policy': { schema: { type: 'string', const: 'no-referrer' } },
      },
      content: { 'text/html': { schema: { type: 'string' } }, 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } } },
    };
  }
  if (kind === 'empty') return { description: successTexts[status] ?? 'Accepted.' };
  const schema = operation.operationId === 'runs' ? 'RunsOrProgress' : operation.operationId === 'rollback' ? 'RollbackOrRelease' : kind;
  return { description: successTexts[status] ?? 'Done.', content: { 'application/json': { schema: { $ref: componentRef(schema) } } } };
}

function parameters(operation: Operation): Json[] {
  const list: Json[] = [];
  if (operation.path.includes('{provider}')) list.push({ name: 'provider', in: 'path', required: true, schema: { type: 'string', enum: [...providerIds] } });
  if (operation.providerQuery === true) list.push({ name: 'provider', in: 'query', required: true, schema: { type: 'string', enum: [...providerIds] } });
  if (operation.body !== undefined && operation.method === 'post' && operation.access !== 'signature') {
    // The sync endpoints take their one option from the body or the query string.
    list.push({ name: 'target', in: 'query', required: false, description: 'Restricts the run to one configured target (same as the body field).', schema: { type: 'string' } });
  }
  if (operation.query !== undefined) {
    const schema = inputSchema(operation.query) as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      list.push({ name, in: 'query', required: schema.required?.includes(name) ?? false, schema: property });
    }
  }
  if (operation.operationId === 'dashboard') {
    list.push({ name: 'asset', in: 'query', required: false, schema: { type: 'string', enum: ['app.js', 'style.css'] } });
    list.push({ name: 'v', in: 'query', required: false, description: 'The asset\'s hash prefix; with it the asset may be cached for good.', schema: { type: 'string', maxLength: 64 } });
  }
  return list;
}

function operationObject(operation: Operation): Json {
  const responses: Json = {};
  for (const [status, kind] of Object.entries(operation.success)) responses[status] = successResponse(Number(status), kind, operation);
  // A status whose codes do not exist (yet) is left out rather than documented empty.
  for (const status of operation.errors) if (codesForStatus(status).length > 0) responses[String(status)] = errorResponse(status, operation);
  const body =
    operation.body === undefined
      ? {}
      : { requestBody: { required: operation.access === 'signature', content: { 'application/json': { schema: inputSchema(operation.body) } } } };
  const params = parameters(operation);
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    description: operation.description,
    security: securityOf[operation.access],
    ...(params.length === 0 ? {} : { parameters: params }),
    ...body,
    responses,
  };
}

/** The whole document. */
export function openApiDocument(): Json {
  const paths: Record<string, Json> = {};
  for (const operation of operations) paths[operation.path] = { ...(paths[operation.path] ?? {}), [operation.method]: operationObject(operation) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'EnvSync',
      version,
      summary: 'Keeps the environment variables of Render services and env groups, Netlify sites and Vercel projects equal to one canonical set.',
      description:
        'Generated by `npm run openapi` from the zod schemas in src/ (do not edit by hand). Every answer is JSON with `cache-control: no-store`, except the dashboard. No answer ever contains a variable value, and none a token except the one envsync-vault serves, whose job that is (behind ENVSYNC_VAULT_TOKEN). The scheduled function (`envsync-scheduled`) is not callable by URL in production and is not listed.',
    },
    servers: [
      { url: 'https://{site}', description: 'A Netlify site running EnvSync', variables: { site: { default: 'your-site.netlify.app' } } },
      { url: 'http://localhost:8888', description: 'The local runtime (`npm start`)' },
    ],
    security: [{ apiToken: [] }],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', description: 'ENVSYNC_API_TOKEN: may call everything, including what changes a target.' },
        readToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'ENVSYNC_READ_TOKEN (optional): may call only what cannot change a target (health details, runs, tickets, events, dry-run). A read token on a write endpoint is 403.',
        },
        runSignature: { type: 'apiKey', in: 'header', name: 'X-EnvSync-Signature', description: 'Internal: an HMAC of the run id keyed by ENVSYNC_LEDGER_SECRET, sent by EnvSync to its background function.' },
        vaultToken: { type: 'http', scheme: 'bearer', description: 'ENVSYNC_VAULT_TOKEN: only for envsync-vault, which is off (404) while it is unset. Neither the API nor the read token opens it.' },
      },
    },
  };
}
