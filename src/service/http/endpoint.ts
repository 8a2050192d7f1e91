import { SyncError } from '../../errors.ts';
import type { ServiceDeps } from '../deps.ts';
import { errorResponse } from './responses.ts';

/** An HTTP method an endpoint may accept. */
export type Method = 'GET' | 'POST';

/** One function's behaviour: its name (for messages), the methods it accepts, and what it does. */
export interface Endpoint {
  /** The Netlify function name, e.g. `envsync-apply`. */
  readonly name: string;
  readonly methods: readonly Method[];
  readonly run: (request: Request, deps: ServiceDeps) => Promise<Response>;
}

/**
 * Runs an endpoint for one request: refuses a wrong method (405 with `Allow`), and turns anything
 * thrown into the one error response shape. Every function file is `serve(endpoint, req, deps)`.
 */
export async function serve(endpoint: Endpoint, request: Request, deps: ServiceDeps): Promise<Response> {
  try {
    if (!(endpoint.methods as readonly string[]).includes(request.method)) {
      throw new SyncError(
        'method-not-allowed',
        `${endpoint.name} accepts ${endpoint.methods.join(' or ')} only, not ${request.method}. See docs/functions.md for each endpoint's method.`,
      );
    }
    return await endpoint.run(request, deps);
  } catch (error) {
    return errorResponse(error, deps.logger, { allow: endpoint.methods, endpoint: endpoint.name });
  }
}
