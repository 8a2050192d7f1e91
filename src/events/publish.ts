import type { Settings } from '../config/settings.ts';
import type { TargetRef } from '../core/ledger.ts';
import type { SyncReport } from '../core/report.ts';
import { summarizeError } from '../errors.ts';
import type { Logger } from '../logging/logger.ts';
import { mapConcurrent } from '../storage/store.ts';
import type { Storage } from '../storage/types.ts';
import { deliver, type DeliveryPolicy } from './deliver.ts';
import { eventsOfReport, type RunMeta } from './from-report.ts';
import { signWebhook, webhookHeaders } from './signing.ts';
import { nextSlackState, slackAlertsFor, type SlackAlert } from './slack.ts';
import type { Delivery, EnvSyncEvent, EventRecord } from './types.ts';

/**
 * Publishing a run's events: made from each target's report, sent to every webhook (signed), the
 * drift and failure alerts to Slack (deduplicated per ticket), then appended to the events log with
 * how each delivery went.
 *
 * One publisher lives for one run and holds the run's total delivery time (ENVSYNC_WEBHOOK_DEADLINE_MS,
 * shared by every batch of a background run), so however many targets and receivers there are and
 * however slow they are, events add at most that much to the run. Nothing here throws: a receiver or
 * the events log failing never fails the sync; a log failure comes back as a warning.
 */

/** What a publisher needs. */
export interface PublishContext {
  readonly settings: Settings;
  readonly storage: Pick<Storage, 'events' | 'alerts'>;
  readonly fetch: typeof fetch;
  readonly now: () => number;
  readonly logger: Logger;
  /** The site's URL (Netlify's `URL`), for the link in Slack messages. */
  readonly siteUrl?: string;
  /** Time the run may still use; delivery never runs past it plus {@link graceMs}. */
  readonly remainingMs?: () => number;
  /** `keys` for a run over a few keys (SECRET_ROTATED): no drift alerts or resolutions in Slack. */
  readonly scope?: 'full' | 'keys';
  /** First retry backoff, for tests. */
  readonly retryBaseMs?: number;
}

/** Past the run's own budget (which keeps a reserve for storing reports), delivery may take this much. */
export const graceMs = 2_000;

/** Deliveries in flight at once, over every receiver. */
const deliveryConcurrency = 6;

/** A run's publisher. */
export interface Publisher {
  /** Publishes the events of some reports; returns warnings for the response (never throws). */
  publish(reports: readonly SyncReport[]): Promise<string[]>;
}

/** Creates the publisher of one run. */
export function createPublisher(meta: RunMeta, context: PublishContext): Publisher {
  const { settings, now, logger } = context;
  let spentMs = 0;
  return {
    async publish(reports) {
      const started = now();
      const at = new Date(started).toISOString();
      const events = reports.flatMap((report) => eventsOfReport(report, meta, at));
      if (events.length === 0) return [];
      const budgetLeft = context.remainingMs === undefined ? Number.POSITIVE_INFINITY : context.remainingMs() + graceMs;
      const policy: DeliveryPolicy = {
        attempts: settings.events.attempts,
        attemptTimeoutMs: settings.events.attemptTimeoutMs,
        deadline: started + Math.max(0, Math.min(settings.events.deadlineMs - spentMs, budgetLeft)),
        fetch: context.fetch,
        now,
        ...(context.retryBaseMs === undefined ? {} : { retryBaseMs: context.retryBaseMs }),
      };
      const deliveries = new Map<string, Delivery[]>(events.map((event) => [event.id, []]));
      try {
        await Promise.all([sendWebhooks(events, settings, policy, deliveries), sendSlack(reports, events, context, policy, deliveries)]);
      } finally {
        spentMs += now() - started;
      }
      const records: EventRecord[] = events.map((event) => ({ ...event, deliveries: (deliveries.get(event.id) ?? []).sort(byDestination) }));
      const failed = records.flatMap((record) => record.deliveries).filter((delivery) => !delivery.ok);
      logger.info('events.published', {
        events: events.length,
        types: events.map((event) => event.type),
        deliveries: records.reduce((sum, record) => sum + record.deliveries.length, 0),
        failed: failed.map((delivery) => `${delivery.destination}${delivery.index ?? ''}:${delivery.error ?? 'http'}${delivery.status === undefined ? '' : `:${delivery.status}`}`),
      });
      try {
        await context.storage.events.append(records, settings.events.kept);
        return [];
      } catch (error) {
        const summary = summarizeError(error);
        logger.error('events.log_failed', { code: summary.code });
        return [`The run's events could not be added to the events log (${summary.code}); they were still sent to the configured receivers.`];
      }
    },
  };
}

