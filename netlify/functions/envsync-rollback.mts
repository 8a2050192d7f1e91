import type { Context } from '@netlify/functions';
import { rollbackEndpoint } from '../../src/service/endpoints/rollback.ts';
import { serve } from '../../src/service/http/endpoint.ts';
import { productionDeps } from '../../src/service/production.ts';

/** POST: rolls back a run ({ runId }), shows the rollback plan ({ runId, dryRun: true }) or releases a hold ({ release }). See docs/trust.md. */
export default async (req: Request, _context: Context): Promise<Response> => serve(rollbackEndpoint, req, productionDeps());
