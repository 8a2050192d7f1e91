import { createHmac } from 'node:crypto';
import type { EnvSource } from '../../config/load.ts';
import type { Settings } from '../../config/settings.ts';
import { targetKey, type TargetRef } from '../../core/ledger.ts';
import type { RunTrigger } from '../../core/trigger.ts';
import { SyncError } from '../../errors.ts';
import type { RunProgress, Storage } from '../../storage/types.ts';
import { constantTimeEqual } from '../http/auth.ts';
import type { ServiceDeps } from '../deps.ts';

/**
 * Handing large runs to the background function. A synchronous function has 60 s (30 s locally),
 * a scheduled one 30 s; a fleet of 50 Render services and 50 Netlify sites needs minutes. Above
 * {@link fanOutThreshold} targets, the run's progress is recorded in Blobs and the background
 * function (15 min) is started with a POST; the caller gets 202 and the runId at once.
 */

/** Most targets one synchronous or scheduled invocation syncs itself. */
export const fanOutThreshold = 8;

/** The background function's name (netlify/functions/envsync-background.mts). */
export const backgroundFunctionName = 'envsync-background';

/** Header carrying the run's signature on the POST that starts the background function. */
export const signatureHeader = 'x-envsync-signature';

/** Whether a run over `targetCount` targets goes to the background function. */
export function shouldFanOut(targetCount: number): boolean {
  return targetCount > fanOutThreshold;
}

/**
 * How long a run signature stays valid: long enough for Netlify's retries of a background
 * invocation that failed (after 1 min, then 2 min later), short enough that a captured request
 * cannot be replayed later.
 */
export const runSignatureTtlMs = 10 * 60_000;

/**
 * The background function is reachable by URL like any function, so it only runs a run that
 * was queued by EnvSync: the POST carries `<expiresAtMs>.<HMAC>` of the runId and the expiry,
 * keyed by ENVSYNC_LEDGER_SECRET (required whenever EnvSync is enabled, and never sent anywhere),
 * which the scheduled function can produce even when no ENVSYNC_API_TOKEN is set. The expiry is
 * inside the MAC, so it cannot be extended; a replay before it is refused by the run's claim.
 */
export function runSignature(ledgerSecret: string, runId: string, expiresAtMs: number): string {
  const expiry = String(Math.trunc(expiresAtMs));
  return `${expiry}.${createHmac('sha256', ledgerSecret).update(`envsync-background:${runId}:${expiry}`).digest('hex')}`;
}

/**
 * @throws SyncError `unauthorized` unless the request carries the run's signature, unexpired and
 *   not valid for longer than {@link runSignatureTtlMs} (plus a minute of clock skew).
 */
export function verifyRunSignature(request: Request, settings: Settings, runId: string, nowMs: number): void {
  const given = request.headers.get(signatureHeader) ?? '';
  const match = /^(\d{1,15})\.[0-9a-f]{64}$/.exec(given);
  const expiresAt = match?.[1] === undefined ? Number.NaN : Number(match[1]);
  const valid = settings.ledgerSecret !== undefined && match !== null && constantTimeEqual(given, runSignature(settings.ledgerSecret, runId, expiresAt));
  if (!valid) {
    throw new SyncError('unauthorized', `${backgroundFunctionName} only runs runs queued by EnvSync itself (signed with ENVSYNC_LEDGER_SECRET). Start a run with envsync-apply-all instead.`);
  }
  if (expiresAt < nowMs || expiresAt > nowMs + runSignatureTtlMs + 60_000) {
    throw new SyncError(
      'unauthorized',
      `The signature of run ${runId} has expired (it is valid for ${runSignatureTtlMs / 60_000} min after the run is queued), so ${backgroundFunctionName} runs nothing. Start a new run with envsync-apply-all.`,
    );
  }
}

/**
 * Where to POST to start the background function: the origin the request came to (a deploy
 * preview reaches its own background function), or for the scheduled function, which is not
 * called by a browser, the site's primary URL (`URL`, set by Netlify) when there is one.
 */
export function backgroundUrl(request: Request, env: EnvSource, preferSiteUrl: boolean): string {
  const siteUrl = env['URL'];
  const origin = preferSiteUrl && siteUrl !== undefined && URL.canParse(siteUrl) ? new URL(siteUrl).origin : new URL(request.url).origin;
  return `${origin}/.netlify/functions/${backgroundFunctionName}`;
}

/** A run to queue. */
export interface QueuedRun {
  readonly runId: string;
  readonly mode: 'dry-run' | 'enforce';
  readonly targets: readonly TargetRef[];
  readonly trigger: RunTrigger;
  readonly reason?: string;
  readonly keys?: readonly string[];
}

/**
 * Records the run as queued and starts the background function.
 * @throws SyncError `internal` when the background function does not accept the run; the progress
 *   record then says `failed`, so the runs endpoint does not show it queued for ever.
 */
export async function dispatchToBackground(
  run: QueuedRun,
  context: { readonly settings: Settings; readonly storage: Storage; readonly deps: ServiceDeps; readonly url: string },
): Promise<RunProgress> {
  const { settings, storage, deps } = context;
  const now = new Date((deps.now ?? Date.now)()).toISOString();
  const progress: RunProgress = {
    runId: run.runId,
    status: 'queued',
    mode: run.mode,
    pending: run.targets.map(targetKey),
    done: [],
    startedAt: now,
    updatedAt: now,
    trigger: run.trigger,
    ...(run.reason === undefined ? {} : { reason: run.reason }),
    ...(run.keys === undefined ? {} : { keys: run.keys }),
  };
  await storage.runs.saveProgress(progress);
  const status = await postToBackground(run.runId, settings, deps, context.url);
  if (status === 202 || status === 200) {
    deps.logger.info('run.fanned_out', { runId: run.runId, targets: run.targets.length });
    return progress;
  }
  const error = `The background function did not accept the run (${status === undefined ? 'no response' : `HTTP ${status}`}). Check that ${backgroundFunctionName} is deployed and its log.`;
  await storage.runs.saveProgress({ ...progress, status: 'failed', error, updatedAt: new Date((deps.now ?? Date.now)()).toISOString() });
  throw new SyncError('internal', `${error} Run ${run.runId} did not start.`);
}

async function postToBackground(runId: string, settings: Settings, deps: ServiceDeps, url: string): Promise<number | undefined> {
  const fetch = deps.fetch ?? globalThis.fetch;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [signatureHeader]: runSignature(settings.ledgerSecret ?? '', runId, (deps.now ?? Date.now)() + runSignatureTtlMs) },
      body: JSON.stringify({ runId }),
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    return response.status;
  } catch {
    return undefined;
  }
}

/** The 202 answer of a fanned-out run. */
export function queuedBody(progress: RunProgress, note: string | undefined): Record<string, unknown> {
  return {
    runId: progress.runId,
    status: progress.status,
    mode: progress.mode,
    targets: progress.pending.length,
    progress: `/.netlify/functions/envsync-runs?runId=${progress.runId}`,
    ...(note === undefined ? {} : { note }),
  };
}
