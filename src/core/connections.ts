import type { DiscoveredToken, TokenCache, TokenRequest } from '../discovery/index.ts';
import type { Budget } from '../http/budget.ts';
import type { Logger } from '../logging/logger.ts';
import type { EngineSettings, ProviderAdapter, ProviderConnection, ProviderMemory } from './adapter.ts';
import { SyncError } from '../errors.ts';
import type { ProviderSettings } from './provider-settings.ts';

/** A provider's connection for a run, or why there is none (the token could not be found). */
export type ProviderLink =
  | { readonly connection: ProviderConnection; readonly token: DiscoveredToken }
  | { readonly connection: undefined; readonly error: unknown };

/** Opens (once) and hands out each provider's connection for one run. */
export type ConnectionPool = ((provider: string) => Promise<ProviderLink>) & {
  /**
   * After the provider answered 401 to `rejected` (the token of the current link): the connection
   * on the token found by looking through the rest of the discovery chain, which replaces the
   * provider's link for the rest of the run. Looked up once per provider per run; asked again about
   * the refreshed token, it answers a link without connection, so later targets fail without a
   * request. Absent when the token source cannot refresh.
   */
  readonly refresh?: (provider: string, rejected: DiscoveredToken, error: unknown) => Promise<ProviderLink>;
};

/** What the pool needs to open connections. */
export interface ConnectionPoolDeps {
  readonly settings: EngineSettings;
  readonly adapters: Readonly<Record<string, ProviderAdapter>>;
  /** A {@link TokenCache} (with `refresh`) lets the pool replace a token the provider rejected. */
  readonly tokens: TokenCache | ((request: TokenRequest) => Promise<DiscoveredToken>);
  readonly budget: Budget;
  readonly logger: Logger;
  readonly redact: (text: string) => string;
  /**
   * The targets of the run per provider, in the order they will be synced. An adapter reserves
   * shared rate budget for the ones still to come (Render's writes), never for targets that are
   * configured but not part of this run.
   */
  readonly runTargets: Readonly<Record<string, readonly string[]>>;
  readonly fetch?: typeof fetch;
  /** Each provider's memory between runs (see {@link ProviderMemory}); none without storage. */
  readonly memory?: (provider: string) => ProviderMemory;
}

/**
 * One connection per provider per run.
 *
 * Why: a provider's rate limits belong to the token, not to a target. Render allows about 30 writes
 * a minute per API key across every service, Netlify about 500 requests a minute per token across
 * every site. The connection holds the client-side view of those budgets (Render's write budget,
 * Netlify's rate-limit gate and account lookup). A run that connected once per target, as the
 * background function did, started every target with a fresh budget that knew nothing of the
 * writes just sent, and so met the 429s the budget exists to avoid. Every part of a run (each
 * provider's targets, each target of the background function) takes its connection from here.
 */
export function createConnectionPool(deps: ConnectionPoolDeps): ConnectionPool {
  const links = new Map<string, Promise<ProviderLink>>();
  const refreshes = new Map<string, Promise<ProviderLink>>();
  const pool = (provider: string) => {
    let link = links.get(provider);
    if (link === undefined) {
      link = open(provider, deps, (tokenName) => deps.tokens({ provider, tokenName }));
      links.set(provider, link);
    }
    return link;
  };
  const tokens = deps.tokens;
  if (!('refresh' in tokens) || typeof tokens.refresh !== 'function') return pool;
  const refresh = async (provider: string, rejected: DiscoveredToken, error: unknown): Promise<ProviderLink> => {
    const { adapter } = lookUpProvider(provider, deps);
    const earlier = refreshes.get(provider);
    if (earlier !== undefined) {
      const link = await earlier;
      if (link.connection === undefined || link.token.token !== rejected.token) return link;
      // The refreshed token was rejected as well: no other look-up this run.
      const failed: ProviderLink = { connection: undefined, error: rejectedEverywhere(adapter, rejected, error, deps.settings) };
      refreshes.set(provider, Promise.resolve(failed));
      links.set(provider, Promise.resolve(failed));
      return failed;
    }
    const next = open(provider, deps, (tokenName) => tokens.refresh({ provider, tokenName }, rejected, adapter.displayName));
    refreshes.set(provider, next);
    links.set(provider, next);
    return next;
  };
  return Object.assign(pool, { refresh });
}

/** The error of a run in which every token found was rejected. */
function rejectedEverywhere(adapter: ProviderAdapter, rejected: DiscoveredToken, error: unknown, settings: EngineSettings): unknown {
  const status = (error as { status?: unknown }).status;
  if (typeof status !== 'number') return error;
  return new SyncError(
    'provider-auth',
    `${adapter.displayName} answered 401 to every ${adapter.tokenName} found this run, the last from ${rejected.source}; the sources of ENVSYNC_DISCOVERY_ORDER (${settings.discovery.order.join(', ')}) were each looked through once. Put the current token in one of them. ${adapter.authHint}`,
    { status },
  );
}

async function open(provider: string, deps: ConnectionPoolDeps, find: (tokenName: string) => Promise<DiscoveredToken>): Promise<ProviderLink> {
  const { adapter, providerSettings } = lookUpProvider(provider, deps);
  let token: DiscoveredToken;
  try {
    token = await find(adapter.tokenName);
  } catch (error) {
    return { connection: undefined, error };
  }
  const connection = adapter.connect({
    settings: deps.settings,
    provider: providerSettings,
    token: token.token,
    tokenSource: token.source,
    budget: deps.budget,
    logger: deps.logger.child({ provider }),
    redact: deps.redact,
    runTargets: deps.runTargets[provider] ?? providerSettings.targetIds,
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
    ...(deps.memory === undefined ? {} : { memory: deps.memory(provider) }),
  });
  return { connection, token };
}

/**
 * A provider's adapter and its resolved settings, looked up together so an adapter only ever sees
 * the options its own settings fragment produced.
 * @throws SyncError `internal` for an id that is not registered (the service validates ids first).
 */
export function lookUpProvider(
  id: string,
  deps: { readonly adapters: Readonly<Record<string, ProviderAdapter>>; readonly settings: EngineSettings },
): { readonly adapter: ProviderAdapter; readonly providerSettings: ProviderSettings } {
  const adapter = deps.adapters[id];
  const providerSettings = deps.settings.providers[id];
  if (adapter === undefined || providerSettings === undefined) {
    throw new SyncError('internal', `Provider ${id} is not registered; register it in src/providers/index.ts.`);
  }
  return { adapter, providerSettings };
}
