import { summarizeError, type ErrorSummary } from '../errors.ts';
import type { Budget } from '../http/budget.ts';
import type { Logger } from '../logging/logger.ts';
import type { AppliedChange, ApplyOutcome, EngineSettings, ProviderAdapter, ProviderConnection } from './adapter.ts';
import { changedSinceWrite, diff, type DiffPolicy } from './diff.ts';
import { confirmLanded } from './confirm-landed.ts';
import { createLedgerKeeper } from './ledger-keeper.ts';
import type { PlanContext, RunHooks } from './hooks.ts';
import { indexLedger, pruneLedger, type Fingerprinter, type LedgerEntry, type LedgerSnapshot, type TargetRef } from './ledger.ts';
import { deletesOf, slotKey, type Plan, type PlannedChange, type PlanWarning, type RemoteState } from './plan.ts';
import type { ReportChange, SyncReport } from './report.ts';

/** Most read → plan → apply rounds for one target: the first, and two after retryable failures. */
export const maxRounds = 3;

/** Everything needed to sync one target. */
export interface TargetSyncInput {
  readonly adapter: ProviderAdapter;
  readonly connection: ProviderConnection;
  /** The provider's resolved options, handed to the adapter's `contextsFor` and `isSecret`. */
  readonly options: unknown;
  readonly targetId: string;
  readonly mode: 'dry-run' | 'enforce';
  readonly settings: EngineSettings;
  readonly desired: ReadonlyMap<string, string>;
  readonly isManaged: (key: string) => boolean;
  readonly ledger: LedgerSnapshot;
  readonly fingerprint: Fingerprinter;
  readonly budget: Budget;
  readonly logger: Logger;
  readonly now: () => number;
  /**
   * Stores the target's ledger. Called after every apply round that changed it, before any
   * redeploy, and retried when it fails; without it nothing is stored (the caller keeps `ledger`).
   */
  readonly saveLedger?: (entries: LedgerSnapshot) => Promise<void>;
  /**
   * Told every value read from the target (unmanaged ones included), so the redactor of provider
   * text also knows what a replace-all sends back.
   */
  readonly learnValues?: (values: Iterable<string | undefined>) => void;
  /** Waits between ledger save attempts; injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Bookkeeping hooks of the run (reviewed plans, rollback); see `./hooks.ts`. */
  readonly hooks?: RunHooks;
  /** The target, for the hooks. */
  readonly target?: TargetRef;
}

/** The part of a report a target sync produces, and the ledger it leaves behind. */
export interface TargetSyncResult {
  readonly report: Omit<SyncReport, 'runId' | 'provider' | 'target' | 'mode' | 'tokenSource' | 'startedAt' | 'durationMs'>;
  /** The ledger after this sync, or `undefined` when nothing was written. */
  readonly ledger: LedgerSnapshot | undefined;
}

/**
 * Syncs one target: read → diff → (dry-run: stop) → refuse unsafe plans → apply, and after a
 * retryable failure (an unknown write outcome, a rate limit, a 5xx) read and plan again before
 * writing again, up to {@link maxRounds} rounds within the budget. Re-reading rather than
 * repeating the request is what makes retries safe: a write that did land is not sent twice.
 *
 * What landed is never forgotten: the ledger is saved after every apply round (before the
 * redeploy), and once anything landed, a failure of a later round (a re-read, an apply that
 * throws, a ledger save) ends the loop with its error in a report that still lists what was done.
 *
 * @throws only when nothing was written: the first read failing, or an apply throwing before any
 *   change landed (the engine then reports the target as failed).
 */
