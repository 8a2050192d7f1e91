import type { TargetGuard } from '../../core/engine.ts';
import { SyncError } from '../../errors.ts';
import type { Logger } from '../../logging/logger.ts';
import { isProviderId, type ProviderRegistry } from '../../providers/index.ts';
import type { LockStore } from '../../storage/types.ts';

/**
 * The engine's per-target guard on the Blobs leases: a target is synced only while this run holds
 * its lease, so the schedule, a manual apply and the post-deploy hook never write one target at
 * the same time.
 *
 * A busy target fails with `SyncError('conflict')`, which the engine records in that target's
 * report without touching the provider. The lease is released when the work ends, whatever the
 * outcome; if the release fails the lease still expires after `ttlMs`.
 */
export function createLockGuard(
  locks: LockStore,
  holder: string,
  ttlMs: number,
  adapters: ProviderRegistry,
  logger: Logger,
): TargetGuard {
  return async (target, work) => {
    const lease = await locks.acquire(target, holder, ttlMs);
    if (lease === undefined) {
      const adapter = isProviderId(target.provider) ? adapters[target.provider] : undefined;
      const what = adapter === undefined ? `${target.provider} target` : `${adapter.displayName} ${adapter.targetNoun}`;
      throw new SyncError(
        'conflict',
        `${what} ${target.id} is being synced by another run (the schedule, another apply or the post-deploy hook); nothing was changed on it. Try again when that run has finished (a lease left behind by a crashed run expires on its own, after 15 min at most).`,
      );
    }
    try {
      return await work();
    } finally {
      await locks.release(lease).catch((error: unknown) => {
        logger.warn('lock.release_failed', { provider: target.provider, target: target.id, code: error instanceof SyncError ? error.code : 'internal' });
      });
    }
  };
}
