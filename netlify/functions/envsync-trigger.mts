import type { Context } from '@netlify/functions';
import { triggerEndpoint } from '../../src/service/endpoints/trigger.ts';
import { serve } from '../../src/service/http/endpoint.ts';
import { productionDeps } from '../../src/service/production.ts';

/** POST: SECRET_ROTATED (sync only those keys) or EMERGENCY_SYNC (apply-all now). See docs/integrations.md. */
export default async (req: Request, _context: Context): Promise<Response> => serve(triggerEndpoint, req, productionDeps());
