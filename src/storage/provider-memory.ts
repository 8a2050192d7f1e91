import type { ProviderMemory } from '../core/adapter.ts';
import { keys } from './keys.ts';
import type { BlobStore } from './store.ts';

/**
 * A provider's memory between runs, one blob per name at `providers/<provider>/<name>`: facts about
 * targets that stay true for a while (Vercel's custom environment ids), never a value or a token.
 * The provider validates what it reads back (it may predate a schema change); `get` is one read,
 * `set` one write, `forget` one delete.
 */
export function createProviderMemory(store: BlobStore, provider: string): ProviderMemory {
  return {
    async get(name) {
      return (await store.read(keys.providerMemory(provider, name)))?.json;
    },
    async set(name, value) {
      await store.write(keys.providerMemory(provider, name), value);
    },
    async forget(name) {
      await store.delete(keys.providerMemory(provider, name));
    },
  };
}
