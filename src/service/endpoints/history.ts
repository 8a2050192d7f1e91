import * as z from 'zod';
import { SyncError } from '../../errors.ts';
import { requireRole } from '../http/auth.ts';
import type { Endpoint } from '../http/endpoint.ts';
import { queryOf } from '../http/inputs.ts';
import { jsonResponse } from '../http/responses.ts';
import { requireNoSubPath } from '../http/route.ts';
import type { historyResponseSchema } from '../http/trust-schemas.ts';

/** Query of envsync-history. */
export const historyQuerySchema = z.strictObject({
  key: z.string().min(1).max(200).regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'expected a variable name'),
  target: z.string().min(1).max(200).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a service or site id').optional(),
  since: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().max(2_000).regex(/^[A-Za-z0-9_-]+$/, 'expected the `next` value of the previous page').optional(),
});

/**
 * `GET /.netlify/functions/envsync-history?key=APP_DB_URL` (read token): every change EnvSync made
 * to that key on every target, newest first; `?target=`, `?since=` (ISO 8601), `?limit=` (1-200,
 * default 50) and `?cursor=` (the previous page's `next`).
 */
export const historyEndpoint: Endpoint = {
  name: 'envsync-history',
  methods: ['GET'],
  async run(request, deps) {
    requireRole(request, deps.env, 'read');
    requireNoSubPath(request, 'envsync-history');
    const query = queryOf(request, historyQuerySchema);
    const sinceMs = query.since === undefined ? undefined : Date.parse(query.since);
    if (sinceMs !== undefined && !Number.isFinite(sinceMs)) {
      throw new SyncError('bad-request', 'Invalid query string: since: expected an ISO 8601 time such as 2026-01-31 or 2026-01-31T12:00:00Z.');
    }
    const storage = await deps.openStorage();
    const page = await storage.history.query({
      key: query.key,
      limit: query.limit ?? 50,
      ...(query.target === undefined ? {} : { target: query.target }),
      ...(sinceMs === undefined ? {} : { sinceMs }),
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
    const answer: z.infer<typeof historyResponseSchema> = { key: query.key, entries: page.entries, ...(page.next === undefined ? {} : { next: page.next }) };
    return jsonResponse(200, answer);
  },
};
