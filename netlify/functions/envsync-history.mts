import type { Context } from '@netlify/functions';
import { historyEndpoint } from '../../src/service/endpoints/history.ts';
import { serve } from '../../src/service/http/endpoint.ts';
import { productionDeps } from '../../src/service/production.ts';

/** GET ?key=: every change EnvSync made to a key, newest first. See docs/trust.md. */
export default async (req: Request, _context: Context): Promise<Response> => serve(historyEndpoint, req, productionDeps());
