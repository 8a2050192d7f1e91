import { SyncError } from '../../errors.ts';
import type { Logger } from '../../logging/logger.ts';
import { isNotFound, providerName, segment, type NetlifyClient } from './client.ts';
import { siteSchema } from './schemas.ts';

/** Where a site's account came from: the setting, the site's own lookup, or another site of the run. */
export type AccountSource = 'setting' | 'site' | 'other-site';

/** The account (team) segment of `/accounts/{account}/env` for one site. */
export interface ResolvedAccount {
  readonly account: string;
  readonly source: AccountSource;
}

/**
 * Finds the account every env request needs, once per run.
 *
 * NETLIFY_ACCOUNT_ID wins when set (no request). Otherwise the first site's `GET /sites/{id}` gives
 * `account_slug` (what netlify-cli uses; `account_id` when there is no slug) and every later site
 * reuses it: one token nearly always syncs sites of one team. A site of another team shows up as a
 * 404/403 on its list, and then {@link lookUp} fetches its own account (see `readSite`).
 */
export class AccountResolver {
  readonly #client: NetlifyClient;
  readonly #fixed: string | undefined;
  readonly #logger: Logger;
  readonly #bySite = new Map<string, string>();
  #runAccount: Promise<string> | undefined;

  constructor(client: NetlifyClient, accountSetting: string | undefined, logger: Logger) {
    this.#client = client;
    this.#fixed = accountSetting;
    this.#logger = logger;
  }

  /** The account to read and write `siteId` through. */
  async forSite(siteId: string): Promise<ResolvedAccount> {
    if (this.#fixed !== undefined) return { account: this.#fixed, source: 'setting' };
    const own = this.#bySite.get(siteId);
    if (own !== undefined) return { account: own, source: 'site' };
    if (this.#runAccount === undefined) {
      const pending = this.lookUp(siteId).then((resolved) => resolved.account);
      this.#runAccount = pending;
      // A failed first lookup (an unknown site) must not poison the run: the next site resolves its own.
      pending.catch(() => {
        if (this.#runAccount === pending) this.#runAccount = undefined;
      });
      return { account: await pending, source: 'site' };
    }
    try {
      return { account: await this.#runAccount, source: 'other-site' };
    } catch {
      return this.forSite(siteId);
    }
  }

  /**
   * `GET /sites/{site_id}`: the site's own account, cached for the run.
   * @throws SyncError `provider-not-found` for an unknown site id.
   */
  async lookUp(siteId: string): Promise<ResolvedAccount> {
    try {
      const { body } = await this.#client.sendFor({ method: 'GET', path: `sites/${segment(siteId)}` }, siteSchema);
      const account = body.account_slug || body.account_id || '';
      this.#bySite.set(siteId, account);
      this.#logger.debug('netlify.account_resolved', { site: siteId });
      return { account, source: 'site' };
    } catch (error) {
      if (!isNotFound(error)) throw error;
      throw new SyncError(
        'provider-not-found',
        `${providerName} has no site ${siteId} visible to this token. Check ENVSYNC_NETLIFY_SITE_ID (the Site ID under Site configuration > General > Site details) and that the token's owner is a member of the site's team.`,
        { cause: error, status: 404 },
      );
    }
  }
}
