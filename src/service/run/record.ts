import { isInSync, type SyncReport } from '../../core/report.ts';
import { summarizeError } from '../../errors.ts';
import type { Logger } from '../../logging/logger.ts';
import type { Storage, TargetHealth, TokenHealth } from '../../storage/types.ts';

/** Whether a report only says the target was busy: nothing was read or written, so it is not history. */
export function isBusyReport(report: SyncReport): boolean {
  return report.rounds === 0 && report.errors.length > 0 && report.errors.every((error) => error.code === 'conflict');
}

/**
 * Keeps a run's reports: each is saved to the history and updates the target's tickets. A busy
 * target's report is neither (it would open a failure ticket for a target that is fine).
 *
 * A storage failure here does not undo the sync, which has already happened, so it is returned as
 * a warning for the response instead of failing the request.
 */
export async function recordReports(storage: Storage, reports: readonly SyncReport[], logger: Logger, options: { readonly tickets?: boolean } = {}): Promise<string[]> {
  const warnings: string[] = [];
  for (const report of reports) {
    if (isBusyReport(report)) continue;
    try {
      await storage.reports.save(report);
      // A run over a few keys (SECRET_ROTATED) says nothing about the others: tickets stay as they are.
      if (options.tickets !== false) await storage.tickets.recordReport(report);
    } catch (error) {
      const summary = summarizeError(error);
      logger.error('report.record_failed', { provider: report.provider, target: report.target, code: summary.code });
      warnings.push(`The report of ${report.provider} ${report.target} could not be stored (${summary.code}: ${summary.message}). The sync itself finished as reported here.`);
    }
  }
  return warnings;
}

/**
 * Keeps what health shows about a finished run (one Blobs read and one write): its summary and each
 * target's outcome and token source, so health answers from storage and never asks a provider,
 * a vault or a dashboard. Busy targets are left out, as in the history. A failure is a warning:
 * the sync has happened.
 */
export async function recordRunHealth(
  storage: Storage,
  run: { readonly runId: string; readonly mode: 'dry-run' | 'enforce'; readonly startedAt: string; readonly finishedAt: string },
  reports: readonly SyncReport[],
  logger: Logger,
): Promise<string[]> {
  const recorded = reports.filter((report) => !isBusyReport(report));
  if (recorded.length === 0) return [];
  const targets: TargetHealth[] = recorded.map((report) => ({
    provider: report.provider,
    id: report.target,
    runId: run.runId,
    checkedAt: run.finishedAt,
    applied: report.applied,
    inSync: isInSync(report),
    errorCodes: [...new Set(report.errors.map((error) => error.code))],
    token: tokenHealthOf(report),
  }));
  const summary = {
    ...run,
    targets: targets.length,
    applied: targets.filter((target) => target.applied).length,
    inSync: targets.filter((target) => target.inSync).length,
    withErrors: targets.filter((target) => target.errorCodes.length > 0).length,
  };
  try {
    await storage.health.recordRun({ summary, targets });
    return [];
  } catch (error) {
    const code = summarizeError(error).code;
    logger.error('health.record_failed', { runId: run.runId, code });
    return [`The run's summary for envsync-health could not be stored (${code}); health shows the previous run until the next one.`];
  }
}

function tokenHealthOf(report: SyncReport): TokenHealth {
  if (report.tokenSource !== undefined) return { found: true, source: report.tokenSource };
  const missing = report.errors.find((error) => error.code === 'token-missing');
  if (missing !== undefined) return { found: false, problem: missing.message };
  const first = report.errors[0]?.code ?? 'internal';
  return { found: false, problem: `Not checked: the last run stopped before token discovery (${first}).` };
}
