/**
 * The one error type EnvSync throws and reports.
 *
 * Every failure a user can meet carries a `code` from a closed union, so the HTTP layer, tickets and
 * reports can branch on it without parsing messages, and a message that says what to do next.
 * Messages name settings, endpoints and variable keys, never a variable's value or a token: a
 * `SyncError` may end up in a log line, a JSON response or a ticket stored in Blobs.
 */

/** Every error code EnvSync produces. Closed on purpose: adding one is a deliberate change. */
export const errorCodes = [
  'config-invalid',
  'canonical-invalid',
  'token-missing',
  'provider-auth',
  'provider-not-found',
  'provider-rate-limited',
  'provider-rejected',
  'provider-unavailable',
  'provider-response-invalid',
  'outcome-unknown',
  'value-rejected',
  'write-skipped',
  'deletion-refused',
  'unmanaged-lost',
  'budget-exhausted',
  'conflict',
  'stale-plan',
  'disabled',
  'bad-request',
  'payload-too-large',
  'unauthorized',
  'forbidden',
  'not-found',
  'method-not-allowed',
  'storage-failed',
  'internal',
] as const;

/** A stable, machine-readable error identifier. */
export type ErrorCode = (typeof errorCodes)[number];

/** Options every {@link SyncError} accepts besides its code and message. */
export interface SyncErrorOptions {
  /** The underlying error, kept for debugging (never serialised into responses). */
  readonly cause?: unknown;
  /** The variable key the error is about, when there is one. A key name, never a value. */
  readonly key?: string;
  /** Whether repeating the same operation later may succeed (rate limits, 5xx, timeouts). */
  readonly retryable?: boolean;
  /** HTTP status of the provider response that caused the error, when there was one. */
  readonly status?: number;
}

/** Longest message kept, so a provider echoing a huge body cannot bloat reports or tickets. */
const maxMessageLength = 1024;

/**
 * Base error of EnvSync: a code, a message that states the fix, and an optional key.
 *
 * @example
 * throw new SyncError('token-missing', 'No Render API token found: looked in RENDER_API_TOKEN, ...')
 */
export class SyncError extends Error {
  override readonly name = 'SyncError';
  readonly code: ErrorCode;
  readonly key: string | undefined;
  readonly retryable: boolean;
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, options: SyncErrorOptions = {}) {
    super(truncate(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.key = options.key;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
  }
}

/** The serialisable form of an error in reports, tickets and responses: no cause, no stack. */
export interface ErrorSummary {
  readonly code: ErrorCode;
  readonly message: string;
  readonly key?: string;
}

/**
 * Turns anything thrown into an {@link ErrorSummary}.
 *
 * Foreign errors become `internal` with a generic message, because their text may quote a request
 * body (and so a value); only our own `SyncError` messages are trusted to be value-free.
 */
export function summarizeError(error: unknown, key?: string): ErrorSummary {
  if (isSyncError(error)) {
    const errorKey = error.key ?? key;
    return errorKey === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, key: errorKey };
  }
  const message = 'Unexpected internal error; see the function log for the stack (values are never logged).';
  return key === undefined ? { code: 'internal', message } : { code: 'internal', message, key };
}

/** Cross-realm-safe check for {@link SyncError} (instanceof fails across bundles). */
export function isSyncError(error: unknown): error is SyncError {
  return error instanceof Error && error.name === 'SyncError' && 'code' in error;
}

function truncate(message: string): string {
  return message.length > maxMessageLength ? `${message.slice(0, maxMessageLength - 1)}…` : message;
}
