import type { ProviderAdapter } from '../core/adapter.ts';
import { netlifyAdapter } from './netlify.ts';
import { renderAdapter } from './render.ts';
import { vercelAdapter } from './vercel.ts';

export type { ProviderAdapter } from '../core/adapter.ts';

/** Checks that every adapter is registered under its own id. */
function defineRegistry<const R extends { readonly [K in keyof R]: ProviderAdapter & { readonly id: K } }>(registry: R): R {
  return registry;
}

/**
 * The provider registry: the only place adapters are named. Settings, discovery defaults, the
 * endpoints' provider routes and storage all derive from it, so registering a provider is this
 * one line (see docs/providers.md), and an adapter registered under another key than its `id`
 * fails to compile.
 */
export const providers = defineRegistry({
  render: renderAdapter,
  netlify: netlifyAdapter,
  vercel: vercelAdapter,
});

/** A provider EnvSync supports: a key of the registry. */
export type ProviderId = keyof typeof providers;

/** The resolved options type of a registered provider. */
export type OptionsOf<K extends ProviderId> = (typeof providers)[K] extends ProviderAdapter<infer Options, K> ? Options : never;

/** Every registered provider id, in registry order. */
export const providerIds = Object.keys(providers) as [ProviderId, ...ProviderId[]];

/** Type guard for untrusted input such as a URL path segment. */
export function isProviderId(value: string): value is ProviderId {
  return (providerIds as readonly string[]).includes(value);
}

/**
 * The registry's shape as the service depends on it: one adapter per registered id. Tests inject
 * their own (memory providers under the same ids); production passes {@link providers}.
 */
export type ProviderRegistry = { readonly [K in ProviderId]: ProviderAdapter<unknown, K> };
