import type { TokenSourceKind } from '../config/general.ts';
import { SyncError } from '../errors.ts';
import { dashboardSource } from './dashboard.ts';
import { envSource } from './env-source.ts';
import { secretFilesSource } from './secret-files.ts';
import type { DiscoveryContext, TokenRequest, TokenSource } from './types.ts';
import { vaultSource } from './vault.ts';

export type { DiscoveryContext, TokenRequest } from './types.ts';

/** Every token source, by the name ENVSYNC_DISCOVERY_ORDER uses. */
const sources: Record<TokenSourceKind, TokenSource> = {
  env: envSource,
  secret_files: secretFilesSource,
  vault: vaultSource,
  dashboard: dashboardSource,
};

/** A discovered token and where it came from. Only `source` may be shown or stored. */
export interface DiscoveredToken {
  readonly token: string;
  readonly source: string;
}

/**
 * Finds a provider's API token by trying each source of ENVSYNC_DISCOVERY_ORDER in turn. A source
 * that fails (missing or empty file, timeout, 5xx, HTML instead of JSON) is logged as a warning and
 * the next one is tried.
 *
 * @throws SyncError `token-missing` naming every place looked, when no source has the token.
 */
export async function discoverToken(request: TokenRequest, context: DiscoveryContext): Promise<DiscoveredToken> {
  const result = await searchChain(request, context, 0, undefined);
  if (result.found !== undefined) return { token: result.found.token, source: result.found.source };
  throw new SyncError(
    'token-missing',
    `No ${request.tokenName} found: looked in ${result.looked.join(', ')}. Set ${request.tokenName} in the site's environment (Functions scope), or put it in one of those places.`,
  );
}

interface ChainResult {
  readonly found: (DiscoveredToken & { readonly position: number }) | undefined;
  readonly looked: readonly string[];
}

/** Tries the sources of ENVSYNC_DISCOVERY_ORDER from `start`, skipping a source that offers `rejected` again. */
async function searchChain(request: TokenRequest, context: DiscoveryContext, start: number, rejected: string | undefined): Promise<ChainResult> {
  const looked: string[] = [];
  const order = context.settings.discovery.order;
  for (let position = start; position < order.length; position += 1) {
    const kind = order[position];
    if (kind === undefined) continue;
    const result = await sources[kind].lookup(request, context);
    if (result.warning !== undefined) {
      context.logger.warn('token.source_failed', { provider: request.provider, source: kind, reason: result.warning });
    }
    if (result.found && result.token === rejected) {
      looked.push(`${result.source} (the same rejected token)`);
      continue;
    }
    if (result.found) {
      context.logger.info('token.discovered', { provider: request.provider, source: result.source });
      return { found: { token: result.token, source: result.source, position }, looked };
    }
    looked.push(...result.looked);
  }
  return { found: undefined, looked };
}

/** A token cache for one run: look-ups, and one refresh per token after a provider rejected it. */
export interface TokenCache {
  (request: TokenRequest): Promise<DiscoveredToken>;
  /**
   * After the provider answered 401 to `rejected`: drops it from the cache and looks through the
   * rest of the discovery chain (the sources after the one that supplied it), once per run and
   * token name; a second call returns the first call's answer.
   *
   * @throws SyncError `provider-auth` naming every place looked when no other source has a
   *   different token.
   */
  refresh(request: TokenRequest, rejected: DiscoveredToken, providerName: string): Promise<DiscoveredToken>;
}

/**
 * Memoises discovery for one invocation, so each provider's token is looked up once however many
 * targets the run has. A failure is memoised too: every target of the run reports the same error.
 */
export function createTokenCache(context: DiscoveryContext): TokenCache {
  const found = new Map<string, Promise<DiscoveredToken & { readonly position?: number }>>();
  const refreshed = new Map<string, Promise<DiscoveredToken>>();
  const lookup = (request: TokenRequest) => {
    let pending = found.get(request.tokenName);
    if (pending === undefined) {
      pending = searchChain(request, context, 0, undefined).then((result) => {
        if (result.found !== undefined) return result.found;
        throw new SyncError(
          'token-missing',
          `No ${request.tokenName} found: looked in ${result.looked.join(', ')}. Set ${request.tokenName} in the site's environment (Functions scope), or put it in one of those places.`,
        );
      });
      found.set(request.tokenName, pending);
    }
    return pending;
  };
  const cache = (request: TokenRequest) => lookup(request).then(({ token, source }) => ({ token, source }));
  cache.refresh = (request: TokenRequest, rejected: DiscoveredToken, providerName: string) => {
    let pending = refreshed.get(request.tokenName);
    if (pending === undefined) {
      pending = (async () => {
        const previous = await found.get(request.tokenName)?.catch(() => undefined);
        const start = previous?.token === rejected.token && previous.position !== undefined ? previous.position + 1 : 0;
        context.logger.warn('token.rejected', { provider: request.provider, source: rejected.source });
        const result = await searchChain(request, context, start, rejected.token);
        if (result.found === undefined) {
          const rest = result.looked.length > 0 ? result.looked.join(', ') : 'no other source (it was the last of ENVSYNC_DISCOVERY_ORDER)';
          throw new SyncError(
            'provider-auth',
            `${providerName} rejected ${request.tokenName} from ${rejected.source} (401), and no other source had a different one: looked in ${rejected.source} (rejected), ${rest}. Put the current token in one of those places (a vault or dashboard is picked up without a redeploy).`,
            { status: 401 },
          );
        }
        const next = { token: result.found.token, source: result.found.source, position: result.found.position };
        found.set(request.tokenName, Promise.resolve(next));
        return { token: next.token, source: next.source };
      })();
      refreshed.set(request.tokenName, pending);
    }
    return pending;
  };
  return cache;
}
