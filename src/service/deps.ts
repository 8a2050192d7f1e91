import type { EnvSource } from '../config/load.ts';
import type { Logger } from '../logging/logger.ts';
import type { ProviderRegistry } from '../providers/index.ts';
import type { Storage } from '../storage/types.ts';

/**
 * What the function handlers depend on, injected so unit tests run them with `new Request()`, an
 * in-memory storage and a memory provider, and production wires Blobs and the real adapters
 * (`./production.ts`).
 */
export interface ServiceDeps {
  /** The function's environment: settings, the canonical set (when read from the environment), tokens. */
  readonly env: EnvSource;
  /** Opens the stores; called once per invocation that needs them. May throw `storage-failed`. */
  readonly openStorage: () => Storage | Promise<Storage>;
  /** The provider registry. */
  readonly adapters: ProviderRegistry;
  readonly logger: Logger;
  /** Used for provider APIs, token discovery and starting the background function. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Clock in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** The three kinds of Netlify function EnvSync runs as; each has its own time limit. */
export type FunctionKind = 'http' | 'scheduled' | 'background';
