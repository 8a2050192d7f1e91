import type { Config, Context } from '@netlify/functions';
import { backgroundEndpoint } from '../../src/service/endpoints/background.ts';
import { serve } from '../../src/service/http/endpoint.ts';
import { productionDeps } from '../../src/service/production.ts';

/** Runs a large sync queued by apply-all or the schedule (15 min limit). Only accepts runs signed by EnvSync. */
export default async (req: Request, _context: Context): Promise<Response> => serve(backgroundEndpoint, req, productionDeps());

/** Background mode: Netlify answers 202 at once and gives the function 15 minutes. A plain literal. */
export const config: Config = { background: true };
