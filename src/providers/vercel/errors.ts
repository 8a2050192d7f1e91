import { isSyncError, SyncError } from '../../errors.ts';
import type { FailedItem } from './schemas.ts';
import type { ProjectRecord } from './snapshot.ts';

/**
 * The Vercel provider's one error mapping: what Vercel's answers mean on each route, in words that
 * say the fix. The generic part (auth, 429, 5xx, timeouts) is `toProviderError`, applied once in
 * `./client.ts`; this file decides what a 404 or a 400 means here (an unknown project naming the
 * settings, a record gone since the read, a batch item in conflict, a sensitive-policy refusal).
 */

/** A failed request's Vercel error code and message (already redacted), when the body had them. */
export interface VercelFailure {
  readonly error: SyncError;
  readonly code: string | undefined;
  /** The `failed` items of a refused batch create (reference §5.1: a batch failure may come as an error). */
  readonly failed: readonly FailedItem[];
}

/**
 * A request that failed: the mapped {@link SyncError} itself (same code, message, key, status), plus
 * what Vercel said, so callers that need the `failed` items of a batch can read them and everything
 * else treats it as any SyncError.
 */
export class VercelRequestError extends SyncError {
  constructor(readonly failure: VercelFailure) {
    const { error } = failure;
    super(error.code, error.message, {
      cause: error.cause,
      retryable: error.retryable,
      ...(error.key === undefined ? {} : { key: error.key }),
      ...(error.status === undefined ? {} : { status: error.status }),
    });
  }
}

/** The SyncError of anything a Vercel client call threw, about `key` when given. */
export function syncErrorOf(error: unknown, key?: string): SyncError {
  const base = error instanceof VercelRequestError ? error.failure.error : error;
  if (isSyncError(base)) {
    if (key === undefined || base.key === key) return base;
    return new SyncError(base.code, base.message, { cause: base, key, retryable: base.retryable, ...(base.status === undefined ? {} : { status: base.status }) });
  }
  return new SyncError('internal', 'Unexpected failure while talking to Vercel; see the function log for the stack (values are never logged).', {
    cause: error,
    ...(key === undefined ? {} : { key }),
  });
}

/** Name used in every message. */
export const providerName = 'Vercel';

/** What to do about a rejected token, appended to 401/403 messages. */
export const vercelAuthHint =
  'Create a token at https://vercel.com/account/tokens scoped to the team that owns the projects, store it as VERCEL_API_TOKEN, and set VERCEL_TEAM_ID when the projects belong to a team.';

/**
 * A 4xx Vercel refused, with its code and message. A refusal under a team's sensitive-variable
 * policy says which setting fixes it.
 */
export function rejection(base: SyncError, endpoint: string, code: string | undefined, message: string, key: string | undefined): SyncError {
  const options = { cause: base, ...(base.status === undefined ? {} : { status: base.status }), ...(key === undefined ? {} : { key }) };
  if (isPolicyRefusal(message)) {
    return new SyncError(
      'value-rejected',
      `${providerName} ${endpoint} refused ${key ?? 'the write'}: the team's sensitive environment variables policy requires production and preview values to be sensitive. Set ENVSYNC_VERCEL_TYPE=sensitive (or list the key in ENVSYNC_VERCEL_SENSITIVE_KEYS).`,
      options,
    );
  }
  const said = [code, message === '' ? undefined : `"${message}"`].filter((part) => part !== undefined).join(': ');
  return new SyncError('provider-rejected', `${providerName} ${endpoint} rejected the request with ${base.status ?? 400}${said === '' ? '' : ` (${said})`}.`, options);
}

/** Whether Vercel's message is a sensitive-policy refusal (its code is unverified, so the text decides). */
export function isPolicyRefusal(message: string): boolean {
  return /sensitive/i.test(message) && /polic/i.test(message);
}

/**
 * One failed item as its key's error. `ENV_CONFLICT` means the key was created meanwhile: a re-read
 * turns it into an update. A sensitive-policy refusal names ENVSYNC_VERCEL_TYPE.
 */
export function batchItemError(item: FailedItem, key: string, projectId: string): SyncError {
  const code = item.error.code ?? undefined;
  const message = item.error.message ?? '';
  if (code === 'ENV_CONFLICT' || code === 'ENV_ALREADY_EXISTS' || code === 'EXISTING_KEY_AND_TARGET') {
    return new SyncError('conflict', `${key} already has a record for these environments on Vercel project ${projectId} (created after EnvSync read the project); the next round re-reads and updates it instead.`, {
      key,
      retryable: true,
      status: 400,
    });
  }
  const base = new SyncError('provider-rejected', `Vercel refused ${key}.`, { key, status: 400 });
  if (isPolicyRefusal(message)) return rejection(base, `POST /v10/projects/${projectId}/env`, code, message, key);
  // The item's message is Vercel's text about our request; keep only the code, which cannot quote a value.
  return new SyncError('provider-rejected', `Vercel refused to create ${key} on project ${projectId}${code === undefined ? '' : ` (${code})`}; check the key name and value against Vercel's rules (letters, digits and _, starting with a letter; not a reserved name).`, {
    key,
    status: 400,
  });
}

/** A 404 on a project's env list means an unknown project (or a missing team): say which settings to check. */
export function unknownProjectOr(error: unknown, projectId: string): SyncError {
  const mapped = syncErrorOf(error);
  if (mapped.code !== 'provider-not-found') return mapped;
  return new SyncError(
    'provider-not-found',
    `${providerName} has no project ${projectId} visible to this token. Check ENVSYNC_VERCEL_PROJECT_ID (the Project ID under Project Settings > General, or the project's name) and VERCEL_TEAM_ID (required when the project belongs to a team).`,
    { cause: error instanceof VercelRequestError ? error.failure.error : error, status: 404 },
  );
}

/** A batch create that landed (2xx) with an answer that could not be read. */
export function unknownCreate(key: string, projectId: string): SyncError {
  return new SyncError('outcome-unknown', `Vercel accepted the batch create for project ${projectId} but its answer could not be read, so whether ${key} was created is unknown; EnvSync re-reads before trying again.`, {
    key,
    retryable: true,
  });
}

/** A 404 on a record's edit during a write: someone deleted it since the read. */
export function vanished(record: ProjectRecord, projectId: string, cause: SyncError): SyncError {
  return new SyncError('conflict', `${record.key}'s record was deleted from Vercel project ${projectId} after EnvSync read it; the next round re-reads the project and creates it again.`, {
    key: record.key,
    retryable: true,
    status: 404,
    cause,
  });
}

