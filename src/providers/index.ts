import type { ProviderId } from './ids.ts';
import { netlifyAdapter } from './netlify.ts';
import { renderAdapter } from './render.ts';
import type { ProviderAdapter } from '../core/adapter.ts';

export { isProviderId, providerIds, type ProviderId } from './ids.ts';
export type { ProviderAdapter } from '../core/adapter.ts';

/**
 * The provider registry: the only place adapters are named. A `Record` over `ProviderId`, so a
 * provider id without an adapter is a compile error, and the engine looks adapters up here
 * instead of switching on names.
 */
export const providers: Readonly<Record<ProviderId, ProviderAdapter>> = {
  render: renderAdapter,
  netlify: netlifyAdapter,
};
