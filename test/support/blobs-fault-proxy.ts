import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { BlobsClientConfig } from '../../src/storage/blobs.ts';

/**
 * Blobs fault injection for tests: a small HTTP proxy in front of the real local `BlobsServer`
 * (./blobs-server.ts). Point a Blobs client at it with {@link BlobsFaultProxy.client}; every request
 * is forwarded unchanged, except those matching a fault rule, which get the rule's status instead:
 *
 * - `forward: false` (default): the server never sees the request (a 503 before anything happened);
 * - `forward: true`: the server handles it (a write lands) and the answer is replaced (a lost
 *   response: the caller cannot tell whether its write happened).
 *
 * `@netlify/blobs` retries a 429 or 5xx up to 5 times (1 ms apart under NODE_ENV=test), so a rule
 * with `times: 1` is absorbed by the client's retry and one without `times` is seen by the caller.
 */

/** Which requests a fault applies to. */
export interface BlobsFault {
  /** HTTP method: GET reads and lists, PUT writes (set and setJSON alike), DELETE deletes. */
  readonly method?: 'GET' | 'PUT' | 'DELETE' | 'HEAD';
  /** A substring of the decoded request path, e.g. a key prefix such as `locks/`. */
  readonly pathIncludes?: string;
  /** Only conditional writes (carrying `If-Match` or `If-None-Match`). */
  readonly conditional?: boolean;
  /** The status answered instead. */
  readonly status: number;
  /** Let the server handle the request first, then answer `status` (a lost response). */
  readonly forward?: boolean;
  /** How many matching requests fail; afterwards they pass. @default every one */
  readonly times?: number;
}

/** One request the proxy saw, and what it answered. */
export interface ProxiedRequest {
  readonly method: string;
  /** Decoded path, query excluded. */
  readonly path: string;
  readonly conditional: boolean;
  readonly status: number;
  /** Whether a fault rule answered it. */
  readonly injected: boolean;
}

export interface BlobsFaultProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly seen: ProxiedRequest[];
  /** The same site and token as `base`, reaching the server through the proxy (edge and uncached edge). */
  client(base: BlobsClientConfig): BlobsClientConfig;
  /** Adds a fault rule; rules are tried in the order added. */
  fail(fault: BlobsFault): void;
  /** Removes every rule and forgets what was seen. */
  clear(): void;
  close(): Promise<void>;
}

/** Starts a proxy forwarding to the BlobsServer at `upstream` (the `edgeURL` of a local client). */
export async function startBlobsFaultProxy(upstream: string): Promise<BlobsFaultProxy> {
  const target = new URL(upstream);
  const rules: { fault: BlobsFault; left: number }[] = [];
  const seen: ProxiedRequest[] = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://proxy').pathname);
    const conditional = req.headers['if-match'] !== undefined || req.headers['if-none-match'] !== undefined;
    const rule = rules.find(({ fault, left }) => left > 0 && matches(fault, req.method ?? '', path, conditional));
    if (rule !== undefined) rule.left -= 1;
    if (rule !== undefined && rule.fault.forward !== true) {
      seen.push({ method: req.method ?? '', path, conditional, status: rule.fault.status, injected: true });
      res.writeHead(rule.fault.status, { 'content-type': 'text/plain' }).end('injected fault');
      return;
    }
    const upstreamResponse = await forward(req, body);
    const upstreamBody = await readAll(upstreamResponse);
    if (rule !== undefined) {
      seen.push({ method: req.method ?? '', path, conditional, status: rule.fault.status, injected: true });
      res.writeHead(rule.fault.status, { 'content-type': 'text/plain' }).end('injected fault after the write');
      return;
    }
    const status = upstreamResponse.statusCode ?? 502;
    seen.push({ method: req.method ?? '', path, conditional, status, injected: false });
    res.writeHead(status, upstreamResponse.headers).end(upstreamBody);
  }

  function forward(req: IncomingMessage, body: Buffer): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: target.host };
      const outgoing = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, resolve);
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    seen,
    client: (base) => ({ ...base, edgeURL: url, uncachedEdgeURL: url }),
    fail: (fault) => rules.push({ fault, left: fault.times ?? Number.POSITIVE_INFINITY }),
    clear: () => {
      rules.length = 0;
      seen.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A proxy for the current test file, in front of the BlobsServer `upstream()` names (call it after
 * that server started, e.g. `() => blobs.freshClient().edgeURL`); rules are cleared before each test.
 */
export function useBlobsFaultProxy(upstream: () => string | undefined): { readonly current: () => BlobsFaultProxy } {
  let proxy: BlobsFaultProxy | undefined;
  beforeAll(async () => {
    const url = upstream();
    if (url === undefined) throw new Error('useBlobsFaultProxy needs the URL of a running BlobsServer');
    proxy = await startBlobsFaultProxy(url);
  });
  afterAll(async () => {
    await proxy?.close();
  });
  beforeEach(() => proxy?.clear());
  return {
    current: () => {
      if (proxy === undefined) throw new Error('The Blobs fault proxy is not started yet (use it inside a test)');
      return proxy;
    },
  };
}

function matches(fault: BlobsFault, method: string, path: string, conditional: boolean): boolean {
  return (
    (fault.method === undefined || fault.method === method) &&
    (fault.pathIncludes === undefined || path.includes(fault.pathIncludes)) &&
    (fault.conditional === undefined || fault.conditional === conditional)
  );
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
