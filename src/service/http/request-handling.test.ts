import { describe, expect, it } from 'vitest';
import { SyncError } from '../../errors.ts';
import { createLogger } from '../../logging/logger.ts';
import { constantTimeEqual, optionalRole, requireRole } from './auth.ts';
import { maxBodyBytes, readJsonBody } from './body.ts';
import { serve, type Endpoint } from './endpoint.ts';
import { syncBodySchema } from './inputs.ts';
import { errorResponse, jsonResponse, statusForCode } from './responses.ts';
import { providerFromRequest, requireNoSubPath } from './route.ts';
import type { ServiceDeps } from '../deps.ts';

const base = 'http://localhost:8888/.netlify/functions';
const lines: string[] = [];
const logger = createLogger({ write: (line) => lines.push(line) });

function thrown(action: () => unknown): SyncError {
  try {
    action();
  } catch (error) {
    if (error instanceof SyncError) return error;
    throw error;
  }
  throw new Error('expected a SyncError');
}

async function rejected(action: () => Promise<unknown>): Promise<SyncError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof SyncError) return error;
    throw error;
  }
  throw new Error('expected a SyncError');
}

describe('requireRole', () => {
  const writeToken = 'the-right-write-token-0123456789abcdef';
  const readToken = 'the-right-read-token-0123456789abcdef';
  const env = { ENVSYNC_API_TOKEN: writeToken, ENVSYNC_READ_TOKEN: readToken };
  const withAuth = (value?: string) => new Request(`${base}/envsync-runs`, value === undefined ? {} : { headers: { authorization: value } });

  it('refuses every request while ENVSYNC_API_TOKEN is unset, and says how to set it', () => {
    const error = thrown(() => requireRole(withAuth('Bearer anything'), {}, 'read'));

    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/ENVSYNC_API_TOKEN is not set.*openssl rand -hex 32.*Authorization: Bearer/);
  });

  it('treats a blank ENVSYNC_API_TOKEN as unset', () => {
    expect(thrown(() => requireRole(withAuth('Bearer  '), { ENVSYNC_API_TOKEN: '  ' }, 'write')).message).toMatch(/is not set/);
  });

  it('refuses a missing header, another scheme and a wrong token with distinct messages', () => {
    expect(thrown(() => requireRole(withAuth(), env, 'write')).message).toMatch(/Missing Authorization header/);
    expect(thrown(() => requireRole(withAuth(`Basic ${writeToken}`), env, 'write')).message).toMatch(/must be "Bearer/);
    expect(thrown(() => requireRole(withAuth('Bearer the-wrong-token'), env, 'write')).message).toMatch(/does not match ENVSYNC_API_TOKEN\./);
    expect(thrown(() => requireRole(withAuth('Bearer the-wrong-token'), env, 'read')).message).toMatch(/does not match ENVSYNC_API_TOKEN or ENVSYNC_READ_TOKEN/);
  });

  it('accepts the configured token, whatever the case of the scheme, and names its role', () => {
    expect(requireRole(withAuth(`Bearer ${writeToken}`), env, 'write')).toBe('write');
    expect(requireRole(withAuth(`bearer ${writeToken}`), env, 'read')).toBe('write');
    expect(requireRole(withAuth(`Bearer ${readToken}`), env, 'read')).toBe('read');
  });

  it('answers 403 naming ENVSYNC_API_TOKEN when the read token calls a write endpoint', () => {
    const error = thrown(() => requireRole(withAuth(`Bearer ${readToken}`), env, 'write'));

    expect(error.code).toBe('forbidden');
    expect(statusForCode(error.code)).toBe(403);
    expect(error.message).toMatch(/ENVSYNC_READ_TOKEN, which may only read.*Send ENVSYNC_API_TOKEN instead/);
  });

  it('lets the read token read when it is the only token configured, and still closes writes', () => {
    const onlyRead = { ENVSYNC_READ_TOKEN: readToken };

    expect(requireRole(withAuth(`Bearer ${readToken}`), onlyRead, 'read')).toBe('read');
    expect(thrown(() => requireRole(withAuth(`Bearer ${readToken}`), onlyRead, 'write')).message).toMatch(/ENVSYNC_API_TOKEN is not set/);
  });

  it('refuses to run with a token shorter than 32 characters, naming the setting but not the token', () => {
    const error = thrown(() => requireRole(withAuth('Bearer short-token'), { ENVSYNC_API_TOKEN: 'short-token', ENVSYNC_READ_TOKEN: 'also-short' }, 'read'));

    expect(error.code).toBe('config-invalid');
    expect(error.message).toMatch(/ENVSYNC_API_TOKEN: expected at least 32 characters.*; ENVSYNC_READ_TOKEN: expected at least 32/);
    expect(error.message).not.toContain('short-token');
  });

  it('optionalRole: no header is the public view, a wrong header is refused', () => {
    expect(optionalRole(withAuth(), env)).toBeUndefined();
    expect(optionalRole(withAuth(`Bearer ${readToken}`), env)).toBe('read');
    expect(thrown(() => optionalRole(withAuth('Bearer the-wrong-token'), env)).code).toBe('unauthorized');
  });

  it('never quotes the token it was sent or expects', () => {
    const error = thrown(() => requireRole(withAuth('Bearer the-wrong-token'), env, 'write'));

    expect(error.message).not.toContain('the-wrong-token');
    expect(error.message).not.toContain(writeToken);
    expect(error.message).not.toContain(readToken);
  });

  it('compares tokens of different lengths without throwing', () => {
    expect(constantTimeEqual('a', 'a much longer token')).toBe(false);
    expect(constantTimeEqual('same', 'same')).toBe(true);
  });
});

