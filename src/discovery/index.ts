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
  const looked: string[] = [];
  for (const kind of context.settings.discovery.order) {
    const result = await sources[kind].lookup(request, context);
    if (result.warning !== undefined) {
      context.logger.warn('token.source_failed', { provider: request.provider, source: kind, reason: result.warning });
    }
    if (result.found) {
      context.logger.info('token.discovered', { provider: request.provider, source: result.source });
      return { token: result.token, source: result.source };
    }
    looked.push(...result.looked);
  }
  throw new SyncError(
    'token-missing',
    `No ${request.tokenName} found: looked in ${looked.join(', ')}. Set ${request.tokenName} in the site's environment (Functions scope), or put it in one of those places.`,
  );
}

/**
 * Memoises discovery for one invocation, so each provider's token is looked up once however many
 * targets the run has. A failure is memoised too: every target of the run reports the same error.
 */
export function createTokenCache(context: DiscoveryContext): (request: TokenRequest) => Promise<DiscoveredToken> {
  const found = new Map<string, Promise<DiscoveredToken>>();
  return (request) => {
    let pending = found.get(request.tokenName);
    if (pending === undefined) {
      pending = discoverToken(request, context);
      found.set(request.tokenName, pending);
    }
    return pending;
  };
}
