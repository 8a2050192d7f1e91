import { SyncError } from '../../errors.ts';
import type { Logger } from '../../logging/logger.ts';
import type { AccountResolver } from './account.ts';
import { isNotFound, providerName, segment, type NetlifyClient } from './client.ts';
import { envVarListSchema, type ApiEnvVar } from './schemas.ts';
import { toSnapshot, type SiteSnapshot } from './snapshot.ts';

/** Most pages followed for one site: the env endpoints are documented as unpaginated. */
const maxPages = 50;

/**
 * Reads every variable of a site: `GET /accounts/{account}/env?site_id=`.
 *
 * The account comes from the run's {@link AccountResolver}. When it was learnt from another site
 * and this site answers 404 or 403 (a site in another team), the site's own account is looked up
 * once and the list retried, so a run over sites of two teams still works.
 *
 * @throws SyncError `provider-not-found` naming the site id and the settings to check.
 */
export async function readSite(client: NetlifyClient, accounts: AccountResolver, siteId: string, logger: Logger): Promise<SiteSnapshot> {
  const first = await accounts.forSite(siteId);
  try {
    return await listSite(client, first.account, siteId, logger);
  } catch (error) {
    if (first.source !== 'other-site' || !(error instanceof SyncError) || !isWrongAccount(error)) {
      throw unknownSiteOr(error, siteId, first.source === 'setting');
    }
    const own = await accounts.lookUp(siteId);
    if (own.account === first.account) throw unknownSiteOr(error, siteId, false);
    return listSite(client, own.account, siteId, logger).catch((retryError: unknown) => {
      throw unknownSiteOr(retryError, siteId, false);
    });
  }
}

async function listSite(client: NetlifyClient, account: string, siteId: string, logger: Logger): Promise<SiteSnapshot> {
  const variables: ApiEnvVar[] = [];
  let path: string | undefined = `accounts/${segment(account)}/env?site_id=${encodeURIComponent(siteId)}`;
  const seen = new Set<string>();
  while (path !== undefined) {
    if (seen.size >= maxPages || seen.has(path)) {
      throw new SyncError(
        'provider-response-invalid',
        `${providerName} GET /accounts/${account}/env kept answering with a next page (${seen.size} pages) for site ${siteId}; nothing was changed.`,
      );
    }
    seen.add(path);
    const { body, response } = await client.sendFor({ method: 'GET', path }, envVarListSchema);
    variables.push(...body);
    path = nextPagePath(response.headers.get('link'), client.baseUrl);
  }
  logger.debug('netlify.read', { site: siteId, variables: variables.length, pages: seen.size });
  return toSnapshot(siteId, account, variables);
}

/**
 * The `rel="next"` target of a `Link` header as a path under the API base URL, or `undefined`.
 *
 * Netlify documents `Link` pagination for its API in general but not for the env endpoints, so this
 * is defensive. A next link outside the API base URL is refused rather than followed: the request
 * would carry the token to it.
 */
export function nextPagePath(link: string | null, baseUrl: string): string | undefined {
  if (link === null) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;(.*)$/.exec(part.trim());
    if (match === null || !/\brel\s*=\s*"?next"?/i.test(match[2] ?? '')) continue;
    const target = match[1] ?? '';
    const base = `${baseUrl.replace(/\/+$/, '')}/`;
    if (!URL.canParse(target, base)) break;
    const url = new URL(target, base);
    if (!url.href.startsWith(base)) {
      throw new SyncError(
        'provider-response-invalid',
        `${providerName} answered with a next-page link outside NETLIFY_API_URL (${url.origin}); EnvSync does not send the token there, and nothing was changed.`,
      );
    }
    return url.href.slice(base.length);
  }
  return undefined;
}

function isWrongAccount(error: SyncError): boolean {
  return error.code === 'provider-not-found' || error.status === 403;
}

/** A 404 on a site's variables means an unknown site id (or a wrong account): say which settings to check. */
function unknownSiteOr(error: unknown, siteId: string, accountFromSetting: boolean): unknown {
  if (!isNotFound(error)) return error;
  const account = accountFromSetting ? ', or NETLIFY_ACCOUNT_ID names a team that does not own it' : '';
  return new SyncError(
    'provider-not-found',
    `${providerName} has no site ${siteId} visible to this token${account}. Check ENVSYNC_NETLIFY_SITE_ID (the Site ID under Site configuration > General > Site details).`,
    { cause: error, status: 404 },
  );
}
