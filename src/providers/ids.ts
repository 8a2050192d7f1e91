/**
 * The providers EnvSync can sync into. A closed list: the registry in `./index.ts` is a
 * `Record<ProviderId, ProviderAdapter>`, so adding an id here without an adapter fails to compile.
 */
export const providerIds = ['render', 'netlify'] as const;

/** A provider EnvSync supports. */
export type ProviderId = (typeof providerIds)[number];

/** Type guard for untrusted input such as a URL path segment. */
export function isProviderId(value: string): value is ProviderId {
  return (providerIds as readonly string[]).includes(value);
}
