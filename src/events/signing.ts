import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures. A receiver recomputes HMAC-SHA256 over `<timestamp>.<body>` with the shared
 * ENVSYNC_WEBHOOK_SECRET and compares it with `X-EnvSync-Signature: v1=<hex>`; signing the timestamp
 * with the body lets it refuse a replayed request by its age. docs/integrations.md has the same check
 * as a copy-paste receiver.
 */

/** Headers every webhook carries. */
export const webhookHeaders = {
  signature: 'x-envsync-signature',
  timestamp: 'x-envsync-timestamp',
  eventId: 'x-envsync-event-id',
  eventType: 'x-envsync-event',
} as const;

/** Oldest timestamp a receiver should accept, in seconds. */
export const signatureToleranceSeconds = 5 * 60;

/** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex')}`;
}

/** Why a webhook was refused, or `undefined` when it is authentic and fresh. */
export function verifyWebhook(
  secret: string,
  headers: { readonly signature: string | null | undefined; readonly timestamp: string | null | undefined },
  body: string,
  nowSeconds: number,
): 'missing-headers' | 'stale' | 'bad-signature' | undefined {
  if (!headers.signature || !headers.timestamp || !/^\d{1,12}$/.test(headers.timestamp)) return 'missing-headers';
  const timestamp = Number(headers.timestamp);
  if (Math.abs(nowSeconds - timestamp) > signatureToleranceSeconds) return 'stale';
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'bad-signature';
}
