import type { Context } from '@netlify/functions';
import { ticketsEndpoint } from '../../src/service/endpoints/runs-and-tickets.ts';
import { serve } from '../../src/service/http/endpoint.ts';
import { productionDeps } from '../../src/service/production.ts';

/** GET: drift and failure tickets. See docs/functions.md. */
export default async (req: Request, _context: Context): Promise<Response> => serve(ticketsEndpoint, req, productionDeps());
