import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobsServer } from '@netlify/blobs/server';
import { silentLogger } from '../src/logging/logger.ts';
import { providers } from '../src/providers/index.ts';
import type { ServiceDeps } from '../src/service/deps.ts';
import { backgroundEndpoint } from '../src/service/endpoints/background.ts';
import { serve, type Endpoint } from '../src/service/http/endpoint.ts';
import { openBlobsStorage } from '../src/storage/blobs.ts';
import { startEmulator, type Emulator } from '../test/emulator/server.ts';
import { demoTokens } from '../test/emulator/sample-data.ts';

/**
 * What a benchmark scenario runs against: the provider emulator over real HTTP, enforcing the
 * providers' documented limits (Render: 30 writes and 400 reads a minute per token; Netlify: 500
 * requests a minute) with a fixed latency before every answer, a real local BlobsServer, and
 * EnvSync's functions served in this process by the same `serve` the Netlify doors call. The
 * background function is started the way the platform does: the fan-out POST is answered 202 and
 * the background endpoint runs on.
 */

export const apiToken = 'bench-api-token-0123456789abcdef-0123456789';
export const accountSlug = 'bench-team';

export interface WorldOptions {
  readonly latencyMs: number;
  /** The emulator's clock, for the baseline's simulated sleeps. @default Date.now */
  readonly now?: () => number;
}

/** A fresh emulator and Blobs site; one per client run, so no run inherits another's rate windows. */
export interface World {
  readonly emulator: Emulator;
  /** Calls a function endpoint and, when it fans out, waits for the background run too. */
  call(endpoint: Endpoint, path: string, env: Readonly<Record<string, string>>): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

export interface Counts {
  readonly requests: number;
  readonly reads: number;
  readonly writes: number;
  readonly rateLimited: number;
}

/** Requests the emulator answered, by kind (a 429 counts as a request of its kind, and as a 429). */
export function countsOf(emulator: Emulator): Counts {
  const all = [...emulator.render.log, ...emulator.netlify.requests];
  return {
    requests: all.length,
    reads: all.filter((entry) => entry.method === 'GET').length,
    writes: all.filter((entry) => entry.method !== 'GET').length,
    rateLimited: all.filter((entry) => entry.status === 429).length,
  };
}

/** The environment of a function for these targets, pointed at the emulator. */
export function functionEnv(emulator: Emulator, overrides: Readonly<Record<string, string>>): Record<string, string> {
  return {
    ENVSYNC_ENABLED: 'true',
    ENVSYNC_MODE: 'enforce',
    ENVSYNC_INCLUDE_PREFIXES: 'APP_',
    ENVSYNC_LEDGER_SECRET: 'bench-ledger-secret-8d3f6a1c2b7e',
    ENVSYNC_DISCOVERY_ORDER: 'env',
    ENVSYNC_API_TOKEN: apiToken,
    ENVSYNC_REDEPLOY: 'false',
    RENDER_API_TOKEN: demoTokens.render,
    NETLIFY_API_TOKEN: demoTokens.netlify,
    RENDER_API_URL: emulator.renderApiUrl,
    NETLIFY_API_URL: emulator.netlifyApiUrl,
    ...overrides,
  };
}

export async function startWorld(options: WorldOptions): Promise<World> {
  const clock = options.now === undefined ? {} : { now: options.now };
  const emulator = await startEmulator({ sampleData: false, render: { ...clock }, netlify: { ...clock } });
  emulator.latencyMs = options.latencyMs;
  const directory = await mkdtemp(join(tmpdir(), 'envsync-bench-blobs-'));
  const token = 'bench-blobs-token';
  const blobs = new BlobsServer({ directory, token });
  const { port } = await blobs.start();
  const blobsUrl = `http://localhost:${port}`;
  let site = 0;

  return {
    emulator,
    async call(endpoint, path, env) {
      const client = { siteID: `bench-site-${++site}`, token, edgeURL: blobsUrl, uncachedEdgeURL: blobsUrl };
      const background: Promise<unknown>[] = [];
      const deps: ServiceDeps = {
        env,
        openStorage: () => openBlobsStorage({ client }),
        adapters: providers,
        logger: silentLogger,
        fetch: (input, init) => {
          const request = new Request(input, init);
          if (!new URL(request.url).pathname.endsWith('/envsync-background')) return globalThis.fetch(request);
          // The platform answers a background invocation 202 at once and runs it on.
          background.push(serve(backgroundEndpoint, request, deps).then((response) => response.text()));
          return Promise.resolve(new Response(null, { status: 202 }));
        },
      };
      const request = new Request(`http://localhost:8888/.netlify/functions${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
        body: '{}',
      });
      const response = await serve(endpoint, request, deps);
      const body: unknown = await response.json();
      await Promise.all(background);
      return { status: response.status, body };
    },
    async stop() {
      await emulator.stop();
      await blobs.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
