import type { Context } from '@netlify/functions';
import { dryRunEndpoint } from '../../src/service/endpoints/sync.ts';
import { serve } from '../../src/service/http/endpoint.ts';
import { productionDeps } from '../../src/service/production.ts';

/** POST /{provider}: plans every target of a provider and writes nothing. See docs/functions.md. */
export default async (req: Request, _context: Context): Promise<Response> => serve(dryRunEndpoint, req, productionDeps());