describe('providerFromRequest', () => {
  const provider = (url: string) => providerFromRequest(new Request(url), 'envsync-apply');

  it('reads the provider from the path segment after the function name', () => {
    expect(provider(`${base}/envsync-apply/render`)).toBe('render');
    expect(provider(`${base}/envsync-apply/netlify/`)).toBe('netlify');
    expect(provider(`${base}/envsync-apply/Render`)).toBe('render');
  });

  it('reads it from ?provider= and from the pretty /envsync/ path', () => {
    expect(provider(`${base}/envsync-apply?provider=netlify`)).toBe('netlify');
    expect(provider('http://localhost:8888/envsync/apply/render')).toBe('render');
  });

  it('answers 404 for an unknown provider, listing the known ones', () => {
    const error = thrown(() => provider(`${base}/envsync-apply/heroku`));

    expect(error.code).toBe('not-found');
    expect(error.message).toBe('Unknown provider "heroku". Known providers: render, netlify, vercel.');
  });

  it('answers 404 when no provider is given, showing both forms', () => {
    expect(thrown(() => provider(`${base}/envsync-apply`)).message).toMatch(/envsync-apply\/<provider> or \?provider=<provider>/);
  });

  it('answers 404 for extra path segments and 400 when the path and the query disagree', () => {
    expect(thrown(() => provider(`${base}/envsync-apply/render/extra`)).code).toBe('not-found');
    expect(thrown(() => provider(`${base}/envsync-apply/render?provider=netlify`)).code).toBe('bad-request');
  });

  it('refuses a sub-path on endpoints that take none', () => {
    expect(thrown(() => requireNoSubPath(new Request(`${base}/envsync-runs/x`), 'envsync-runs')).code).toBe('not-found');
    expect(() => requireNoSubPath(new Request(`${base}/envsync-runs?limit=2`), 'envsync-runs')).not.toThrow();
  });
});

