import { SyncError } from '../../errors.ts';
import { parseResponse, readJson } from '../../http/client.ts';
import { envVarsPath, renderName, type RenderContext } from './context.ts';
import { envVarPageSchema, type EnvVar } from './schemas.ts';

/** Render's largest page size: 1,000 variables cost 10 full pages and at most one empty one. */
export const pageLimit = 100;

/**
 * Most pages one read follows (50,000 variables), so a provider that keeps handing out cursors
 * cannot keep a sync reading until its time budget is gone.
 */
export const maxPages = 500;

/** A service's own variables, in Render's order, and what reading them cost. */
export interface ServiceVariables {
  readonly variables: readonly EnvVar[];
  readonly requests: number;
}

export interface ReadOptions {
  /**
   * Follow cursors until an EMPTY page, instead of stopping at the first short one.
   *
   * Why: the replace-all write deletes whatever its body lacks, so the read it is built from must
   * be complete even if Render served pages smaller than asked (a lower cap than the documented
   * 100 would make every page "short"). Costs at most one more request.
   */
  readonly untilEmptyPage?: boolean;
}

/**
 * Reads every variable set directly on a Render service (`GET /services/{id}/env-vars?limit=100`,
 * following the cursor of each page's last item). Variables of linked env groups are not listed.
 *
 * Every page is validated; a page of the wrong shape, a repeated cursor or a key listed twice
 * fails the read, because a partial list would plan deletions or drop variables from a
 * replace-all body.
 *
 * @throws SyncError `provider-not-found` naming the service id and RENDER_SERVICE_ID,
 *   `provider-response-invalid`, or the mapped HTTP failure.
 */
export async function readServiceVariables(
  context: RenderContext,
  serviceId: string,
  options: ReadOptions = {},
): Promise<ServiceVariables> {
  const path = envVarsPath(serviceId);
  const endpoint = `GET /${path}`;
  const variables: EnvVar[] = [];
  const seenKeys = new Set<string>();
  const seenCursors = new Set<string>();
  let cursor: string | undefined;

  for (let requests = 1; requests <= maxPages; requests += 1) {
    const page = await readPage(context, serviceId, endpoint, cursor);
    for (const { envVar } of page) {
      if (seenKeys.has(envVar.key)) throw invalid(endpoint, `listed ${envVar.key} twice across pages`);
      seenKeys.add(envVar.key);
      variables.push(envVar);
    }
    const last = page.at(-1);
    const finished = last === undefined || (!options.untilEmptyPage && page.length < pageLimit);
    if (finished) return { variables, requests };
    if (seenCursors.has(last.cursor)) throw invalid(endpoint, 'returned a cursor it had already returned');
    seenCursors.add(last.cursor);
    cursor = last.cursor;
  }
  throw invalid(endpoint, `still had more pages after ${maxPages} (${variables.length} variables)`);
}

async function readPage(context: RenderContext, serviceId: string, endpoint: string, cursor: string | undefined) {
  const searchParams: Record<string, string | number> = { limit: pageLimit };
  if (cursor !== undefined) searchParams['cursor'] = cursor;
  const response = await context.api.send({ method: 'GET', path: envVarsPath(serviceId), searchParams, target: serviceId });
  return parseResponse(envVarPageSchema, await readJson(response, renderName, endpoint), renderName, endpoint);
}

function invalid(endpoint: string, problem: string): SyncError {
  return new SyncError(
    'provider-response-invalid',
    `${renderName} ${endpoint} ${problem}; the list cannot be trusted, so nothing was changed. The next run reads again.`,
  );
}
