import { SyncError } from '../../errors.ts';
import { isProviderId, providerIds, type ProviderId } from '../../providers/index.ts';

/**
 * Finds the provider a request is about. Three forms are accepted, in this order:
 * `/.netlify/functions/<name>/<provider>` (the default URL plus a segment: the local runtime routes
 * it, and `context.params` stays empty there, so it is read from `req.url`),
 * `/envsync/<short name>/<provider>` (the pretty redirect of netlify.toml, in case the platform
 * passes the original path), and `?provider=<provider>` (the only form Netlify documents for
 * production, since sub-paths of v2 functions are not documented).
 *
 * @throws SyncError `not-found` for a missing or unknown provider (listing the known ones) or an
 *   unexpected extra path segment, `bad-request` when the path and the query disagree.
 */
export function providerFromRequest(request: Request, functionName: string): ProviderId {
  const url = new URL(request.url);
  const fromPath = pathSegment(url.pathname, functionName);
  const fromQuery = url.searchParams.get('provider') ?? undefined;
  if (fromPath !== undefined && fromQuery !== undefined && fromPath.toLowerCase() !== fromQuery.toLowerCase()) {
    throw new SyncError('bad-request', `The path names provider "${fromPath}" but ?provider= names "${fromQuery}". Give the provider once.`);
  }
  const given = fromPath ?? fromQuery;
  if (given === undefined || given === '') {
    throw new SyncError(
      'not-found',
      `${functionName} needs a provider: /.netlify/functions/${functionName}/<provider> or ?provider=<provider>, where <provider> is one of ${providerIds.join(', ')}.`,
    );
  }
  const id = given.toLowerCase();
  if (!isProviderId(id)) {
    throw new SyncError('not-found', `Unknown provider "${given.slice(0, 40)}". Known providers: ${providerIds.join(', ')}.`);
  }
  return id;
}

/**
 * Refuses extra path segments on endpoints that take none (`/envsync-runs/x`), so a typo is a 404
 * rather than silently ignored.
 */
export function requireNoSubPath(request: Request, functionName: string): void {
  const extra = pathSegment(new URL(request.url).pathname, functionName);
  if (extra !== undefined) {
    throw new SyncError('not-found', `${functionName} has no sub-path "${extra.slice(0, 40)}"; call /.netlify/functions/${functionName} and pass options in the query string.`);
  }
}

/** The one segment after the function name, `undefined` when there is none. */
function pathSegment(pathname: string, functionName: string): string | undefined {
  const shortName = functionName.replace(/^envsync-/, '');
  const prefixes = [`/.netlify/functions/${functionName}`, `/envsync/${shortName}`];
  const prefix = prefixes.find((candidate) => pathname === candidate || pathname.startsWith(`${candidate}/`));
  if (prefix === undefined) return undefined;
  const rest = pathname.slice(prefix.length).split('/').filter((segment) => segment !== '');
  if (rest.length === 0) return undefined;
  if (rest.length > 1) {
    throw new SyncError('not-found', `No such path ${pathname.slice(0, 120)}: ${functionName} takes at most one segment after its name.`);
  }
  try {
    return decodeURIComponent(rest[0] ?? '');
  } catch {
    throw new SyncError('not-found', `The path segment after ${functionName} is not valid URL encoding.`);
  }
}
