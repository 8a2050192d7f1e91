import type { SyncReport } from '../../core/report.ts';
import { summarizeError } from '../../errors.ts';
import type { Logger } from '../../logging/logger.ts';
import type { Storage } from '../../storage/types.ts';

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
export async function recordReports(storage: Storage, reports: readonly SyncReport[], logger: Logger): Promise<string[]> {
  const warnings: string[] = [];
  for (const report of reports) {
    if (isBusyReport(report)) continue;
    try {
      await storage.reports.save(report);
      await storage.tickets.recordReport(report);
    } catch (error) {
      const summary = summarizeError(error);
      logger.error('report.record_failed', { provider: report.provider, target: report.target, code: summary.code });
      warnings.push(`The report of ${report.provider} ${report.target} could not be stored (${summary.code}: ${summary.message}). The sync itself finished as reported here.`);
    }
  }
  return warnings;
}
