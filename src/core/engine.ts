import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { EnvSource } from '../config/general.ts';
import { createTokenCache, type DiscoveredToken, type TokenRequest } from '../discovery/index.ts';
import { isSyncError, SyncError, summarizeError } from '../errors.ts';
import type { Budget } from '../http/budget.ts';
import type { Logger } from '../logging/logger.ts';
import type { EngineSettings, ProviderAdapter, ProviderConnection } from './adapter.ts';
import { createConnectionPool, lookUpProvider, type ConnectionPool, type ProviderLink } from './connections.ts';
import type { ProviderSettings } from './provider-settings.ts';
import { createKeyFilter, loadCanonical, type CanonicalSet } from './canonical.ts';
import type { RunHooks } from './hooks.ts';
import { createFingerprinter, type Ledger, type TargetRef } from './ledger.ts';
import { createRedactor, type Redactor } from './redact.ts';
import type { SyncReport } from './report.ts';
import { syncTarget } from './sync-target.ts';

/**
 * Runs `work` while holding the target's lock. Throws `SyncError('conflict')` when another sync
 * holds it. The functions wire this to the Blobs lease; tests and one-off runs may omit it.
 */
export type TargetGuard = <T>(target: TargetRef, work: () => Promise<T>) => Promise<T>;

/** What the engine depends on; all injected, so tests use in-memory pieces and local servers. */
export interface EngineDeps {
  readonly settings: EngineSettings;
  readonly env: EnvSource;
  readonly ledger: Ledger;
  readonly logger: Logger;
  readonly budget: Budget;
  /** The provider registry (src/providers/index.ts in production). */
  readonly adapters: Readonly<Record<string, ProviderAdapter>>;
  readonly fetch?: typeof fetch;
  readonly readFile?: (path: string) => Promise<string>;
  readonly guard?: TargetGuard;
  readonly now?: () => number;
  /** A shared token cache, so an apply-all looks each token up once. */
  readonly tokens?: (request: TokenRequest) => Promise<DiscoveredToken>;
  /** A canonical set loaded once for several providers. */
  readonly canonical?: CanonicalSet;
  /**
   * The run's connections, one per provider, shared by every call of {@link syncProvider} in the
   * run (see ./connections.ts). Without it, each call opens its own.
   */
  readonly connections?: ConnectionPool;
  /**
   * The run's redactor, the one its connections were given: the engine teaches it every value read
   * from a target. Without it, one is built from the canonical set.
   */
  readonly redact?: Redactor;
  /**
   * Asked before each target: `false` leaves it unstarted (no lock, no request, no report), for a
   * caller whose time budget cannot fit another target and hands it on instead.
   */
  readonly mayStart?: (target: TargetRef) => boolean;
  /**
   * Called with each target's report as soon as it is done, before the next target starts, so a
   * function killed at its time limit loses at most the target in flight.
   */
  readonly onTargetDone?: (report: SyncReport) => Promise<void>;
  /**
   * Restricts the run to these keys (SECRET_ROTATED): every other key is treated as unmanaged, so
   * it is neither written nor deleted and the report says nothing about it.
   */
  readonly onlyKeys?: ReadonlySet<string>;
}

/** One sync or plan of one provider's targets. */
export interface SyncRequest {
  /** A registered provider id. */
  readonly provider: string;
  readonly mode: 'dry-run' | 'enforce';
  /** Restrict to these target ids (each must be configured); all configured targets by default. */
  readonly targets?: readonly string[];
  readonly runId?: string;
  /** Bookkeeping hooks (reviewed plans, rollback snapshots and holds); see `./hooks.ts`. */
  readonly hooks?: RunHooks;
}

/**
 * Syncs (or, in dry-run, plans) every target of one provider and returns one report per target.
 *
 * The canonical set and the token are loaded once; a token that cannot be found becomes a
 * `token-missing` error in every target's report (and so a failure ticket) rather than a thrown
 * error, so the run still leaves a record. Targets run one after another: they share the
 * provider's rate limit, and sequential runs keep request order predictable.
 *
 * @throws SyncError `bad-request` for a target id that is not configured, `canonical-invalid` or
 *   `config-invalid` for problems that affect every target.
 */