export async function syncTarget(input: TargetSyncInput): Promise<TargetSyncResult> {
  const { adapter, connection, targetId } = input;
  const ledger = indexLedgerMutable(input.ledger);
  const keeper = createLedgerKeeper({
    save: input.saveLedger ?? (() => Promise.resolve()),
    snapshot: () => [...ledger.values()],
    budget: input.budget,
    logger: input.logger,
    targetLabel: `${adapter.displayName} ${adapter.targetNoun} ${targetId}`,
    ...(input.sleep === undefined ? {} : { sleep: input.sleep }),
  });
  let ledgerChanged = false;
  const done: AppliedChange[] = [];
  let plan: Plan = { changes: [], skipped: [] };
  let pending: PlannedChange[] = [];
  let errors: ErrorSummary[] = [];
  let refusal: string | undefined;
  let warnings: PlanWarning[] = [];
  let rounds = 0;
  /** Slots this run sent a write for: a lost answer may hide a write that landed. */
  const attempted = new Set<string>();

  while (rounds < maxRounds) {
    rounds += 1;
    let remote: RemoteState;
    try {
      remote = await connection.read(targetId);
    } catch (error) {
      // The first read failing fails the target; a re-read failing after writes landed must not
      // lose the record of those writes, so it ends the loop with the error instead.
      if (rounds === 1) throw error;
      errors = [summarizeError(error)];
      break;
    }
    input.learnValues?.(remote.values.map((value) => value.value));
    if (pruneLedger(ledger, remote)) {
      ledgerChanged = true;
      keeper.changed();
    }
    if (rounds === 1) warnings = [...(adapter.preflight?.(input.desired, remote, input.options) ?? [])];
    plan = diff(input.desired, remote, policyFor(input, ledger));
    const revealed = await revealHidden(input, connection, plan, remote, ledger);
    if (revealed !== undefined) {
      ({ plan, remote } = revealed);
      // Values a reveal read (Vercel's decrypted records) are redacted like every other value read.
      input.learnValues?.(remote.values.map((value) => value.value));
      if (revealed.adopted) {
        ledgerChanged = true;
        keeper.changed();
      }
    }
    if (input.mode === 'enforce' && confirmLanded(ledger, plan, remote, input, attempted)) {
      ledgerChanged = true;
      keeper.changed();
    }
    const context = hookContext(input, remote, rounds, ledger);
    if (input.hooks?.shapePlan !== undefined && context !== undefined) plan = input.hooks.shapePlan({ ...context, plan });
    const actionable = plan.changes.filter((change) => change.op !== 'noop');
    pending = actionable;
    errors = [];
    if (input.mode === 'dry-run' || actionable.length === 0) break;
    refusal = refusalFor(plan, input);
    if (refusal !== undefined) {
      errors = [{ code: 'deletion-refused', message: refusal }];
      break;
    }
    if (input.hooks?.beforeApply !== undefined && context !== undefined) {
      const before = await revealPriorValues(input, connection, plan, context.remote);
      await input.hooks.beforeApply({ ...context, remote: before, plan });
    }
    for (const change of actionable) if (change.op !== 'delete') attempted.add(slotKey(change.key, change.context));
    let outcome: ApplyOutcome;
    try {
      outcome = await connection.apply(targetId, plan, input.desired, remote);
    } catch (error) {
      // Nothing landed yet: the target failed as a whole. Otherwise keep the record of what did.
      if (done.length === 0) throw error;
      errors = [summarizeError(error)];
      break;
    }
    done.push(...outcome.done);
    if (recordInLedger(ledger, outcome.done, plan, input)) {
      ledgerChanged = true;
      keeper.changed();
    }
    await keeper.flush();
    const doneSlots = new Set(outcome.done.map((change) => slotKey(change.key, change.context)));
    pending = actionable.filter((change) => !doneSlots.has(slotKey(change.key, change.context)));
    errors = outcome.errors.map((error) => summarizeError(error));
    const retry = outcome.errors.some((error) => error.retryable) && rounds < maxRounds && input.budget.allows(1_000);
    if (outcome.errors.length === 0 || !retry) break;
    input.logger.warn('sync.retry_round', { target: targetId, round: rounds, codes: outcome.errors.map((e) => e.code) });
  }

  if (input.mode === 'enforce') await keeper.flush();
  const storageFailure = keeper.failure();
  if (storageFailure !== undefined) errors.push(storageFailure);
  errors.push(...emptyValueErrors(plan, adapter.displayName));
  const applied = input.mode === 'enforce' && done.length > 0;
  const redeploy = await redeployIfNeeded(input, connection, applied, errors);
  return {
    report: {
      applied,
      ...(refusal === undefined ? {} : { refusal }),
      ...summarise(input, plan, done, adapter.capabilities.hasContexts),
      skipped: plan.skipped.map((skip) => withContext(skip, adapter.capabilities.hasContexts)),
      pending: pending.map((change) => toReportChange(change, adapter.capabilities.hasContexts)),
      errors,
      ...(warnings.length === 0 ? {} : { warnings: warnings.map((warning) => withContext(warning, adapter.capabilities.hasContexts)) }),
      redeploy,
      rounds,
    },
    ledger: ledgerChanged ? [...ledger.values()] : undefined,
  };
}

