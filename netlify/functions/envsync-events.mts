import type { Context } from '@netlify/functions';
import { eventsEndpoint } from '../../src/service/endpoints/events.ts';
import { serve } from '../../src/service/http/endpoint.ts';
import { productionDeps } from '../../src/service/production.ts';

/** GET: the events log, newest first (?type=, ?target=, ?limit=). See docs/integrations.md. */
export default async (req: Request, _context: Context): Promise<Response> => serve(eventsEndpoint, req, productionDeps());
