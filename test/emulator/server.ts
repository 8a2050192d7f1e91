import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NetlifyFake, type NetlifyFakeOptions } from './netlify.ts';
import { RenderFake, type RenderFakeOptions } from './render.ts';
import { demoTokens, seedSampleData } from './sample-data.ts';
import { VercelFake, type VercelFakeOptions } from './vercel.ts';

/**
 * The provider emulator: one node:http server holding a Render, a Netlify and a Vercel fake, so the
 * local functions (and the end-to-end tests, and `npm run demo`) sync against something stateful
 * without any account. Never imported by a function: it lives under test/ and nothing in src/
 * reaches it.
 *
 * | path | serves |
 * | --- | --- |
 * | `/render/v1/...` | Render's env-var API (RENDER_API_URL=`<url>/render/v1`) |
 * | `/netlify/api/v1/...` | Netlify's env-var API (NETLIFY_API_URL=`<url>/netlify/api/v1`) |
 * | `/build_hooks/{id}` | Netlify build hooks |
 * | `/vercel/...` | Vercel's project env API, deployments and deploy hooks (VERCEL_API_URL=`<url>/vercel`) |
 * | `/dashboard/tokens` | a token dashboard for ENVSYNC_DASHBOARD_TOKEN_URLS: `{"NETLIFY_API_TOKEN": ...}` |
 * | `/` | key names per service and site, and request counts (never values) |
 */

export interface EmulatorOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Seed the sample services and site of the demo. @default true */
  readonly sampleData?: boolean;
  readonly render?: Omit<RenderFakeOptions, 'basePath'>;
  readonly netlify?: Omit<NetlifyFakeOptions, 'basePath'>;
  readonly vercel?: Omit<VercelFakeOptions, 'basePath'>;
}

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The value for RENDER_API_URL. */
  readonly renderApiUrl: string;
  /** The value for NETLIFY_API_URL. */
  readonly netlifyApiUrl: string;
  /** The value for VERCEL_API_URL. */
  readonly vercelApiUrl: string;
  /** The value for ENVSYNC_DASHBOARD_TOKEN_URLS. */
  readonly dashboardUrl: string;
  readonly render: RenderFake;
  readonly netlify: NetlifyFake;
  readonly vercel: VercelFake;
  /** Delay before each provider API answer, in ms; raise it to make two syncs overlap. */
  latencyMs: number;
  /** `METHOD /path` of every provider API request as it arrives (before the latency and the answer). */
  readonly arrivals: string[];
  /** Provider API requests other than GET (writes, deletes, deploys, builds) on both fakes. */
  writeCount(): number;
  /** Every provider API request on both fakes. */
  requestCount(): number;
  stop(): Promise<void>;
}

const renderBase = '/render/v1';
const netlifyBase = '/netlify/api/v1';
const vercelBase = '/vercel';

/** Starts the emulator; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const render = new RenderFake({ tokens: [demoTokens.render], ...options.render, basePath: renderBase });
  const netlify = new NetlifyFake({ token: demoTokens.netlify, ...options.netlify, basePath: netlifyBase });
  const vercel = new VercelFake({ token: demoTokens.vercel, ...options.vercel, basePath: vercelBase });
  if (options.sampleData !== false) seedSampleData(render, netlify, vercel);
  const host = options.host ?? '127.0.0.1';

  const emulator: Omit<Emulator, 'url' | 'renderApiUrl' | 'netlifyApiUrl' | 'vercelApiUrl' | 'dashboardUrl' | 'stop'> = {
    render,
    netlify,
    vercel,
    latencyMs: 0,
    arrivals: [],
    writeCount: () => render.log.filter((entry) => entry.method !== 'GET').length + netlify.writeCount() + vercel.writeCount(),
    requestCount: () => render.log.length + netlify.requests.length + vercel.requests.length,
  };

  const route = async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    const isApi = pathname.startsWith(`${renderBase}/`) || pathname.startsWith(`${netlifyBase}/`) || pathname.startsWith('/build_hooks/') || pathname.startsWith(`${vercelBase}/`);
    if (isApi) emulator.arrivals.push(`${request.method} ${pathname}`);
    if (isApi && emulator.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, emulator.latencyMs));
    if (pathname.startsWith(`${renderBase}/`)) return render.handle(request);
    if (pathname.startsWith(`${netlifyBase}/`) || pathname.startsWith('/build_hooks/')) return netlify.handle(request);
    if (pathname.startsWith(`${vercelBase}/`)) return vercel.handle(request);
    if (pathname === '/dashboard/tokens' && request.method === 'GET') return Response.json({ NETLIFY_API_TOKEN: demoTokens.netlify });
    if (pathname === '/' && request.method === 'GET') return Response.json(overview(render, netlify, vercel));
    return Response.json({ message: `The emulator serves ${renderBase}, ${netlifyBase}, ${vercelBase}, /build_hooks, /dashboard/tokens and /` }, { status: 404 });
  };

  const server = createServer((incoming, outgoing) => {
    void answer(incoming, outgoing, host, route);
  });
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  return Object.assign(emulator, {
    url,
    renderApiUrl: `${url}${renderBase}`,
    netlifyApiUrl: `${url}${netlifyBase}`,
    vercelApiUrl: `${url}${vercelBase}`,
    dashboardUrl: `${url}/dashboard/tokens`,
    stop: () => close(server),
  });
}

/** Key names and request counts, for a person looking at the emulator. Values stay out. */
function overview(render: RenderFake, netlify: NetlifyFake, vercel: VercelFake) {
  const services: Record<string, string[]> = {};
  for (const id of new Set(render.log.map((entry) => entry.serviceId).filter((id): id is string => id !== undefined))) {
    try {
      services[id] = Object.keys(render.variables(id)).sort();
    } catch {
      // an unknown service id that was requested
    }
  }
  const envGroups: Record<string, string[]> = {};
  for (const id of new Set(render.log.map((entry) => entry.envGroupId).filter((id): id is string => id !== undefined))) {
    try {
      envGroups[id] = Object.keys(render.groupVariables(id)).sort();
    } catch {
      // an unknown group id that was requested
    }
  }
  return {
    render: { requests: render.counts(), services, envGroups },
    netlify: { requests: netlify.requests.length, writes: netlify.writeCount() },
    vercel: { requests: vercel.requests.length, writes: vercel.writeCount() },
  };
}

async function answer(incoming: IncomingMessage, outgoing: ServerResponse, host: string, route: (request: Request) => Promise<Response>) {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const method = incoming.method ?? 'GET';
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const body = method === 'GET' || method === 'HEAD' || chunks.length === 0 ? undefined : Buffer.concat(chunks);
    const response = await route(new Request(`http://${incoming.headers.host ?? host}${incoming.url ?? '/'}`, { method, headers, ...(body === undefined ? {} : { body }) }));
    if (response.type === 'error') {
      // An injected network failure: drop the connection without an answer.
      incoming.socket.destroy();
      return;
    }
    const payload = Buffer.from(await response.arrayBuffer());
    outgoing.statusCode = response.status;
    response.headers.forEach((value, name) => outgoing.setHeader(name, value));
    outgoing.setHeader('content-length', payload.length);
    outgoing.end(payload);
  } catch (error) {
    outgoing.statusCode = 500;
    outgoing.setHeader('content-type', 'application/json');
    outgoing.end(JSON.stringify({ message: `emulator error: ${error instanceof Error ? error.name : 'unknown'}` }));
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.closeAllConnections();
    server.close((error) => (error === undefined ? resolve() : reject(error)));
  });
}
