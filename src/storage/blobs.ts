import { getStore, type GetStoreOptions, type Store } from '@netlify/blobs';
import { SyncError } from '../errors.ts';
import { silentLogger, type Logger } from '../logging/logger.ts';
import { createAlertStore } from './alerts.ts';
import { createProviderMemory } from './provider-memory.ts';
import { createEventLog } from './events.ts';
import { defaultStoreName } from './keys.ts';
import { createBlobLedger } from './ledger.ts';
import { createHealthStore } from './health.ts';
import { createLockStore } from './locks.ts';
import { createHistoryStore } from './history.ts';
import { createHoldStore } from './holds.ts';
import { createPlanStore } from './plans.ts';
import { createSnapshotStore } from './snapshots.ts';
import { createReportStore } from './reports.ts';
import { createRunStateStore } from './runs.ts';
import type { BlobStore, StoredBlob, WriteCondition, WriteOutcome } from './store.ts';
import { createTicketStore } from './tickets.ts';
import type { Storage } from './types.ts';

/**
 * EnvSync's storage on Netlify Blobs: the one file that imports `@netlify/blobs`.
 *
 * It opens one site store (`envsync` by default) with strong consistency, so a write is visible to
 * the next read of any function (the default, eventual, lets updates and deletes lag for up to 60 s,
 * which would break locks and make a run read a stale ledger). The record logic lives in the sibling
 * modules, written against the small {@link BlobStore} interface built here.
 */

/**
 * Explicit Blobs credentials, for tests against a local `BlobsServer` or for running outside Netlify
 * with a personal access token. Both `siteID` and `token` are required: only when both are passed does
 * the client ignore the ambient `NETLIFY_BLOBS_CONTEXT` (otherwise its URLs would win over these).
 * In edge mode (`edgeURL`), strong consistency also needs `uncachedEdgeURL`.
 */
export interface BlobsClientConfig {
  readonly siteID: string;
  readonly token: string;
  readonly edgeURL?: string;
  readonly uncachedEdgeURL?: string;
  /** API mode (default `https://api.netlify.com` when no `edgeURL` is given). */
  readonly apiURL?: string;
}

/** Options of {@link openBlobsStorage}; all optional inside a Netlify function. */
export interface BlobsStorageOptions {
  /** Explicit credentials; by default the Netlify Functions environment provides them. */
  readonly client?: BlobsClientConfig;
  /** @default 'envsync' */
  readonly storeName?: string;
  /** Clock in epoch milliseconds, for lease expiry. Tests inject one. @default Date.now */
  readonly now?: () => number;
  /** Receives the keys of records that fail validation (never their content). */
  readonly logger?: Logger;
  /** History sizes; the defaults are the exported constants of each store. */
  readonly retention?: {
    readonly reportsPerTarget?: number;
    readonly resolvedTicketsPerTarget?: number;
    readonly runsKept?: number;
    /** Events kept in the events log (ENVSYNC_EVENTS_KEPT). */
    readonly eventsKept?: number;
  };
}

/** Storage as opened on Blobs: the {@link Storage} interfaces, with the ticket listing's extra `resolvedLimit`. */
export type BlobsStorage = Storage & { readonly tickets: ReturnType<typeof createTicketStore> };

/**
 * Opens every store EnvSync uses on Netlify Blobs. No request is made until a store is used.
 *
 * @throws SyncError `storage-failed` when no Blobs environment is available and no `client` is given,
 *   `config-invalid` when the explicit configuration cannot give strong consistency.
 */
export function openBlobsStorage(options: BlobsStorageOptions = {}): BlobsStorage {
  const store = openBlobStore(options);
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const retention = options.retention ?? {};
  return {
    reports: createReportStore(store, { logger, now, ...defined({ perTarget: retention.reportsPerTarget }) }),
    tickets: createTicketStore(store, { logger, now, ...defined({ resolvedPerTarget: retention.resolvedTicketsPerTarget }) }),
    ledger: createBlobLedger(store, { logger }),
    locks: createLockStore(store, { logger, now }),
    runs: createRunStateStore(store, { logger, now, ...defined({ kept: retention.runsKept }) }),
    health: createHealthStore(store, { logger }),
    events: createEventLog(store, { logger, now, ...defined({ kept: retention.eventsKept }) }),
    alerts: createAlertStore(store, { logger }),
    providerMemory: (provider) => createProviderMemory(store, provider),
    plans: createPlanStore(store, { logger, now }),
    snapshots: createSnapshotStore(store, { logger, now }),
    holds: createHoldStore(store, { logger }),
    history: createHistoryStore(store, { logger, now }),
  };
}

/**
 * The {@link BlobStore} on one Netlify Blobs site store.
 *
 * Conditional writes check the HTTP status themselves: `@netlify/blobs` 10.7.13 reports any response
 * other than 412 to a conditional write as `{ modified: true }`, a 403 or a 500 included, which would
 * hand out a lock nobody got. Each conditional write therefore runs on a store whose `fetch` records
 * the final status: 2xx is a write, 412 a lost race, anything else a `storage-failed` error.
 */
