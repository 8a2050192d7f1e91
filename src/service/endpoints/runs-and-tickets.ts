import { SyncError } from '../../errors.ts';
import { requireRole } from '../http/auth.ts';
import type { Endpoint } from '../http/endpoint.ts';
import { queryOf, runsQuerySchema, ticketsQuerySchema } from '../http/inputs.ts';
import { jsonResponse } from '../http/responses.ts';
import { requireNoSubPath } from '../http/route.ts';

/**
 * `GET /.netlify/functions/envsync-runs`: recent sync reports, newest first, filtered by
 * `?provider=`, `?target=`, `?limit=` (1-100, default 20); or, with `?runId=`, the progress of a
 * run handed to the background function.
 */
export const runsEndpoint: Endpoint = {
  name: 'envsync-runs',
  methods: ['GET'],
  async run(request, deps) {
    requireRole(request, deps.env, 'read');
    requireNoSubPath(request, 'envsync-runs');
    const query = queryOf(request, runsQuerySchema);
    const storage = await deps.openStorage();
    if (query.runId !== undefined) {
      const progress = await storage.runs.getProgress(query.runId);
      if (progress === undefined) {
        throw new SyncError('not-found', `No background run ${query.runId}. Only runs handed to the background function have progress; list reports with ?target= instead.`);
      }
      return jsonResponse(200, { progress });
    }
    const runs = await storage.reports.list({
      limit: query.limit ?? 20,
      ...(query.provider === undefined ? {} : { provider: query.provider }),
      ...(query.target === undefined ? {} : { target: query.target }),
    });
    return jsonResponse(200, { runs });
  },
};

/** `GET /.netlify/functions/envsync-tickets`: drift and failure tickets, `?status=open|resolved`, `?provider=`, `?target=`. */
export const ticketsEndpoint: Endpoint = {
  name: 'envsync-tickets',
  methods: ['GET'],
  async run(request, deps) {
    requireRole(request, deps.env, 'read');
    requireNoSubPath(request, 'envsync-tickets');
    const query = queryOf(request, ticketsQuerySchema);
    const storage = await deps.openStorage();
    const tickets = await storage.tickets.list({
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.provider === undefined ? {} : { provider: query.provider }),
      ...(query.target === undefined ? {} : { target: query.target }),
    });
    return jsonResponse(200, { tickets });
  },
};
