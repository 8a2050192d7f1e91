import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { basename, extname, join } from 'node:path';
import { settingNames } from '../../src/config/settings.ts';
import { canarySightings } from './canary.ts';
import { copyProject, repoRoot } from './project-copy.ts';

/**
 * Starts the real local Netlify runtime (`netlify functions:serve --offline`) on EnvSync's
 * functions, for the end-to-end tests and `npm run demo`.
 *
 * Each runtime works in a fresh copy of the project (functions, src, configuration; node_modules
 * linked), because `functions:serve` keeps its builds (`.netlify/functions-serve`, wiped at start)
 * and its Blobs sandbox (`.netlify/blobs-serve`) in the project folder and reads `.env` there:
 * sharing the folder would let two runtimes clobber each other's builds and state, and a
 * developer's `.env` leak into a test. The copy also starts with empty Blobs every time.
 */

/** What the runtime is started with. */
export interface RuntimeOptions {
  /** Environment of the functions: settings, tokens, the canonical set. Unset names are removed. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** @default a free port */
  readonly port?: number;
  /** Most time to wait for every function to be built. @default 90 s */
  readonly startTimeoutMs?: number;
}

/** A response as the tests see it. */
export interface CallResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The parsed JSON body, or `undefined` when it is not JSON. */
  readonly json: unknown;
}

/** Options of one call. */
export interface CallOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Serialised as JSON. */
  readonly body?: unknown;
  /** Sent as is (for malformed or oversized bodies). */
  readonly rawBody?: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A running runtime. */
export interface Runtime {
  /** `http://localhost:<port>` */
  readonly url: string;
  /** Calls `<url><path>`. */
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  /** Everything the runtime printed so far (our JSON log lines included). */
  output(): string;
  /** The text of every file in the runtime's local Blobs sandbox. */
  blobFiles(): Promise<string[]>;
  /**
   * Stops the runtime, then scans every answer it gave, its output and its Blobs sandbox for the
   * canary values (./canary.ts): rejects, failing the test file, on a sighting.
   */
  stop(): Promise<void>;
}

/** Names of every function in netlify/functions. */
export async function functionNames(): Promise<string[]> {
  const files = await readdir(join(repoRoot, 'netlify', 'functions'));
  return files.filter((file) => /\.m?[jt]s$/.test(file) && !file.startsWith('_')).map((file) => basename(file, extname(file)));
}

/** Starts the runtime and resolves once every function is built and it answers. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const root = await copyProject('link', 'envsync-runtime-');
  const port = options.port ?? (await freePort());
  const url = `http://localhost:${port}`;
  const cli = join(repoRoot, 'node_modules', 'netlify-cli', 'bin', 'run.js');
  const child = spawn(process.execPath, [cli, 'functions:serve', '--offline', '--port', String(port), '--cwd', root], {
    cwd: root,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const answers: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const runtime: Runtime = {
    url,
    call: async (method, path, callOptions) => {
      const result = await call(`${url}${path}`, method, callOptions);
      answers.push(result.text);
      return result;
    },
    output: () => output,
    blobFiles: () => readTree(join(root, '.netlify', 'blobs-serve')),
    stop: async () => {
      await stopChild(child);
      const blobs = await readTree(join(root, '.netlify', 'blobs-serve'));
      await rm(root, { recursive: true, force: true });
      const sightings = canarySightings({ answers, output: [output], blobs });
      if (sightings.length > 0) throw new Error(`A canary value left the providers' side: ${sightings.join('; ')}`);
    },
  };
  try {
    await waitUntilReady(runtime, child, await functionNames(), options.startTimeoutMs ?? 90_000);
  } catch (error) {
    await runtime.stop().catch(() => undefined);
    throw new Error(`The local Netlify runtime did not start: ${(error as Error).message}\n--- its output ---\n${output}`);
  }
  return runtime;
}

/**
 * Every setting name, the provider tokens and the CLI's own linking variables are removed from the
 * inherited environment, then the given ones are set: the runtime sees exactly what a test says.
 */
function childEnv(env: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const scrubbed: NodeJS.ProcessEnv = { ...process.env };
  const inherited = [...settingNames, 'RENDER_API_TOKEN', 'NETLIFY_API_TOKEN', 'NETLIFY_AUTH_TOKEN', 'NETLIFY_SITE_ID', 'URL', 'DEPLOY_URL', 'NODE_OPTIONS'];
  for (const name of inherited) delete scrubbed[name];
  for (const name of Object.keys(scrubbed)) if (name.startsWith('APP_') || name.startsWith('VITEST') || name === 'NODE_ENV') delete scrubbed[name];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete scrubbed[name];
    else scrubbed[name] = value;
  }
  return { ...scrubbed, BROWSER: 'none', NETLIFY_TELEMETRY_DISABLED: '1' };
}

/**
 * Functions are built lazily, and a call that arrives before its function is built fails, so
 * this waits for the runtime's "Loaded function <name>" line of every function, then for health.
 */
async function waitUntilReady(runtime: Runtime, child: ChildProcess, names: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let kicked = false;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`it exited with code ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    const output = runtime.output();
    if (output.includes('Local dev server ready')) {
      if (!kicked) {
        kicked = true;
        await runtime.call('GET', '/.netlify/functions/envsync-health').catch(() => undefined);
      }
      const missing = names.filter((name) => !output.includes(`Loaded function ${name}`));
      if (missing.length === 0) {
        const health = await runtime.call('GET', '/.netlify/functions/envsync-health').catch(() => undefined);
        if (health !== undefined && !health.text.includes('has not been built')) return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      // The CLI's process group: it and the helpers it spawned (esbuild), nothing else.
      process.kill(-(child.pid ?? 0), name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** A free TCP port on localhost. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * One HTTP call with a 64 KiB header limit: the local runtime adds an `x-nf-fetch-timing` header
 * with an entry per outgoing fetch, which outgrows Node's default 16 KiB on a large sync.
 */
export function call(url: string, method: string, options: CallOptions = {}): Promise<CallResult> {
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: Record<string, string> = {
    ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
    ...options.headers,
  };
  return new Promise((resolvePromise, reject) => {
    const request = httpRequest(url, { method, headers, maxHeaderSize: 65_536 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolvePromise({ status: response.statusCode ?? 0, headers: response.headers, text, json });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.setTimeout(120_000, () => request.destroy(new Error(`${method} ${url} timed out`)));
    request.end(body);
  });
}

/** The contents of every file below `dir` (none when it does not exist). */
async function readTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return Promise.all(files.map((file) => readFile(file, 'utf8')));
}
