import { MemoryProvider } from './memory-provider.ts';
import { testEnv } from './settings.ts';
import type { LocalBlobs } from './blobs-server.ts';
import { createLogger } from '../../src/logging/logger.ts';
import type { BlobStore } from '../../src/storage/store.ts';
import type { Storage } from '../../src/storage/types.ts';
import type { ServiceDeps } from '../../src/service/deps.ts';
import { serve, type Endpoint } from '../../src/service/http/endpoint.ts';

/**
 * The endpoints with `new Request()`, memory providers and the real Blobs storage on a local
 * BlobsServer: the wiring shared by the endpoint unit tests. `env` is mutable so a test can change
 * the canonical set between two calls.
 */

export const unitApiToken = 'unit-api-token-0123456789abcdef0123';
const base = 'http://localhost:8888/.netlify/functions';

export interface EndpointSetup {
  readonly render: MemoryProvider<'render'>;
  readonly netlify: MemoryProvider<'netlify'>;
  readonly storage: Storage;
  /** The raw Blobs store of this setup, for asserting what is stored. */
  readonly blobStore: BlobStore;
  readonly deps: ServiceDeps;
  readonly env: Record<string, string | undefined>;
  readonly lines: string[];
  call(endpoint: Endpoint, path: string, init?: RequestInit & { auth?: boolean; json?: unknown }): Promise<{ status: number; body: Record<string, unknown> }>;
}

export function endpointSetup(blobs: LocalBlobs, overrides: Record<string, string | undefined> = {}, now?: () => number): EndpointSetup {
  const render = new MemoryProvider('render');
  const netlify = new MemoryProvider('netlify');
  const client = blobs.freshClient();
  const storage = blobs.open({ client, ...(now === undefined ? {} : { now }) });
  const blobStore = blobs.openStore(client);
  const lines: string[] = [];
  const env = testEnv({ ENVSYNC_API_TOKEN: unitApiToken, APP_NAME: 'envsync', APP_COLOR: 'blue', ...overrides });
  const deps: ServiceDeps = {
    env,
    openStorage: () => storage,
    adapters: { render: render.adapter, netlify: netlify.adapter, vercel: new MemoryProvider('vercel').adapter },
    logger: createLogger({ write: (line) => lines.push(line) }),
    fetch: () => Promise.reject(new Error('no network in endpoint unit tests')),
    ...(now === undefined ? {} : { now }),
  };
  return {
    render,
    netlify,
    storage,
    blobStore,
    deps,
    env,
    lines,
    async call(endpoint, path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.auth !== false) headers.set('authorization', `Bearer ${unitApiToken}`);
      const { json, auth, ...rest } = init;
      void auth;
      if (json !== undefined) headers.set('content-type', 'application/json');
      const request = new Request(`${base}${path}`, { method: 'POST', ...rest, headers, ...(json === undefined ? {} : { body: JSON.stringify(json) }) });
      const response = await serve(endpoint, request, deps);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
  };
}
