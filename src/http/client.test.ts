import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { useMswServer } from '../../test/support/msw.ts';
import { createBudget } from './budget.ts';
import { createProviderHttp, parseResponse, toProviderError } from './client.ts';

const server = useMswServer();
const base = 'https://api.example.test/v1';

function client(budgetMs = 20_000) {
  return createProviderHttp({
    providerName: 'Example',
    baseUrl: base,
    token: 'tok_secret',
    tokenSource: 'env:EXAMPLE_TOKEN',
    authHint: 'Create a new key.',
    budget: createBudget(budgetMs),
    maxRetries: 2,
  });
}

const context = { providerName: 'Example', tokenSource: 'env:EXAMPLE_TOKEN', authHint: 'Create a new key.', endpoint: 'PUT /things/x' };

describe('createProviderHttp', () => {
  it('sends bearer auth and Accept: application/json', async () => {
    let auth: string | null = null;
    let accept: string | null = null;
    server.use(
      http.get(`${base}/things`, ({ request }) => {
        auth = request.headers.get('authorization');
        accept = request.headers.get('accept');
        return HttpResponse.json([]);
      }),
    );
    await client().get('things').json();
    expect(auth).toBe('Bearer tok_secret');
    expect(accept).toBe('application/json');
  });

  it('retries a 429 after the Retry-After wait and succeeds', async () => {
    let calls = 0;
    server.use(
      http.put(`${base}/things/x`, () => {
        calls += 1;
        return calls === 1 ? new HttpResponse(null, { status: 429, headers: { 'retry-after': '0' } }) : HttpResponse.json({ ok: true });
      }),
    );
    await expect(client().put('things/x', { json: {} }).json()).resolves.toEqual({ ok: true });
    expect(calls).toBe(2);
  });

  it('rejects a write after three 429s instead of reporting success', async () => {
    let calls = 0;
    server.use(
      http.put(`${base}/things/x`, () => {
        calls += 1;
        return new HttpResponse(null, { status: 429, headers: { 'retry-after': '0' } });
      }),
    );
    const error = await client().put('things/x', { json: {} }).catch((e: unknown) => e);
    expect(calls).toBe(3);
    await expect(toProviderError(error, context)).resolves.toMatchObject({ code: 'provider-rate-limited', retryable: true });
  });

  it('does not start a 429 wait that does not fit the time budget', async () => {
    let calls = 0;
    server.use(
      http.get(`${base}/things`, () => {
        calls += 1;
        return new HttpResponse(null, { status: 429, headers: { 'retry-after': '60' } });
      }),
    );
    await expect(client(10_000).get('things')).rejects.toThrow();
    expect(calls).toBe(1);
  });

  it('does not retry a write that failed with a 5xx: its outcome is unknown', async () => {
    let calls = 0;
    server.use(
      http.post(`${base}/things`, () => {
        calls += 1;
        return new HttpResponse(null, { status: 502 });
      }),
    );
    const error = await client().post('things', { json: [] }).catch((e: unknown) => e);
    expect(calls).toBe(1);
    await expect(toProviderError(error, { ...context, endpoint: 'POST /things' })).resolves.toMatchObject({ code: 'outcome-unknown', retryable: true });
  });

  it('retries a read that failed with a 5xx', async () => {
    let calls = 0;
    server.use(
      http.get(`${base}/things`, () => {
        calls += 1;
        return calls < 2 ? new HttpResponse(null, { status: 503, headers: { 'retry-after': '0' } }) : HttpResponse.json([1]);
      }),
    );
    await expect(client().get('things').json()).resolves.toEqual([1]);
    expect(calls).toBe(2);
  });
});

describe('toProviderError', () => {
  it('names the token source on a 401 and says what to do', async () => {
    server.use(http.get(`${base}/things`, () => HttpResponse.json({ message: 'unauthorized' }, { status: 401 })));
    const error = await client().get('things').catch((e: unknown) => e);
    const mapped = await toProviderError(error, { ...context, endpoint: 'GET /things' });
    expect(mapped.code).toBe('provider-auth');
    expect(mapped.message).toContain('env:EXAMPLE_TOKEN');
    expect(mapped.message).toContain('Create a new key.');
  });

  it("redacts values from a provider's answer to a read", async () => {
    server.use(http.get(`${base}/things/x`, () => HttpResponse.json({ message: 'bad cursor s3cr3t-value' }, { status: 400 })));
    const error = await client().get('things/x').catch((e: unknown) => e);
    const mapped = await toProviderError(error, { ...context, endpoint: 'GET /things/x', redact: (text) => text.replace('s3cr3t-value', '[redacted]') });
    expect(mapped).toMatchObject({ code: 'provider-rejected' });
    expect(mapped.message).toContain('bad cursor [redacted]');
    expect(mapped.message).not.toContain('s3cr3t-value');
  });

  it("drops a provider's words from its answer to a write, even when no redactor knows the value", async () => {
    server.use(http.put(`${base}/things/x`, () => HttpResponse.json({ message: 'variable X already exists with value unknown-to-us' }, { status: 422 })));
    const error = await client().put('things/x', { json: {} }).catch((e: unknown) => e);
    const mapped = await toProviderError(error, { ...context, endpoint: 'PUT /things/x', key: 'APP_X', writePhrases: ['already exists'] });
    expect(mapped).toMatchObject({ code: 'provider-rejected', key: 'APP_X', status: 422 });
    expect(mapped.message).not.toContain('unknown-to-us');
    expect(mapped.message).toContain('"already exists"');
    expect(mapped.message).toContain('may quote a value');
  });
});

describe('parseResponse', () => {
  it('turns a surprise shape into an error naming the endpoint, never an empty result', () => {
    expect(() => parseResponse(z.array(z.object({ key: z.string() })), { error: 'html' }, 'Example', 'GET /things')).toThrow(
      /Example GET \/things returned a response of an unexpected shape/,
    );
  });
});
