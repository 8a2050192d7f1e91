import { requireRole } from '../http/auth.ts';
import type { Endpoint } from '../http/endpoint.ts';
import { eventsQuerySchema, queryOf } from '../http/inputs.ts';
import { jsonResponse } from '../http/responses.ts';
import { requireNoSubPath } from '../http/route.ts';

/**
 * `GET /.netlify/functions/envsync-events`: the events log, newest first, filtered by `?type=`
 * (comma-separated event types), `?target=` and `?limit=` (1-200, default 50). Each event carries
 * its delivery outcomes (destination, host, status, attempts), never a receiver's full URL.
 */
export const eventsEndpoint: Endpoint = {
  name: 'envsync-events',
  methods: ['GET'],
  async run(request, deps) {
    requireRole(request, deps.env, 'read');
    requireNoSubPath(request, 'envsync-events');
    const query = queryOf(request, eventsQuerySchema);
    const storage = await deps.openStorage();
    const events = await storage.events.list({
      limit: query.limit ?? 50,
      ...(query.type === undefined ? {} : { types: query.type }),
      ...(query.target === undefined ? {} : { target: query.target }),
    });
    return jsonResponse(200, { events });
  },
};