export function openBlobStore(options: Pick<BlobsStorageOptions, 'client' | 'storeName'> = {}): BlobStore {
  const name = options.storeName ?? defaultStoreName;
  const config = options.client;
  if (config?.edgeURL !== undefined && config.uncachedEdgeURL === undefined) {
    throw new SyncError('config-invalid', 'Netlify Blobs in edge mode needs `uncachedEdgeURL` as well as `edgeURL` for strong consistency; pass both (the local BlobsServer URL for both in tests).');
  }
  const open = (fetch?: typeof globalThis.fetch): Store => {
    try {
      return getStore(storeOptions(name, config, fetch));
    } catch (error) {
      throw new SyncError(
        'storage-failed',
        `Netlify Blobs is not available here (${describe(error)}). Run EnvSync as a Netlify function (deployed, \`netlify dev\` or \`netlify functions:serve\`), or pass an explicit { siteID, token } client configuration.`,
        { cause: error },
      );
    }
  };
  const store = open();
  const guard = async <T>(action: string, key: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw new SyncError(
        'storage-failed',
        `Netlify Blobs could not ${action} "${key}" in store "${name}" (${describe(error)}). Blobs already retried; try the run again, and if it persists check that the site's Blobs token and site ID are valid.`,
        { cause: error, retryable: true },
      );
    }
  };

  const conditionalWrite = async (key: string, value: unknown, condition: WriteCondition): Promise<WriteOutcome> => {
    // An empty ETag would make the client drop the condition and write unconditionally.
    if ('onlyIfMatch' in condition && condition.onlyIfMatch === '') return { modified: false };
    const statuses: number[] = [];
    const recording = open(async (input, init) => {
      const response = await globalThis.fetch(input, init);
      statuses.push(response.status);
      return response;
    });
    const setOptions = 'onlyIfNew' in condition ? { onlyIfNew: true } : { onlyIfMatch: condition.onlyIfMatch };
    let result: { readonly etag?: string } = {};
    let thrown: unknown;
    try {
      result = await recording.setJSON(key, value, setOptions);
    } catch (error) {
      // A network failure after the client's retries: as unknown as a 5xx.
      thrown = error;
      statuses.push(0);
    }
    const final = statuses.at(-1);
    // Every attempt the client made (it retries 429 and 5xx) answered cleanly: the answer is the truth.
    const ambiguous = statuses.some((status) => status !== 412 && (status < 200 || status >= 300));
    if (!ambiguous) return final === 412 ? { modified: false } : withEtag(result.etag);
    // An attempt failed: it may have landed before its answer was lost (a retry then sees 412), or
    // not at all. Unknown, so read the key back: only our exact document there is a write.
    if (await holdsExactly(key, value)) return { modified: true };
    if (final === 412) return { modified: false };
    throw new SyncError(
      'storage-failed',
      `Netlify Blobs did not confirm a conditional write of "${key}" in store "${name}" (${final === undefined || final === 0 ? thrownText(thrown) : `HTTP ${String(final)}`}), and reading it back shows it did not land. Nothing was acquired; check that the site's Blobs token and site ID are valid, then try again.`,
      { cause: thrown, retryable: final === undefined || final === 0 || final === 429 || final >= 500, ...(final === undefined || final === 0 ? {} : { status: final }) },
    );
  };

  /** Whether the key now holds exactly `value` (as this module serialises it). */
  const holdsExactly = async (key: string, value: unknown): Promise<boolean> => {
    try {
      const text = await store.get(key, { type: 'text' });
      return text !== null && text === JSON.stringify(value);
    } catch {
      return false;
    }
  };

  return {
    async read(key): Promise<StoredBlob | undefined> {
      const text = await guard('read', key, () => store.get(key, { type: 'text' }));
      return text === null ? undefined : { json: parseJson(text) };
    },
    async write(key, value, condition) {
      if (condition !== undefined) return conditionalWrite(key, value, condition);
      const result = await guard('write', key, () => store.setJSON(key, value));
      return withEtag(result.etag);
    },
    async delete(key) {
      await guard('delete', key, () => store.delete(key));
    },
    async list(prefix) {
      const { blobs } = await guard('list', `${prefix}*`, () => store.list({ prefix }));
      // The local server also returns keys that are a prefix of `prefix`; keep only real matches.
      return blobs.filter((blob) => blob.key.startsWith(prefix)).map((blob) => ({ key: blob.key, etag: blob.etag }));
    },
  };
}

function storeOptions(name: string, config: BlobsClientConfig | undefined, fetch: typeof globalThis.fetch | undefined): GetStoreOptions {
  const base: GetStoreOptions = { name, consistency: 'strong', ...(fetch === undefined ? {} : { fetch }) };
  if (config === undefined) return base;
  return {
    ...base,
    siteID: config.siteID,
    token: config.token,
    ...defined({ edgeURL: config.edgeURL, uncachedEdgeURL: config.uncachedEdgeURL, apiURL: config.apiURL }),
  };
}

function withEtag(etag: string | undefined): WriteOutcome {
  return etag ? { modified: true, etag } : { modified: true };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function thrownText(error: unknown): string {
  return error === undefined ? 'no response' : describe(error);
}

/** The name and message of a Blobs client error; they state status codes and settings, never blob content. */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}

/** The object without its `undefined` properties (for `exactOptionalPropertyTypes` option bags). */
function defined<T extends Record<string, unknown>>(object: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
