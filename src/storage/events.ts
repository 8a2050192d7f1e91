import { eventRecordSchema, eventTypes, type EventRecord, type EventType } from '../events/types.ts';
import type { Logger } from '../logging/logger.ts';
import { looksLikeProviderId } from '../core/provider-id.ts';
import { keys, newestFirst, segment, timeOf, unsegment } from './keys.ts';
import { mapConcurrent, parseStored, type BlobStore } from './store.ts';
import type { EventLog, EventQuery } from './types.ts';

/** Events kept unless ENVSYNC_EVENTS_KEPT says otherwise. */
export const defaultEventsKept = 500;
/** Events a listing returns unless `limit` says otherwise. */
export const defaultEventLimit = 50;

const concurrency = 8;

/**
 * The events log on a {@link BlobStore}: one blob per event at
 * `events/<newest-first>/<type>/<provider>/<target>/<eventId>`. The key carries what `?type=` and
 * `?target=` filter on, so a listing is one `list` and one read per event returned, never a read of
 * the whole log; pruning the oldest beyond `kept` needs the keys alone.
 *
 * Requests: `append` is one write per record, one list, and a delete per record beyond `kept`;
 * `list` is one list and one read per event returned.
 */
export function createEventLog(store: BlobStore, options: { readonly logger: Logger; readonly now: () => number; readonly kept?: number }): EventLog {
  const kept = options.kept ?? defaultEventsKept;
  const parsedKeys = async () =>
    (await store.list(keys.events))
      .map((entry) => ({ key: entry.key, parts: parseEventKey(entry.key) }))
      .filter((entry): entry is { key: string; parts: EventKeyParts } => entry.parts !== undefined)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  return {
    async append(records, keep = kept) {
      if (records.length === 0) return;
      await mapConcurrent(records, concurrency, (record) => store.write(eventKey(record, options.now()), record));
      const all = await parsedKeys();
      await mapConcurrent(all.slice(keep), concurrency, (entry) => store.delete(entry.key));
    },

    async list(query: EventQuery = {}) {
      const types = query.types !== undefined && query.types.length > 0 ? new Set(query.types) : undefined;
      const wanted = (await parsedKeys())
        .filter(({ parts }) => (types === undefined || types.has(parts.type)) && (query.target === undefined || parts.target === query.target))
        .slice(0, query.limit ?? defaultEventLimit);
      const found = await mapConcurrent(wanted, concurrency, async ({ key }) => {
        const blob = await store.read(key);
        return blob && parseStored(eventRecordSchema, blob, key, options.logger);
      });
      return found.filter((record): record is EventRecord => record !== undefined);
    },
  };
}

interface EventKeyParts {
  readonly type: EventType;
  readonly target: string;
}

function eventKey(record: EventRecord, nowMs: number): string {
  return `${keys.events}${newestFirst(timeOf(record.at, nowMs))}/${record.type}/${record.provider}/${segment(record.target)}/${segment(record.id)}`;
}

function parseEventKey(key: string): EventKeyParts | undefined {
  const parts = key.slice(keys.events.length).split('/');
  const [order, type, provider, target, id] = parts;
  if (parts.length !== 5 || order === undefined || !/^\d{13}$/.test(order) || id === undefined || target === undefined) return undefined;
  if (!(eventTypes as readonly string[]).includes(type ?? '') || provider === undefined || !looksLikeProviderId(provider)) return undefined;
  return { type: type as EventType, target: unsegment(target) };
}
