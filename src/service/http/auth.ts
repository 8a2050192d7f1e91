import { createHash, timingSafeEqual } from 'node:crypto';
import type { EnvSource } from '../../config/load.ts';
import { accessTokenSetting } from '../../config/fields.ts';
import { SyncError } from '../../errors.ts';

/**
 * Bearer authentication and the two roles of EnvSync's endpoints.
 *
 * - `write` (ENVSYNC_API_TOKEN): everything, including what changes a target (apply, apply-all,
 *   trigger, rollback, ...).
 * - `read` (the optional ENVSYNC_READ_TOKEN): only what cannot change a target (health details,
 *   runs, tickets, dry-run, events, history). Give it to a dashboard or a monitor, never the API
 *   token.
 *
 * Only the two token settings are read, not the whole configuration: a caller without a token
 * learns nothing about what else is misconfigured. Closed by default: with no token configured, every
 * protected endpoint refuses.
 */

/** What a caller may do: `read` cannot change a target, `write` can. */
export type Role = 'read' | 'write';

const tokenSettingOf: Record<Role, 'ENVSYNC_READ_TOKEN' | 'ENVSYNC_API_TOKEN'> = { read: 'ENVSYNC_READ_TOKEN', write: 'ENVSYNC_API_TOKEN' };

/**
 * Authenticates the request and checks its token grants `needed`. Every endpoint but health calls
 * this first, before reading its body or the settings.
 *
 * @returns the caller's role (a `write` caller may call `read` endpoints, and answers may say so).
 * @throws SyncError `unauthorized` (401) without a valid token, `forbidden` (403) for a read token on
 *   a write endpoint, `config-invalid` when a configured token is too short to be safe.
 */
export function requireRole(request: Request, env: EnvSource, needed: Role): Role {
  const tokens = configuredTokens(env);
  if (tokens.write === undefined && (needed === 'write' || tokens.read === undefined)) {
    throw new SyncError(
      'unauthorized',
      'ENVSYNC_API_TOKEN is not set, so every endpoint except envsync-health is closed. Set ENVSYNC_API_TOKEN to a long random string (openssl rand -hex 32) in the site environment variables with the Functions scope (locally: in .env), redeploy, and send it as "Authorization: Bearer <token>".',
    );
  }
  const given = bearerOf(request, needed);
  if (given === undefined) {
    throw new SyncError('unauthorized', `Missing Authorization header: send "Authorization: Bearer <${describeAccepted(needed)}>".`);
  }
  const role = roleOf(given, tokens);
  if (role === undefined) {
    throw new SyncError('unauthorized', `The bearer token does not match ${describeAccepted(needed)}. Check that the token is current and was copied whole.`);
  }
  if (needed === 'write' && role === 'read') {
    throw new SyncError(
      'forbidden',
      'This endpoint changes targets, and the token sent is ENVSYNC_READ_TOKEN, which may only read (health details, runs, tickets, dry-run). Send ENVSYNC_API_TOKEN instead.',
    );
  }
  return role;
}

/**
 * The role of a caller who may or may not have sent a token (health answers both): `undefined`
 * without an Authorization header, else the role of a valid token.
 *
 * @throws SyncError `unauthorized` for a header that is present but wrong: a caller who sent a
 *   token expects the details, and silently answering the public view would hide the mistake.
 */
export function optionalRole(request: Request, env: EnvSource): Role | undefined {
  const header = request.headers.get('authorization');
  if (header === null || header.trim() === '') return undefined;
  return requireRole(request, env, 'read');
}

/** The `Bearer` token of the request, `undefined` without a header; another scheme is refused. */
function bearerOf(request: Request, needed: Role): string | undefined {
  const header = request.headers.get('authorization');
  if (header === null || header.trim() === '') return undefined;
  const match = /^Bearer[ \t]+(\S+)$/i.exec(header.trim());
  if (match?.[1] === undefined) {
    throw new SyncError('unauthorized', `The Authorization header must be "Bearer <${describeAccepted(needed)}>" (one token, no other scheme).`);
  }
  return match[1];
}

function roleOf(given: string, tokens: Partial<Record<Role, string>>): Role | undefined {
  // Both comparisons always run, so timing does not tell which token was nearly right.
  const write = tokens.write !== undefined && constantTimeEqual(given, tokens.write);
  const read = tokens.read !== undefined && constantTimeEqual(given, tokens.read);
  return write ? 'write' : read ? 'read' : undefined;
}

function describeAccepted(needed: Role): string {
  return needed === 'write' ? 'ENVSYNC_API_TOKEN' : 'ENVSYNC_API_TOKEN or ENVSYNC_READ_TOKEN';
}

/** The configured tokens, each checked for length; a too-short one is a configuration error. */
function configuredTokens(env: EnvSource): Partial<Record<Role, string>> {
  const tokens: Partial<Record<Role, string>> = {};
  const problems: string[] = [];
  for (const role of ['write', 'read'] as const) {
    const name = tokenSettingOf[role];
    const parsed = accessTokenSetting().safeParse(env[name]);
    if (!parsed.success) problems.push(`${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    else if (parsed.data !== undefined) tokens[role] = parsed.data;
  }
  if (problems.length > 0) {
    throw new SyncError('config-invalid', `EnvSync's access tokens are unsafe: ${problems.join('; ')}. Replace each with a random string and redeploy.`);
  }
  return tokens;
}

/**
 * Compares two secrets in time independent of where they differ. Both sides are hashed first so
 * the buffers have equal length and the length of the expected token does not leak either.
 */
export function constantTimeEqual(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
