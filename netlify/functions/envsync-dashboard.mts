import type { Context } from '@netlify/functions';
import { dashboardEndpoint } from '../../src/service/endpoints/dashboard.ts';
import { serve } from '../../src/service/http/endpoint.ts';
import { productionDeps } from '../../src/service/production.ts';

/** GET: the dashboard page and its assets (public; the data comes from the token-protected endpoints). See docs/dashboard.md. */
export default async (req: Request, _context: Context): Promise<Response> => serve(dashboardEndpoint, req, productionDeps());
