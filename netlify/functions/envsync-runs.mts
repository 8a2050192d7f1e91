import type { Context } from '@netlify/functions';
import { runsEndpoint } from '../../src/service/endpoints/runs-and-tickets.ts';
import { serve } from '../../src/service/http/endpoint.ts';
import { productionDeps } from '../../src/service/production.ts';

/** GET: recent sync reports, or the progress of a background run. See docs/functions.md. */
export default async (req: Request, _context: Context): Promise<Response> => serve(runsEndpoint, req, productionDeps());
