import type { Context } from '@netlify/functions';
import { applyAllEndpoint } from '../../src/service/endpoints/sync.ts';
import { serve } from '../../src/service/http/endpoint.ts';
import { productionDeps } from '../../src/service/production.ts';

/** POST: applies to every target of every enabled provider (202 + runId for large fleets). See docs/functions.md. */
export default async (req: Request, _context: Context): Promise<Response> => serve(applyAllEndpoint, req, productionDeps());
