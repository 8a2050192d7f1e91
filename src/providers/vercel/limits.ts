import type { RemoteState } from '../../core/plan.ts';
import { isSensitiveKey, targetsFor, type VercelOptions } from './settings.ts';

/**
 * Vercel's limits and names that the preflight checks before anything is written (reference §3, §9).
 */

/** Names Vercel reserves ("unavailable for use"), as listed on its reserved-variables page (2025-12-10). */
export const reservedNames: ReadonlySet<string> = new Set([
  'AWS_SECRET_KEY',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'NOW_REGION',
  'TZ',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** "A total of 64 KB in Environment Variables per Deployment ... for all variables combined". */
export const totalBytesPerDeployment = 64 * 1024;

/** Whether Vercel refuses a key name. */
export function isReservedName(key: string): boolean {
  return reservedNames.has(key);
}

/** The error text for a reserved name. */
export function reservedNameMessage(key: string): string {
  return `${key} is a name Vercel reserves for its runtime, so it cannot be set on a project; nothing was written for it. Rename the variable, or leave it out of the canonical set with ENVSYNC_EXCLUDE_PREFIXES.`;
}

/** One preflight finding: a key name (or none) and a message, never a value. */
export interface PreflightWarning {
  readonly code: 'reserved-name' | 'sensitive-development' | 'size-limit';
  readonly key?: string;
  readonly context?: string;
  readonly message: string;
}

/**
 * What the plan should warn about before anything is sent:
 * - a reserved name (it is refused, and not sent);
 * - a sensitive key while `development` is managed: Vercel cannot make development values
 *   sensitive, so that slot is skipped (the key's other environments are still written);
 * - an environment whose variables would exceed 64 KB in total, summed over the canonical values
 *   and the readable values EnvSync does not manage (hidden ones cannot be measured, so the real
 *   total may be higher). Vercel may refuse the write or only fail the next deployment (unverified).
 *
 * @param others - bytes (key + value) of the environment's variables EnvSync does not manage.
 */
export function preflight(desired: ReadonlyMap<string, string>, options: VercelOptions, others: ReadonlyMap<string, number> = new Map()): PreflightWarning[] {
  const warnings: PreflightWarning[] = [];
  const totals = new Map<string, number>(options.targets.map((target) => [target, others.get(target) ?? 0]));
  for (const [key, value] of [...desired].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (isReservedName(key)) {
      warnings.push({ code: 'reserved-name', key, message: reservedNameMessage(key) });
      continue;
    }
    if (isSensitiveKey(key, options) && options.targets.includes('development')) {
      warnings.push({
        code: 'sensitive-development',
        key,
        context: 'development',
        message: `${key} is sensitive, and Vercel does not allow sensitive values in the development environment: that environment is skipped for it (ENVSYNC_VERCEL_SENSITIVE_KEYS / _PREFIXES, ENVSYNC_VERCEL_TYPE).`,
      });
    }
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(value);
    for (const target of targetsFor(key, options)) totals.set(target, (totals.get(target) ?? 0) + bytes);
  }
  for (const [target, bytes] of totals) {
    if (bytes <= totalBytesPerDeployment) continue;
    warnings.push({
      code: 'size-limit',
      context: target,
      message: `The variables of the ${target} environment would total about ${Math.ceil(bytes / 1024)} KB, over Vercel's 64 KB per deployment: the write or the next deployment may fail. Move large values elsewhere (a file or a store) or split them across environments.`,
    });
  }
  return warnings;
}

/**
 * The preflight over a read project: the readable values of keys outside the canonical set count
 * toward each environment's 64 KB (hidden ones cannot be measured).
 */
export function preflightOf(desired: ReadonlyMap<string, string>, remote: RemoteState, options: VercelOptions): PreflightWarning[] {
  const others = new Map<string, number>();
  for (const value of remote.values) {
    if (desired.has(value.key) || value.value === undefined) continue;
    others.set(value.context, (others.get(value.context) ?? 0) + Buffer.byteLength(value.key) + Buffer.byteLength(value.value));
  }
  return preflight(desired, options, others);
}
