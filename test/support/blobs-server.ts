import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobsServer } from '@netlify/blobs/server';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { SyncReport } from '../../src/core/report.ts';
import { openBlobsStorage, openBlobStore, type BlobsClientConfig, type BlobsStorageOptions } from '../../src/storage/blobs.ts';

/**
 * Test support for the storage tests (not imported by any function): the real local `BlobsServer`
 * from `@netlify/blobs/server` on a random port and a temporary directory, in edge mode as the
 * Netlify CLI runs it, with every request recorded so tests can assert request counts.
 */

/** One request the server saw. `type` is the server's operation name: get, set, delete, list, getMetadata. */
export interface SeenRequest {
  readonly type: string;
  readonly url: string;
}

export interface LocalBlobs {
  readonly directory: string;
  readonly requests: SeenRequest[];
  /** Credentials of a fresh, empty site: each test gets its own, so tests do not see each other's blobs. */
  freshClient(): BlobsClientConfig;
  /** Storage on a fresh site (or on `client` when given). */
  open(options?: Omit<BlobsStorageOptions, 'client'> & { readonly client?: BlobsClientConfig }): ReturnType<typeof openBlobsStorage>;
  /** The raw BlobStore on a fresh site (or on `client`). */
  openStore(client?: BlobsClientConfig): ReturnType<typeof openBlobStore>;
  /** Requests by type since the last reset, e.g. `{ set: 1, list: 1 }`. */
  counts(): Record<string, number>;
  reset(): void;
  /** Every file the server wrote, with its content, for leak scans. */
  files(): Promise<{ path: string; content: string }[]>;
}

const token = 'local-blobs-token';

/** Starts a BlobsServer for the current test file and clears the request log before each test. */
export function useLocalBlobs(): LocalBlobs {
  let server: BlobsServer | undefined;
  let url = '';
  let directory = '';
  let sites = 0;
  const requests: SeenRequest[] = [];

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'envsync-blobs-'));
    server = new BlobsServer({ directory, token, onRequest: (request) => requests.push({ type: request.type, url: request.url }) });
    const { port } = await server.start();
    url = `http://localhost:${port}`;
  });
  afterAll(async () => {
    await server?.stop();
    await rm(directory, { recursive: true, force: true });
  });
  beforeEach(() => {
    requests.length = 0;
  });

  const freshClient = (): BlobsClientConfig => ({ siteID: `site-${++sites}`, token, edgeURL: url, uncachedEdgeURL: url });
  return {
    get directory() {
      return directory;
    },
    requests,
    freshClient,
    open: (options = {}) => openBlobsStorage({ ...options, client: options.client ?? freshClient() }),
    openStore: (client) => openBlobStore({ client: client ?? freshClient() }),
    counts: () => {
      const counts: Record<string, number> = {};
      for (const request of requests) counts[request.type] = (counts[request.type] ?? 0) + 1;
      return counts;
    },
    reset: () => {
      requests.length = 0;
    },
    files: async () => {
      const entries = await readdir(directory, { recursive: true, withFileTypes: true });
      const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
      return Promise.all(files.map(async (path) => ({ path, content: await readFile(path, 'utf8') })));
    },
  };
}

/** A valid report of one target, in sync unless overridden. */
export function makeReport(overrides: Partial<SyncReport> = {}): SyncReport {
  return {
    runId: 'run-1',
    provider: 'render',
    target: 'srv-one',
    mode: 'enforce',
    applied: false,
    summary: { create: 0, update: 0, delete: 0, noop: 2 },
    changes: [],
    skipped: [],
    pending: [],
    errors: [],
    tokenSource: 'env:RENDER_API_TOKEN',
    redeploy: 'not-needed',
    rounds: 1,
    startedAt: '2026-05-01T10:00:00.000Z',
    durationMs: 120,
    ...overrides,
  };
}
