import type { Context } from '@netlify/functions';
import { applyEndpoint } from '../../src/service/endpoints/sync.ts';
import { serve } from '../../src/service/http/endpoint.ts';
import { productionDeps } from '../../src/service/production.ts';

/** POST /{provider}: applies the canonical set to every target of a provider. See docs/functions.md. */
export default async (req: Request, _context: Context): Promise<Response> => serve(applyEndpoint, req, productionDeps());
