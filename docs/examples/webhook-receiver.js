// A receiver for EnvSync webhooks, in plain Node (no dependencies). Copy it, set
// ENVSYNC_WEBHOOK_SECRET to the same value as on the EnvSync site, and run `node webhook-receiver.js`.
//
// It checks what EnvSync promises: the X-EnvSync-Signature header is `v1=` + the hex HMAC-SHA256 of
// `<X-EnvSync-Timestamp>.<raw body>` keyed by the shared secret; the timestamp (Unix seconds) is at
// most 5 minutes away from now (so a captured request cannot be replayed later); and
// X-EnvSync-Event-Id is new (EnvSync retries, so the same event can arrive twice).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';

const toleranceSeconds = 5 * 60;

/**
 * Returns undefined when the request is authentic and fresh, otherwise why it is not.
 * Verify the RAW body: parsing and re-serialising JSON changes the bytes and breaks the signature.
 */
export function verifyEnvSyncWebhook({ secret, signature, timestamp, body, nowSeconds = Math.floor(Date.now() / 1000) }) {
  if (typeof signature !== 'string' || typeof timestamp !== 'string' || !/^\d+$/.test(timestamp)) return 'missing signature headers';
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return 'timestamp older than 5 minutes';
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`);
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad signature';
  return undefined;
}

/** A receiver: verifies, drops duplicates by event id, answers 2xx fast (EnvSync waits at most a few seconds). */
export function createReceiver({ secret, onEvent, seen = new Set() }) {
  return createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const problem = verifyEnvSyncWebhook({
        secret,
        signature: request.headers['x-envsync-signature'],
        timestamp: request.headers['x-envsync-timestamp'],
        body,
      });
      if (problem !== undefined) {
        response.writeHead(401, { 'content-type': 'text/plain' }).end(problem);
        return;
      }
      const eventId = request.headers['x-envsync-event-id'];
      if (!seen.has(eventId)) {
        seen.add(eventId);
        onEvent(JSON.parse(body));
      }
      response.writeHead(204).end();
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const secret = process.env.ENVSYNC_WEBHOOK_SECRET;
  if (!secret) throw new Error('Set ENVSYNC_WEBHOOK_SECRET');
  const port = Number(process.env.PORT ?? 8787);
  createReceiver({ secret, onEvent: (event) => console.log(event.type, event.provider, event.target, event.outcome, event.keys.join(',')) }).listen(port);
  console.log(`Listening on http://localhost:${port}`);
}
