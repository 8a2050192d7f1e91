import * as z from 'zod';

/**
 * How the core, storage and reports name a provider: a short lower-case slug, the key it is
 * registered under in `src/providers/index.ts`.
 *
 * Why a string and not the registry's union: the core defines the adapter interface and providers
 * depend on it, never the reverse. So the core accepts any well-formed id, and only code that
 * composes the registry (config, service) narrows it to the registered ones.
 */
export const providerIdPattern = /^[a-z][a-z0-9-]{0,31}$/;

/** zod schema for a stored or reported provider id. */
export const providerIdSchema = z.string().regex(providerIdPattern, 'expected a provider id (lower-case letters, digits and -)');

/** Whether a string has the shape of a provider id (not whether that provider is registered). */
export function looksLikeProviderId(value: string): boolean {
  return providerIdPattern.test(value);
}