/**
 * Asks the provider to read the hidden values the plan could not compare (`unverifiable`), when it
 * can, and plans again. In enforce mode a value found equal to the canonical one is recorded in the
 * ledger as if EnvSync had written it (it holds what EnvSync would have written, so it is EnvSync's
 * to keep in sync from now on), so the next run compares through the ledger without that read. A
 * failed read is not fatal: the hidden values are then written, as they would have been anyway.
 */
async function revealHidden(
  input: TargetSyncInput,
  connection: ProviderConnection,
  plan: Plan,
  remote: RemoteState,
  ledger: Map<string, LedgerEntry>,
): Promise<{ plan: Plan; remote: RemoteState; adopted: boolean } | undefined> {
  const hidden = plan.changes.filter((change) => change.reason === 'unverifiable');
  if (connection.reveal === undefined || hidden.length === 0) return undefined;
  let revealed: RemoteState;
  try {
    const answer = await connection.reveal(input.targetId, remote, hidden);
    // A reveal fills in values; it never releases what the provider held back.
    revealed = answer.held === undefined && remote.held !== undefined ? { ...answer, held: remote.held } : answer;
  } catch (error) {
    input.logger.warn('sync.reveal_failed', { target: input.targetId, code: summarizeError(error).code });
    return undefined;
  }
  const next = diff(input.desired, revealed, policyFor(input, ledger));
  let adopted = false;
  if (input.mode === 'enforce') {
    const confirmed = new Set(next.changes.filter((change) => change.op === 'noop').map((change) => slotKey(change.key, change.context)));
    const writtenAt = new Date(input.now()).toISOString();
    for (const change of hidden) {
      const slot = slotKey(change.key, change.context);
      const value = input.desired.get(change.key);
      if (!confirmed.has(slot) || value === undefined) continue;
      const remoteUpdatedAt = revealed.values.find((other) => other.key === change.key && other.context === change.context)?.updatedAt;
      ledger.set(slot, {
        key: change.key,
        context: change.context,
        fingerprint: input.fingerprint(change.key, value),
        writtenAt,
        ...(remoteUpdatedAt === undefined ? {} : { remoteUpdatedAt }),
      });
      adopted = true;
    }
  }
  return { plan: next, remote: revealed, adopted };
}

/**
 * The state a rollback snapshot records: the remote state with the hidden prior values of the slots
 * about to be overwritten or deleted read through the provider's `reveal` (Vercel's per-record GET
 * of `encrypted` values: one request per record about to change), so they can be restored. Values
 * no provider lets EnvSync read (Netlify secrets, Vercel `sensitive`) stay unreadable and the
 * rollback plan says so. A failed read is not fatal: the slots are then snapshotted as unreadable.
 */
