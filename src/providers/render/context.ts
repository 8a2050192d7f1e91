import type { PlannedChange } from '../../core/plan.ts';
import type { SyncError } from '../../errors.ts';
import type { ProviderApi } from '../../http/client.ts';
import type { Logger } from '../../logging/logger.ts';
import type { AppliedChange, ProviderSession } from '../../core/adapter.ts';
import type { WriteBudget } from './write-budget.ts';
import type { RenderOptions } from './settings.ts';

/**
 * What every Render request of one run shares: the one ky instance, the session, and the write
 * budget of the API key. Built once by `connect` and handed to the read, write and deploy steps.
 */
export interface RenderContext {
  /** Every request goes through here: one ky instance, failures mapped once by {@link renderErrors}. */
  readonly api: ProviderApi;
  readonly session: ProviderSession<RenderOptions>;
  /** Render counts writes per API key across all services, so one budget serves every target. */
  readonly writeBudget: WriteBudget;
  readonly logger: Logger;
  /** Waits for a write slot; injectable so tests need not sleep. */
  readonly sleep: (ms: number) => Promise<void>;
}

export { renderAuthHint, renderName } from './errors.ts';

/** The request path of a service's variables, relative to the API base URL (ky: no leading slash). */
export function envVarsPath(serviceId: string): string {
  return `services/${encodeURIComponent(serviceId)}/env-vars`;
}

/** The request path of one variable; keys travel in a path segment, so they are encoded. */
export function envVarPath(serviceId: string, key: string): string {
  return `${envVarsPath(serviceId)}/${encodeURIComponent(key)}`;
}

/** The request path of an environment group (its read answers with every variable of the group). */
export function envGroupPath(envGroupId: string): string {
  return `env-groups/${encodeURIComponent(envGroupId)}`;
}

/** The request path of one variable of an environment group. */
export function envGroupVarPath(envGroupId: string, key: string): string {
  return `${envGroupPath(envGroupId)}/env-vars/${encodeURIComponent(key)}`;
}

/** The request path that triggers a deploy. */
export function deploysPath(serviceId: string): string {
  return `services/${encodeURIComponent(serviceId)}/deploys`;
}

/** Whether an error concerns the whole service (or env group) or API key rather than one variable. */
export function isTargetWide(error: SyncError): boolean {
  return error.code === 'provider-auth' || error.code === 'provider-not-found';
}

/** Whether an error makes every further write of this run pointless (same cause, same answer). */
export function stopsFurtherWrites(error: SyncError): boolean {
  return isTargetWide(error) || error.code === 'provider-rate-limited' || error.code === 'budget-exhausted';
}

/** The record of a planned change that was carried out (a noop is never carried out). */
export function appliedChange(change: PlannedChange): AppliedChange {
  const op = change.op === 'noop' ? 'update' : change.op;
  return { op, key: change.key, context: change.context };
}
