import type { Config, Context } from '@netlify/functions';
import { scheduledEndpoint } from '../../src/service/endpoints/scheduled.ts';
import { serve } from '../../src/service/http/endpoint.ts';
import { productionDeps } from '../../src/service/production.ts';

/** The periodic sync. Netlify triggers it hourly; ENVSYNC_SCHEDULE (@hourly, @daily, off) decides at run time whether it syncs. */
export default async (req: Request, _context: Context): Promise<Response> => serve(scheduledEndpoint, req, productionDeps());

/** Must stay a plain literal: Netlify reads it from the source without running it. */
export const config: Config = { schedule: '@hourly' };
