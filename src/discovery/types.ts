import type { DiscoverySettings, EnvSource, TokenSourceKind } from '../config/general.ts';
import type { Logger } from '../logging/logger.ts';

/** What every token source may use. Injected, so tests pass plain objects and a local server. */
export interface DiscoveryContext {
  readonly settings: { readonly discovery: DiscoverySettings };
  readonly env: EnvSource;
  readonly fetch: typeof fetch;
  readonly readFile: (path: string) => Promise<string>;
  readonly logger: Logger;
}

/** The provider whose token is wanted, as the sources need it. */
export interface TokenRequest {
  /** Lower-case provider id, used to match secret file names (`render.token`). */
  readonly provider: string;
  /** The variable name holding the token (`RENDER_API_TOKEN`). */
  readonly tokenName: string;
}

/**
 * What one source found: a token with where it came from, or where it looked and why it found
 * nothing. A source never throws for a miss or a failure: the chain goes on to the next source.
 */
export type SourceResult =
  | { readonly found: true; readonly token: string; readonly source: string; readonly warning?: string }
  | { readonly found: false; readonly looked: readonly string[]; readonly warning?: string };

/** One place a token may come from. */
export interface TokenSource {
  readonly kind: TokenSourceKind;
  lookup(request: TokenRequest, context: DiscoveryContext): Promise<SourceResult>;
}
