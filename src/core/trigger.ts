/**
 * What started a run, recorded with its events (and, by the history, with the run), so a receiver
 * or a person can tell the hourly schedule from a deploy, a manual call or a secret rotation.
 *
 * - `schedule`: the scheduled function;
 * - `api`: a call to dry-run, apply or apply-all;
 * - `deploy`: the build plugin's call after a deploy;
 * - `trigger`: envsync-trigger (SECRET_ROTATED, EMERGENCY_SYNC);
 * - `rollback`: a rollback to an earlier canonical set.
 */
export const runTriggers = ['schedule', 'api', 'deploy', 'trigger', 'rollback'] as const;

/** What started a run. */
export type RunTrigger = (typeof runTriggers)[number];

/** Longest free-text reason a caller may give a run (envsync-trigger's `reason`). */
export const maxReasonLength = 200;
