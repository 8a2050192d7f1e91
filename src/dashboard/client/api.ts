import { forgetToken, sessionToken } from './token.ts';

/**
 * Calls EnvSync's JSON endpoints at their `/.netlify/functions/` URLs: the page may be served at
 * `/envsync/dashboard` through a redirect, but `netlify functions:serve` applies none, and the
 * default URLs work everywhere the functions do.
 */

const base = '/.netlify/functions/';

/**
 * A refused or failed call, with the error code and message EnvSync answered, and the whole body
 * (a stale plan's 409 lists the moved slots next to its error).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown = undefined,
  ) {
    super(message);
  }
}

/** Called when the server refuses the session's token, so the page can ask for another. */
let onUnauthorized: (message: string) => void = () => undefined;

/** Sets what happens when a call answers 401. */
export function whenUnauthorized(handler: (message: string) => void): void {
  onUnauthorized = handler;
}

/**
 * One JSON call with the session's token. A 401 forgets the token and hands over to the prompt;
 * any other failure is thrown as an {@link ApiError} carrying the server's message.
 */
export async function callApi<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const token = sessionToken();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    credentials: 'omit',
    cache: 'no-store',
    referrerPolicy: 'no-referrer',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = errorOf(parsed);
    const failure = new ApiError(response.status, error.code, error.message, parsed);
    if (response.status === 401) {
      forgetToken();
      onUnauthorized(failure.message);
    }
    throw failure;
  }
  return { status: response.status, body: parsed as T };
}

function errorOf(body: unknown): { code: string; message: string } {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const error = (body as { error: { code?: unknown; message?: unknown } }).error;
    if (typeof error.code === 'string' && typeof error.message === 'string') return { code: error.code, message: error.message };
  }
  return { code: 'internal', message: 'EnvSync answered something that is not its JSON error shape; see the function log.' };
}