async function revealPriorValues(input: TargetSyncInput, connection: ProviderConnection, plan: Plan, remote: RemoteState): Promise<RemoteState> {
  if (connection.reveal === undefined) return remote;
  const hidden = new Set(remote.values.filter((value) => value.value === undefined).map((value) => slotKey(value.key, value.context)));
  const slots = plan.changes.filter((change) => (change.op === 'update' || change.op === 'delete') && hidden.has(slotKey(change.key, change.context)));
  if (slots.length === 0) return remote;
  try {
    const revealed = await connection.reveal(input.targetId, remote, slots);
    input.learnValues?.(revealed.values.map((value) => value.value));
    return revealed;
  } catch (error) {
    input.logger.warn('sync.snapshot_reveal_failed', { target: input.targetId, code: summarizeError(error).code });
    return remote;
  }
}

function hookContext(input: TargetSyncInput, remote: RemoteState, round: number, ledger: ReadonlyMap<string, LedgerEntry>): Omit<PlanContext, 'plan'> | undefined {
  if (input.target === undefined) return undefined;
  const hidden = new Map(remote.values.filter((value) => value.value === undefined).map((value) => [slotKey(value.key, value.context), value]));
  const hiddenFingerprint = (key: string, context: string) => {
    const slot = slotKey(key, context);
    const current = hidden.get(slot);
    const entry = ledger.get(slot);
    return current === undefined || entry === undefined || changedSinceWrite(current, entry) ? undefined : entry.fingerprint;
  };
  return { target: input.target, remote, desired: input.desired, fingerprint: input.fingerprint, round, hiddenFingerprint };
}

function policyFor(input: TargetSyncInput, ledger: ReadonlyMap<string, LedgerEntry>): DiffPolicy {
  const { adapter, settings } = input;
  return {
    isManaged: input.isManaged,
    contextsFor: (key) => adapter.contextsFor(key, input.options),
    isSecret: (key) => adapter.isSecret(key, input.options),
    allowDeletions: settings.allowDeletions,
    deleteScope: settings.deleteScope,
    allowsEmptyValues: adapter.capabilities.allowsEmptyValues,
    ledger,
    fingerprint: input.fingerprint,
  };
}

/** Why a plan must not be applied at all, or `undefined` when it may. */
function refusalFor(plan: Plan, input: TargetSyncInput): string | undefined {
  const deletes = new Set(deletesOf(plan).map((change) => change.key)).size;
  if (deletes > 0 && input.desired.size === 0) {
    return `The canonical set is empty but the plan would delete ${deletes} key(s); nothing was changed. An empty canonical set is almost always a misconfiguration (check ENVSYNC_INCLUDE_PREFIXES and ENVSYNC_CANONICAL_FILE).`;
  }
  if (deletes > input.settings.maxDeletions) {
    return `The plan would delete ${deletes} keys, more than ENVSYNC_MAX_DELETIONS (${input.settings.maxDeletions}); nothing was changed. Check the canonical set, or raise ENVSYNC_MAX_DELETIONS if these deletions are intended.`;
  }
  return undefined;
}

function indexLedgerMutable(entries: LedgerSnapshot): Map<string, LedgerEntry> {
  return new Map(indexLedger(entries));
}

/**
 * Records writes and deletes in the ledger; returns whether anything changed.
 *
 * A provider may date the whole variable rather than each context (Netlify's `updated_at`). A write
 * to one context then moves the date of the others, which would look like someone else's edit on the
 * next run. So the new date is also copied to the key's contexts that this round found in sync
 * (noop): they are known to still hold what EnvSync wrote.
 */
function recordInLedger(ledger: Map<string, LedgerEntry>, done: readonly AppliedChange[], plan: Plan, input: TargetSyncInput): boolean {
  const writtenAt = new Date(input.now()).toISOString();
  for (const change of done) {
    const slot = slotKey(change.key, change.context);
    if (change.op === 'delete') {
      ledger.delete(slot);
      continue;
    }
    const value = input.desired.get(change.key);
    if (value === undefined) continue;
    const entry: LedgerEntry = {
      key: change.key,
      context: change.context,
      fingerprint: input.fingerprint(change.key, value),
      writtenAt,
      ...(change.remoteUpdatedAt === undefined ? {} : { remoteUpdatedAt: change.remoteUpdatedAt }),
    };
    ledger.set(slot, entry);
    if (change.remoteUpdatedAt !== undefined) refreshInSyncContexts(ledger, plan, change.key, change.remoteUpdatedAt);
  }
  return done.length > 0;
}

