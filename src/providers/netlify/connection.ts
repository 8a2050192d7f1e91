import type { RemoteState } from '../../core/plan.ts';
import type { ProviderConnection, ProviderSession } from '../../core/adapter.ts';
import { AccountResolver } from './account.ts';
import { applyToSite } from './apply.ts';
import { NetlifyClient } from './client.ts';
import { managesEveryContext, netlifyContextsFor } from './contexts.ts';
import { readSite } from './read.ts';
import { SiteRebuilder } from './rebuild.ts';
import type { NetlifyOptions } from './settings.ts';
import { toRemoteState, type SiteSnapshot } from './snapshot.ts';

/**
 * Opens the run's Netlify connection: one HTTP client, one account resolution and one rate-limit
 * gate shared by every site. No I/O until the first `read`.
 *
 * `apply` needs more than the diff sees (value ids, scopes, variables left with no values), so
 * `read` keeps the full snapshot next to the `RemoteState` it returns, keyed by that object: the
 * engine hands the same object back to `apply`. A state from elsewhere is answered by a fresh read.
 */
export function connectNetlify(session: ProviderSession<NetlifyOptions>): ProviderConnection {
  const client = new NetlifyClient(session);
  const logger = session.logger;
  const accounts = new AccountResolver(client, session.provider.options.accountId, logger);
  const rebuilder = new SiteRebuilder(client, session);
  const snapshots = new WeakMap<RemoteState, SiteSnapshot>();
  const options = {
    managesEveryContext: managesEveryContext(session.provider.options),
    contextsFor: (key: string) => netlifyContextsFor(key, session.provider.options),
  };

  return {
    async read(siteId) {
      const snapshot = await readSite(client, accounts, siteId, logger);
      const state = toRemoteState(snapshot);
      snapshots.set(state, snapshot);
      return state;
    },

    async apply(siteId, plan, values, remote) {
      const known = snapshots.get(remote);
      const snapshot = known?.siteId === siteId ? known : await readSite(client, accounts, siteId, logger);
      const before = client.requestCount;
      const outcome = await applyToSite({ client, logger, snapshot, values, options }, plan);
      logger.info('netlify.applied', {
        site: siteId,
        done: outcome.done.length,
        errors: outcome.errors.length,
        requests: client.requestCount - before,
      });
      return outcome;
    },

    redeploy: (siteId) => rebuilder.rebuild(siteId),
  };
}
