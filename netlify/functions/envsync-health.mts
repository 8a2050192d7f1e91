import type { Context } from '@netlify/functions';
import { healthEndpoint } from '../../src/service/endpoints/health.ts';
import { serve } from '../../src/service/http/endpoint.ts';
import { productionDeps } from '../../src/service/production.ts';

/** GET: public status (version, mode, targets and token sources, last run, open tickets). See docs/functions.md. */
export default async (req: Request, _context: Context): Promise<Response> => serve(healthEndpoint, req, productionDeps());