describe('readJsonBody', () => {
  const post = (body: BodyInit | null, headers: Record<string, string> = {}) => new Request(`${base}/envsync-apply/render`, { method: 'POST', body, headers });

  it('reads an empty body as an empty object', async () => {
    expect(await readJsonBody(post(null), syncBodySchema)).toEqual({});
    expect(await readJsonBody(post('  '), syncBodySchema)).toEqual({});
  });

  it('reads a target', async () => {
    expect(await readJsonBody(post('{"target":"srv-a"}'), syncBodySchema)).toEqual({ target: 'srv-a' });
  });

  it('refuses a body that is not JSON without quoting it', async () => {
    const error = await rejected(() => readJsonBody(post('{"target": SECRET-ish'), syncBodySchema));

    expect(error.code).toBe('bad-request');
    expect(error.message).toMatch(/not valid JSON/);
    expect(error.message).not.toContain('SECRET');
  });

  it('refuses a body over the limit, announced or streamed', async () => {
    const big = 'x'.repeat(maxBodyBytes + 1);
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });

    expect((await rejected(() => readJsonBody(post(big, { 'content-length': String(big.length) }), syncBodySchema))).message).toMatch(/larger than 16 KiB/);
    expect((await rejected(() => readJsonBody(new Request(`${base}/x`, { method: 'POST', body: streamed, duplex: 'half' } as RequestInit), syncBodySchema))).message).toMatch(
      /larger than 16 KiB/,
    );
  });

  it('names a misspelt field and a wrong type', async () => {
    expect((await rejected(() => readJsonBody(post('{"traget":"srv-a"}'), syncBodySchema))).message).toMatch(/traget/);
    expect((await rejected(() => readJsonBody(post('{"target":42}'), syncBodySchema))).message).toMatch(/target: .*expected string/);
    expect((await rejected(() => readJsonBody(post('[]'), syncBodySchema))).code).toBe('bad-request');
  });
});

describe('errorResponse', () => {
  const statusOf = (code: ConstructorParameters<typeof SyncError>[0]) => errorResponse(new SyncError(code, 'message'), logger).status;

  it('maps each request error code to its status', () => {
    expect(statusOf('bad-request')).toBe(400);
    expect(statusOf('unauthorized')).toBe(401);
    expect(statusOf('forbidden')).toBe(403);
    expect(statusOf('not-found')).toBe(404);
    expect(statusOf('method-not-allowed')).toBe(405);
    expect(statusOf('conflict')).toBe(409);
    expect(statusOf('disabled')).toBe(503);
    expect(statusOf('config-invalid')).toBe(500);
    expect(statusOf('storage-failed')).toBe(500);
  });

  it('answers { error: { code, message } }', async () => {
    const response = errorResponse(new SyncError('bad-request', 'Send a target.'), logger);

    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toEqual({ error: { code: 'bad-request', message: 'Send a target.' } });
  });

  it('hides the message of a foreign error, which may quote a value, and logs only its stack frames', async () => {
    lines.length = 0;
    const response = errorResponse(new TypeError('cannot read value hunter2'), logger);

    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('internal');
    expect(JSON.stringify(body)).not.toContain('hunter2');
    expect(lines.join('\n')).not.toContain('hunter2');
    expect(lines.join('\n')).toContain('"errorName":"TypeError"');
  });

  it('sends Allow with a 405 and WWW-Authenticate with a 401', () => {
    expect(errorResponse(new SyncError('method-not-allowed', 'm'), logger, { allow: ['GET'] }).headers.get('allow')).toBe('GET');
    expect(errorResponse(new SyncError('unauthorized', 'm'), logger).headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});

describe('serve', () => {
  const deps = { logger } as unknown as ServiceDeps;
  const endpoint: Endpoint = { name: 'envsync-test', methods: ['POST'], run: () => Promise.resolve(jsonResponse(200, { ok: true })) };

  it('answers 405 with Allow for a method the endpoint does not take', async () => {
    const response = await serve(endpoint, new Request(`${base}/envsync-test`), deps);

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toEqual({ error: { code: 'method-not-allowed', message: expect.stringMatching(/accepts POST only, not GET/) as unknown } });
  });

  it('turns anything the endpoint throws into the error shape', async () => {
    const failing: Endpoint = { ...endpoint, run: () => Promise.reject(new SyncError('conflict', 'Busy.')) };

    const response = await serve(failing, new Request(`${base}/envsync-test`, { method: 'POST' }), deps);

    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ error: { code: 'conflict', message: 'Busy.' } });
  });
});