async function sendWebhooks(events: readonly EnvSyncEvent[], settings: Settings, policy: DeliveryPolicy, deliveries: Map<string, Delivery[]>): Promise<void> {
  const secret = settings.events.webhookSecret;
  const urls = settings.events.webhookUrls;
  if (urls.length === 0 || secret === undefined) return;
  const jobs = events.flatMap((event) => urls.map((url, index) => ({ event, url, index: index + 1 })));
  await mapConcurrent(jobs, deliveryConcurrency, async ({ event, url, index }) => {
    const body = JSON.stringify(event);
    const outcome = await deliver(
      {
        url,
        body,
        headers: () => {
          const timestamp = Math.floor(policy.now() / 1000);
          return {
            [webhookHeaders.signature]: signWebhook(secret, timestamp, body),
            [webhookHeaders.timestamp]: String(timestamp),
            [webhookHeaders.eventId]: event.id,
            [webhookHeaders.eventType]: event.type,
          };
        },
      },
      policy,
    );
    deliveries.get(event.id)?.push({ destination: 'webhook', index, host: new URL(url).hostname, ...outcome });
  });
}

async function sendSlack(
  reports: readonly SyncReport[],
  events: readonly EnvSyncEvent[],
  context: PublishContext,
  policy: DeliveryPolicy,
  deliveries: Map<string, Delivery[]>,
): Promise<void> {
  const url = context.settings.events.slackWebhookUrl;
  if (url === undefined) return;
  const host = new URL(url).hostname;
  await mapConcurrent(reports, deliveryConcurrency, async (report) => {
    const target: TargetRef = { provider: report.provider, id: report.target };
    let state;
    try {
      state = await context.storage.alerts.get(target);
    } catch (error) {
      context.logger.warn('slack.state_unreadable', { provider: report.provider, target: report.target, code: summarizeError(error).code });
      return;
    }
    const alerts = slackAlertsFor(report, state, runsLink(context.siteUrl, report), context.scope ?? 'full');
    const delivered: SlackAlert[] = [];
    for (const alert of alerts) {
      const outcome = await deliver({ url, body: JSON.stringify(alert.message), headers: () => ({}) }, policy);
      if (outcome.ok) delivered.push(alert);
      const event = events.find((candidate) => candidate.runId === report.runId && candidate.target === report.target && candidate.provider === report.provider && candidate.type === eventFor(alert));
      if (event !== undefined) deliveries.get(event.id)?.push({ destination: 'slack', host, ...outcome });
    }
    if (delivered.length === 0) return;
    try {
      await context.storage.alerts.set(target, nextSlackState(state, delivered));
    } catch (error) {
      context.logger.warn('slack.state_unsaved', { provider: report.provider, target: report.target, code: summarizeError(error).code });
    }
  });
}

/** Webhooks in configuration order, then Slack. */
function byDestination(a: Delivery, b: Delivery): number {
  return a.destination === b.destination ? (a.index ?? 0) - (b.index ?? 0) : a.destination === 'webhook' ? -1 : 1;
}

/** The event a Slack message is recorded under: the alert's own, or COMPLETE for a resolution. */
function eventFor(alert: SlackAlert): EnvSyncEvent['type'] {
  if (alert.resolved) return 'ENVSYNC_COMPLETE';
  return alert.kind === 'drift' ? 'ENVSYNC_DRIFT_DETECTED' : 'ENVSYNC_FAILED';
}

function runsLink(siteUrl: string | undefined, report: SyncReport): string | undefined {
  if (siteUrl === undefined || !URL.canParse(siteUrl)) return undefined;
  const url = new URL('/.netlify/functions/envsync-runs', siteUrl);
  url.searchParams.set('provider', report.provider);
  url.searchParams.set('target', report.target);
  return url.toString();
}