export async function syncProvider(request: SyncRequest, deps: EngineDeps): Promise<SyncReport[]> {
  const { settings } = deps;
  const { adapter, providerSettings } = lookUpProvider(request.provider, deps);
  const targetIds = selectTargets(request, providerSettings, adapter);
  const runId = request.runId ?? randomUUID();
  const now = deps.now ?? Date.now;
  if (settings.ledgerSecret === undefined) {
    throw new SyncError('config-invalid', 'ENVSYNC_LEDGER_SECRET is not set: it keys the fingerprints of written values. Set it to a random string of 16+ characters (openssl rand -hex 32).');
  }
  const canonical = deps.canonical ?? (await loadCanonical(settings, deps.env, deps.readFile));
  const redact = deps.redact ?? createRedactor(canonical.values.values());
  const logger = deps.logger.child({ runId, provider: request.provider });
  const connections =
    deps.connections ??
    createConnectionPool({
      settings,
      adapters: deps.adapters,
      tokens:
        deps.tokens ??
        createTokenCache({
          settings,
          env: deps.env,
          fetch: deps.fetch ?? fetch,
          readFile: deps.readFile ?? ((path) => readFile(path, 'utf8')),
          logger,
        }),
      budget: deps.budget,
      logger,
      redact,
      runTargets: { [request.provider]: targetIds },
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
    });
  let link = await connections(request.provider);
  let tokenSource = link.connection === undefined ? undefined : link.token.source;
  let refreshed = false;

  const reports: SyncReport[] = [];
  for (const targetId of targetIds) {
    if (deps.mayStart !== undefined && !deps.mayStart({ provider: request.provider, id: targetId })) continue;
    const startedAt = now();
    const target: TargetRef = { provider: request.provider, id: targetId };
    const attempt = (current: ProviderLink) => {
      if (current.connection === undefined) throw current.error;
      const connection = current.connection;
      const run = () => runTarget(request, deps, { adapter, connection, options: providerSettings.options }, target, canonical, logger, now, settings.ledgerSecret ?? '', redact);
      return deps.guard === undefined ? run() : deps.guard(target, run);
    };
    let body: Omit<SyncReport, 'runId' | 'provider' | 'target' | 'mode' | 'tokenSource' | 'startedAt' | 'durationMs'>;
    try {
      body = await attempt(link);
    } catch (error) {
      // A rotated token: the provider answered 401 to the target's first read, before anything was
      // written. The pool looks through the rest of the discovery chain (once per run) and this
      // target is tried again on the token found there.
      if (connections.refresh !== undefined && link.connection !== undefined && !refreshed && isRejectedToken(error)) {
        refreshed = true;
        link = await connections.refresh(request.provider, link.token, error);
        if (link.connection !== undefined) tokenSource = link.token.source;
        try {
          body = await attempt(link);
        } catch (second) {
          if (link.connection !== undefined && isRejectedToken(second)) link = await connections.refresh(request.provider, link.token, second);
          body = failedReport(link.connection === undefined ? link.error : second);
        }
      } else {
        body = failedReport(error);
      }
    }
    const header = {
      runId,
      provider: request.provider,
      target: targetId,
      mode: request.mode,
      ...(tokenSource === undefined ? {} : { tokenSource }),
      startedAt: new Date(startedAt).toISOString(),
    };
    const report: SyncReport = { ...header, ...body, durationMs: Math.max(0, now() - startedAt) };
    logger.info('sync.target_done', {
      target: targetId,
      mode: request.mode,
      applied: report.applied,
      create: report.summary.create,
      update: report.summary.update,
      delete: report.summary.delete,
      noop: report.summary.noop,
      pendingKeys: report.pending.map((change) => change.key),
      errorCodes: report.errors.map((error) => error.code),
    });
    reports.push(report);
    await deps.onTargetDone?.(report);
  }
  return reports;
}

async function runTarget(
  request: SyncRequest,
  deps: EngineDeps,
  provider: { readonly adapter: ProviderAdapter; readonly connection: ProviderConnection; readonly options: unknown },
  target: TargetRef,
  canonical: CanonicalSet,
  logger: Logger,
  now: () => number,
  ledgerSecret: string,
  redact: Redactor,
) {
  const ledger = await deps.ledger.load(target);
  const result = await syncTarget({
    ...provider,
    targetId: target.id,
    mode: request.mode,
    settings: deps.settings,
    desired: canonical.values,
    isManaged: scopedKeyFilter(deps),
    ledger,
    fingerprint: createFingerprinter(ledgerSecret),
    budget: deps.budget,
    logger: logger.child({ target: target.id }),
    now,
    // Saved by the target sync after every apply round, before the redeploy, with retries.
    saveLedger: (entries) => deps.ledger.save(target, entries),
    learnValues: (values) => redact.add(values),
    target,
    ...(request.hooks === undefined ? {} : { hooks: request.hooks }),
  });
  return result.report;
}

/** The managed-key rule, narrowed to {@link EngineDeps.onlyKeys} when the run is about a few keys. */
function scopedKeyFilter(deps: EngineDeps): (key: string) => boolean {
  const managed = createKeyFilter(deps.settings);
  const only = deps.onlyKeys;
  return only === undefined ? managed : (key) => only.has(key) && managed(key);
}

/** A provider's 401 to the token itself (403 is a permission problem, not a stale token). */
function isRejectedToken(error: unknown): boolean {
  return isSyncError(error) && error.code === 'provider-auth' && error.status === 401;
}

/** A report for a target that could not be read or synced at all. */
function failedReport(error: unknown): Omit<SyncReport, 'runId' | 'provider' | 'target' | 'mode' | 'tokenSource' | 'startedAt' | 'durationMs'> {
  return {
    applied: false,
    summary: { create: 0, update: 0, delete: 0, noop: 0 },
    changes: [],
    skipped: [],
    pending: [],
    errors: [summarizeError(error)],
    redeploy: 'not-needed',
    rounds: 0,
  };
}

/** The configured targets of a provider, or the requested subset; an unknown id is a bad request. */
export function selectTargets(
  request: Pick<SyncRequest, 'targets'>,
  providerSettings: ProviderSettings,
  adapter: ProviderAdapter,
): readonly string[] {
  const configured = providerSettings.targetIds;
  if (request.targets === undefined) return configured;
  const unknown = request.targets.filter((id) => !configured.includes(id));
  const [first] = unknown;
  if (first !== undefined) {
    const kind = adapter.targetKindOf?.(first) ?? { noun: adapter.targetNoun, setting: adapter.settings.targetSetting };
    const targets = adapter.targetKindOf === undefined ? `${adapter.targetNoun}s` : 'targets';
    throw new SyncError(
      'bad-request',
      `Unknown ${adapter.displayName} ${kind.noun} ${unknown.join(', ')}: configured ${targets} are ${configured.length > 0 ? configured.join(', ') : 'none'}. Add it to ${kind.setting} or pick a configured one.`,
    );
  }
  return request.targets;
}
