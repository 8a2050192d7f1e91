import * as z from 'zod';
import type { TargetRef } from '../core/ledger.ts';
import type { SyncReport } from '../core/report.ts';
import type { Logger } from '../logging/logger.ts';
import { providerIdSchema } from '../core/provider-id.ts';
import { historyLeaf, keys, parseHistoryLeaf, parseTargetKey, segment, targetPath, timeOf, unsegment } from './keys.ts';
import { mapConcurrent, parseStored, type BlobEntry, type BlobStore } from './store.ts';
import { clears, draftsOf, kindOfTicketId, type TicketDraft } from './ticket-rules.ts';
import { ticketKinds, type Ticket, type TicketStore } from './types.ts';

/** Resolved tickets kept per target (open ones are at most one per kind and target). */
export const defaultResolvedTicketsPerTarget = 20;
/** Resolved tickets returned by a listing, newest first, unless the caller asks for another number. */
export const defaultResolvedTicketLimit = 50;

const readConcurrency = 16;

/** A stored ticket, as the tickets endpoint returns it. */
export const ticketSchema: z.ZodType<Ticket> = z.object({
  id: z.string(),
  provider: providerIdSchema,
  target: z.string(),
  kind: z.enum(ticketKinds),
  status: z.enum(['open', 'resolved']),
  keys: z.array(z.string()),
  codes: z.array(z.string()),
  summary: z.string(),
  occurrences: z.number().int().positive(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  lastRunId: z.string(),
  resolvedAt: z.string().exactOptional(),
});

/** Filters of {@link TicketStore.list}, plus how many resolved tickets to return. */
export interface TicketQuery {
  readonly status?: 'open' | 'resolved';
  readonly provider?: string;
  readonly target?: string;
  /** Most resolved tickets returned, newest first. Open tickets are always all returned. @default 50 */
  readonly resolvedLimit?: number;
}

export interface TicketStoreOptions {
  readonly logger: Logger;
  readonly now: () => number;
  /** @default {@link defaultResolvedTicketsPerTarget} */
  readonly resolvedPerTarget?: number;
}

/**
 * Drift and failure tickets on a {@link BlobStore}. Open tickets live at
 * `tickets/open/<provider>/<target>/<ticketId>` and resolved ones at
 * `tickets/resolved/<provider>/<target>/<newest-first>-<ticketId>`, so that recording a report reads
 * only the target's open tickets, and the common case (in sync, nothing open) is a single list.
 *
 * Rules (see `./ticket-rules.ts`): per target, at most one open ticket per kind, the one raised by the
 * latest report; a report raising a different key set resolves the older ticket of that kind
 * (superseded); a report raising the same one updates it (occurrences, lastSeen). A ticket raised
 * again after it was resolved is reopened with its history (firstSeen, occurrences).
 *
 * Requests per `recordReport`: 1 when nothing is open and nothing is raised; 3 to update an open
 * ticket (list, read, write) or to open one (list open, list resolved, write, plus a delete when the
 * resolved history is full); 3 more per ticket resolved (read, write, delete).
 *
 * `list` returns every matching open ticket (at most two per target) and the `resolvedLimit` most
 * recently resolved ones: one or two list requests and one read per ticket returned.
 *
 * Caveat: updates are read-modify-write without a condition, so two reports of one target recorded at
 * the same instant (a dry-run beside an apply) can lose one occurrence count. Which tickets are open
 * still converges on the next report. A crash between the two writes of a move (open to resolved or
 * back) leaves both copies; listings keep the more recent one and the next report tidies up.
 */
export function createTicketStore(store: BlobStore, options: TicketStoreOptions): TicketStore & {
  list(query?: TicketQuery): Promise<Ticket[]>;
} {
  const resolvedPerTarget = options.resolvedPerTarget ?? defaultResolvedTicketsPerTarget;
  const read = async (key: string) => {
    const blob = await store.read(key);
    return blob && parseStored(ticketSchema, blob, key, options.logger);
  };

  async function recordReport(report: SyncReport): Promise<void> {
    const target: TargetRef = { provider: report.provider, id: report.target };
    const openPrefix = `${keys.openTickets}${targetPath(target)}/`;
    const resolvedPrefix = `${keys.resolvedTickets}${targetPath(target)}/`;
    const openIds = (await store.list(openPrefix)).flatMap((entry) => leafIds(entry, openPrefix));
    const at = report.startedAt;

    // Resolved keys of the target, listed only when a ticket is raised (to find a copy to reopen).
    let resolvedKeys: string[] | undefined;

    const raise = async (draft: TicketDraft, isOpen: boolean) => {
      const openKey = `${openPrefix}${segment(draft.id)}`;
      const existing = isOpen ? await read(openKey) : undefined;
      if (existing) {
        await store.write(openKey, occurred(existing, draft, report));
        return;
      }
      resolvedKeys ??= (await store.list(resolvedPrefix)).map((entry) => entry.key);
      const copies = resolvedKeys.filter((key) => historyId(key, resolvedPrefix) === draft.id).sort();
      const [latestCopy] = copies;
      const previous = latestCopy === undefined ? undefined : await read(latestCopy);
      const ticket: Ticket = previous
        ? occurred(previous, draft, report)
        : { id: draft.id, provider: report.provider, target: report.target, kind: draft.kind, status: 'open', keys: draft.keys, codes: draft.codes, summary: draft.summary, occurrences: 1, firstSeen: at, lastSeen: at, lastRunId: report.runId };
      await store.write(openKey, ticket);
      await Promise.all(copies.map((key) => store.delete(key)));
      resolvedKeys = resolvedKeys.filter((key) => !copies.includes(key));
    };

    const resolve = async (id: string) => {
      const openKey = `${openPrefix}${segment(id)}`;
      const ticket = await read(openKey);
      if (ticket) {
        const resolvedKey = `${resolvedPrefix}${historyLeaf(timeOf(at, options.now()), id)}`;
        await store.write(resolvedKey, { ...ticket, status: 'resolved', resolvedAt: at } satisfies Ticket);
        resolvedKeys?.push(resolvedKey);
      }
      await store.delete(openKey);
    };

    const drafts = draftsOf(report);
    for (const kind of ticketKinds) {
      const draft = drafts[kind];
      const openOfKind = openIds.filter((id) => kindOfTicketId(id) === kind);
      if (draft) await raise(draft, openOfKind.includes(draft.id));
      const done = draft ? openOfKind.filter((id) => id !== draft.id) : clears(kind, report) ? openOfKind : [];
      for (const id of done) await resolve(id);
    }
    if (resolvedKeys) await Promise.all([...new Set(resolvedKeys)].sort().slice(resolvedPerTarget).map((key) => store.delete(key)));
  }

  async function list(query: TicketQuery = {}): Promise<Ticket[]> {
    const scope = query.provider === undefined ? '' : `${query.provider}/${query.target === undefined ? '' : `${segment(query.target)}/`}`;
    const matches = (entry: BlobEntry, base: string) => {
      const parts = parseTargetKey(entry.key, base);
      return parts !== undefined && (query.target === undefined || parts.target === query.target);
    };

    const openKeys = query.status === 'resolved' ? [] : (await store.list(`${keys.openTickets}${scope}`)).filter((entry) => matches(entry, keys.openTickets)).map((entry) => entry.key);
    const resolvedKeys =
      query.status === 'open'
        ? []
        : (await store.list(`${keys.resolvedTickets}${scope}`))
            .filter((entry) => matches(entry, keys.resolvedTickets))
            .map((entry) => ({ key: entry.key, order: parseHistoryLeaf(entry.key.slice(entry.key.lastIndexOf('/') + 1))?.order }))
            .filter((entry): entry is { key: string; order: string } => entry.order !== undefined)
            .sort((a, b) => compare(`${a.order}/${a.key}`, `${b.order}/${b.key}`))
            .slice(0, query.resolvedLimit ?? defaultResolvedTicketLimit)
            .map((entry) => entry.key);

    const found = (await mapConcurrent([...openKeys, ...resolvedKeys], readConcurrency, read)).filter((ticket): ticket is Ticket => ticket !== undefined);
    return latestCopies(found).sort(byStatusThenRecency);
  }

  return { recordReport, list };
}

/** The ticket after one more occurrence; a report recorded twice counts once. */
function occurred(ticket: Ticket, draft: TicketDraft, report: SyncReport): Ticket {
  return {
    id: ticket.id,
    provider: ticket.provider,
    target: ticket.target,
    kind: ticket.kind,
    status: 'open',
    firstSeen: ticket.firstSeen,
    keys: draft.keys,
    codes: draft.codes,
    summary: draft.summary,
    occurrences: ticket.lastRunId === report.runId ? ticket.occurrences : ticket.occurrences + 1,
    lastSeen: report.startedAt,
    lastRunId: report.runId,
  };
}

function leafIds(entry: BlobEntry, prefix: string): string[] {
  const leaf = entry.key.slice(prefix.length);
  return entry.key.startsWith(prefix) && leaf.length > 0 && !leaf.includes('/') ? [unsegment(leaf)] : [];
}

function historyId(key: string, prefix: string): string | undefined {
  const leaf = key.slice(prefix.length);
  return key.startsWith(prefix) && !leaf.includes('/') ? parseHistoryLeaf(leaf)?.id : undefined;
}

/** When a ticket last changed: its resolution, or its last occurrence. */
function activity(ticket: Ticket): string {
  return ticket.resolvedAt ?? ticket.lastSeen;
}

/** One ticket per id: after an interrupted move both copies exist, and the more recent one is true. */
function latestCopies(tickets: readonly Ticket[]): Ticket[] {
  const byId = new Map<string, Ticket>();
  for (const ticket of tickets) {
    const other = byId.get(ticket.id);
    if (!other || activity(ticket) > activity(other) || (activity(ticket) === activity(other) && ticket.status === 'resolved')) {
      byId.set(ticket.id, ticket);
    }
  }
  return [...byId.values()];
}

/** Open tickets first, then resolved; within each, the most recent first. */
function byStatusThenRecency(a: Ticket, b: Ticket): number {
  if (a.status !== b.status) return a.status === 'open' ? -1 : 1;
  return compare(activity(b), activity(a));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
