import type { Context } from '@netlify/functions';
import { vaultEndpoint } from '../../src/service/endpoints/vault.ts';
import { serve } from '../../src/service/http/endpoint.ts';
import { productionDeps } from '../../src/service/production.ts';

/** GET ?key=NAME: a token for another EnvSync's discovery chain. See docs/integrations.md. */
export default async (req: Request, _context: Context): Promise<Response> => serve(vaultEndpoint, req, productionDeps());
