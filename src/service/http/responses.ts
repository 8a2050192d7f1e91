import { isSyncError, summarizeError, type ErrorCode } from '../../errors.ts';
import type { Logger } from '../../logging/logger.ts';

/**
 * Every HTTP response EnvSync's functions send is built here, so the shape (`{ error: { code,
 * message } }` for failures) and the status of each error code are decided in one place.
 */

/** The HTTP status for each error code that a request can end with. Anything else is a 500. */
const statusByCode: Partial<Record<ErrorCode, number>> = {
  'bad-request': 400,
  'payload-too-large': 413,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  'stale-plan': 409,
  disabled: 503,
  'config-invalid': 500,
  'canonical-invalid': 500,
};

/** The HTTP status a request that failed with `code` answers with. */
export function statusForCode(code: ErrorCode): number {
  return statusByCode[code] ?? 500;
}

/** A JSON response that no cache keeps: every EnvSync answer describes live state. */
export function jsonResponse(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Response {
  return new Response(`${JSON.stringify(body, null, 2)}\n`, {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** Extra context for {@link errorResponse}. */
export interface ErrorResponseOptions {
  /** The methods the endpoint accepts, sent as `Allow` on a 405. */
  readonly allow?: readonly string[];
  /** The function that failed, for the log line. */
  readonly endpoint?: string;
}

/**
 * THE error-to-response mapper: `{ error: { code, message } }` with the status of the code.
 *
 * Foreign errors (a bug, a library's exception) become `internal` with a generic message, since
 * their text may quote a request or a value; only their stack frames (code locations, no message)
 * reach the log.
 */
export function errorResponse(error: unknown, logger: Logger, options: ErrorResponseOptions = {}): Response {
  const summary = summarizeError(error);
  const status = statusForCode(summary.code);
  const fields = { endpoint: options.endpoint, code: summary.code, status };
  // 503 is a deliberate refusal (disabled), not a failure of EnvSync.
  if (status >= 500 && status !== 503) logger.error('request.failed', isSyncError(error) ? fields : { ...fields, errorName: nameOf(error), frames: framesOf(error) });
  else logger.info('request.refused', fields);
  const headers: Record<string, string> = {};
  if (summary.code === 'method-not-allowed' && options.allow !== undefined) headers['allow'] = options.allow.join(', ');
  if (summary.code === 'unauthorized') headers['www-authenticate'] = 'Bearer realm="envsync"';
  return jsonResponse(status, { error: { code: summary.code, message: summary.message } }, headers);
}

function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** The `at ...` lines of a stack, without the first line (which holds the message). */
function framesOf(error: unknown): string[] {
  if (!(error instanceof Error) || error.stack === undefined) return [];
  return error.stack
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .slice(0, 8)
    .map((line) => line.trim());
}
