/**
 * How a Render service's changes are written: no request, one request per change, or one
 * replace-all request. See docs/ENVSYNC_ENGINE.md (Render, "Two write paths") for the numbers behind it.
 */
export type WritePath = 'none' | 'per-key' | 'replace-all';

/**
 * Most per-key requests one service may use: a third of Render's 30 writes a minute per API key,
 * so three overlapping syncs (a manual run, the schedule, the build plugin) still fit in a minute.
 */
export const perKeyWriteLimit = 10;

export interface WritePathInput {
  /** Per-key requests the plan needs: one per create, update and delete. */
  readonly requests: number;
  /** Writes the API key's budget allows right now. */
  readonly availableWrites: number;
  /** Writes kept back for the services of this run not yet written (one replace-all each). */
  readonly reservedWrites: number;
  /**
   * Whether a replace-all can carry every variable it keeps: Render rejects empty values, so a
   * kept variable whose value reads back empty could only be dropped, i.e. deleted.
   */
  readonly replaceAllSafe: boolean;
  /** @default {@link perKeyWriteLimit} */
  readonly perKeyLimit?: number;
}

/**
 * Picks the write path for one service.
 *
 * Per-key requests touch only the planned keys, so nothing else on the service can be lost; that
 * safety is worth a few writes. A replace-all costs one write whatever the plan's size, but
 * rewrites every variable of the service and has a short race window, so it is used only when the
 * per-key requests would not fit: more than {@link perKeyWriteLimit}, or more than the budget can
 * give without starving the services still to come.
 */
export function chooseWritePath(input: WritePathInput): WritePath {
  if (input.requests === 0) return 'none';
  if (!input.replaceAllSafe) return 'per-key';
  const limit = input.perKeyLimit ?? perKeyWriteLimit;
  const fits = input.requests <= limit && input.requests <= input.availableWrites - input.reservedWrites;
  return fits ? 'per-key' : 'replace-all';
}
