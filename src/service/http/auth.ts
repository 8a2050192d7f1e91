import { createHash, timingSafeEqual } from 'node:crypto';
import type { EnvSource } from '../../config/load.ts';
import { settingsSchema } from '../../config/settings.ts';
import { SyncError } from '../../errors.ts';

/**
 * Bearer authentication of every endpoint but health.
 *
 * It reads only ENVSYNC_API_TOKEN (through its field of the settings schema), not the whole
 * configuration: a caller without the token learns nothing about what else is misconfigured.
 * Closed by default: with no token configured, every protected endpoint refuses.
 */
export function requireApiToken(request: Request, env: EnvSource): void {
  const expected = settingsSchema.in.shape.ENVSYNC_API_TOKEN.parse(env['ENVSYNC_API_TOKEN']);
  if (expected === undefined) {
    throw new SyncError(
      'unauthorized',
      'ENVSYNC_API_TOKEN is not set, so every endpoint except envsync-health is closed. Set ENVSYNC_API_TOKEN to a long random string (openssl rand -hex 32) in the site environment variables with the Functions scope (locally: in .env), redeploy, and send it as "Authorization: Bearer <token>".',
    );
  }
  const header = request.headers.get('authorization');
  if (header === null || header.trim() === '') {
    throw new SyncError('unauthorized', 'Missing Authorization header: send "Authorization: Bearer <ENVSYNC_API_TOKEN>".');
  }
  const match = /^Bearer[ \t]+(\S+)$/i.exec(header.trim());
  if (match?.[1] === undefined) {
    throw new SyncError('unauthorized', 'The Authorization header must be "Bearer <ENVSYNC_API_TOKEN>" (one token, no other scheme).');
  }
  if (!constantTimeEqual(match[1], expected)) {
    throw new SyncError('unauthorized', 'The bearer token does not match ENVSYNC_API_TOKEN. Check that the token is current and was copied whole.');
  }
}

/**
 * Compares two secrets in time independent of where they differ. Both sides are hashed first so
 * the buffers have equal length and the length of the expected token does not leak either.
 */
export function constantTimeEqual(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