function refreshInSyncContexts(ledger: Map<string, LedgerEntry>, plan: Plan, key: string, remoteUpdatedAt: string): void {
  for (const change of plan.changes) {
    if (change.key !== key || change.op !== 'noop') continue;
    const slot = slotKey(key, change.context);
    const entry = ledger.get(slot);
    if (entry !== undefined) ledger.set(slot, { ...entry, remoteUpdatedAt });
  }
}

function emptyValueErrors(plan: Plan, providerName: string): ErrorSummary[] {
  const keys = [...new Set(plan.skipped.filter((skip) => skip.reason === 'empty-value').map((skip) => skip.key))];
  return keys.map((key) => ({
    code: 'value-rejected',
    key,
    message: `The canonical value of ${key} is empty and ${providerName} rejects empty values: it was not sent, and the target's variable was left as it is. Give it a value, or exclude the key.`,
  }));
}

async function redeployIfNeeded(
  input: TargetSyncInput,
  connection: ProviderConnection,
  applied: boolean,
  errors: ErrorSummary[],
): Promise<SyncReport['redeploy']> {
  if (!input.settings.redeploy) return 'disabled';
  // A target can owe a redeploy without changes of its own: something it depends on changed earlier in the run.
  const owed = input.mode === 'enforce' && connection.owesRedeploy?.(input.targetId) === true;
  if (!applied && !owed) return 'not-needed';
  try {
    const outcome = await connection.redeploy(input.targetId);
    if (outcome.error !== undefined) errors.push(summarizeError(outcome.error));
    return outcome.status;
  } catch (error) {
    errors.push(summarizeError(error));
    return 'failed';
  }
}

/** Report changes: what was done (enforce) or planned (dry-run), plus pairs already in sync. */
function summarise(input: TargetSyncInput, plan: Plan, done: readonly AppliedChange[], hasContexts: boolean) {
  const reasons = new Map(plan.changes.map((change) => [slotKey(change.key, change.context), change.reason]));
  const doneSlots = new Set(done.map((change) => slotKey(change.key, change.context)));
  const performed: ReportChange[] =
    input.mode === 'dry-run'
      ? plan.changes.filter((change) => change.op !== 'noop').map((change) => toReportChange(change, hasContexts))
      : done.map((change) => {
          const reason = reasons.get(slotKey(change.key, change.context));
          return toReportChange(reason === undefined ? change : { ...change, reason }, hasContexts);
        });
  const noops = plan.changes
    .filter((change) => change.op === 'noop' && !doneSlots.has(slotKey(change.key, change.context)))
    .map((change) => toReportChange(change, hasContexts));
  const changes = [...performed, ...noops].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const summary = { create: 0, update: 0, delete: 0, noop: 0 };
  for (const change of changes) summary[change.op] += 1;
  return { summary, changes };
}

function toReportChange(
  change: { readonly op: ReportChange['op']; readonly key: string; readonly context: string; readonly reason?: ReportChange['reason'] },
  hasContexts: boolean,
): ReportChange {
  return {
    op: change.op,
    key: change.key,
    ...(hasContexts ? { context: change.context } : {}),
    ...(change.reason === undefined ? {} : { reason: change.reason }),
  };
}

function withContext<T extends { readonly context?: string }>(item: T, hasContexts: boolean): Omit<T, 'context'> & { context?: string } {
  const { context, ...rest } = item;
  return hasContexts && context !== undefined ? { ...rest, context } : rest;
}
