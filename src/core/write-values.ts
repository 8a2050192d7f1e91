import { SyncError } from '../errors.ts';
import type { PlannedChange } from './plan.ts';

/**
 * The canonical value a planned create or update sends, for adapters.
 *
 * The empty-value rule is the core's: the diff never plans a write of an empty value to a provider
 * that rejects them (`allowsEmptyValues: false`); it reports the key as skipped (`empty-value`) and
 * the target sync adds the error that says what to fix. So an adapter never decides that rule
 * again; it only asks here, and a write without a value the provider accepts is a planning bug, an
 * `internal` error raised before any request for it is sent (a replace-all then sends nothing).
 *
 * @throws SyncError `internal` when the value is missing, or empty where the provider rejects it.
 */
export function valueToWrite(change: Pick<PlannedChange, 'key'>, values: ReadonlyMap<string, string>, allowsEmptyValues: boolean): string {
  const value = values.get(change.key);
  if (value === undefined || (value === '' && !allowsEmptyValues)) {
    throw new SyncError(
      'internal',
      `The plan asked to write ${change.key} without a value the provider accepts (${value === undefined ? 'no canonical value' : 'an empty value'}); nothing was sent for it. The core plans no such write, so this is a bug in EnvSync: please report it.`,
      { key: change.key },
    );
  }
  return value;
}
