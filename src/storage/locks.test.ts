import { describe, expect, it } from 'vitest';
import type { TargetRef } from '../core/ledger.ts';
import { defaultLeaseTtlMs, releaseMarginMs } from './locks.ts';
import { useLocalBlobs } from '../../test/support/blobs-server.ts';

const blobs = useLocalBlobs();

const target: TargetRef = { provider: 'render', id: 'srv-one' };
const minute = 60_000;

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2026-05-01T10:00:00.000Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('per-target leases on Netlify Blobs', () => {
  it('refuses a second holder while the lease is held, and lets it in after release', async () => {
    const { locks } = blobs.open();
    const first = await locks.acquire(target, 'schedule', defaultLeaseTtlMs);
    expect(first).toMatchObject({ target, holder: 'schedule' });

    expect(await locks.acquire(target, 'manual-apply', defaultLeaseTtlMs)).toBeUndefined();

    await locks.release(first!);
    expect(await locks.acquire(target, 'manual-apply', defaultLeaseTtlMs)).toMatchObject({ holder: 'manual-apply' });
  });

  it('locks each target on its own', async () => {
    const { locks } = blobs.open();
    await locks.acquire(target, 'schedule', defaultLeaseTtlMs);

    expect(await locks.acquire({ provider: 'render', id: 'srv-two' }, 'manual-apply', defaultLeaseTtlMs)).toBeDefined();
    expect(await locks.acquire({ provider: 'netlify', id: 'srv-one' }, 'manual-apply', defaultLeaseTtlMs)).toBeDefined();
  });

  it('lets another holder take over a lease once it has expired', async () => {
    const clock = manualClock();
    const { locks } = blobs.open({ now: clock.now });
    await locks.acquire(target, 'crashed-run', 15 * minute);

    clock.advance(15 * minute - 1);
    expect(await locks.acquire(target, 'next-run', 15 * minute)).toBeUndefined();
    clock.advance(2);
    expect(await locks.acquire(target, 'next-run', 15 * minute)).toMatchObject({ holder: 'next-run' });
    expect(await locks.acquire(target, 'third-run', 15 * minute)).toBeUndefined();
  });

  it('does not delete a lease someone else took over after ours expired', async () => {
    const clock = manualClock();
    const { locks } = blobs.open({ now: clock.now });
    const stale = await locks.acquire(target, 'slow-run', minute);
    clock.advance(2 * minute);
    const fresh = await locks.acquire(target, 'next-run', 15 * minute);
    expect(fresh).toBeDefined();

    await locks.release(stale!);

    expect(await locks.acquire(target, 'third-run', 15 * minute)).toBeUndefined();
  });

  it('leaves a lease about to expire in place on release rather than risk deleting a successor', async () => {
    const clock = manualClock();
    const { locks } = blobs.open({ now: clock.now });
    const lease = await locks.acquire(target, 'long-run', 2 * minute);
    clock.advance(2 * minute - releaseMarginMs + 1);
    blobs.reset();

    await locks.release(lease!);

    expect(blobs.counts()).toEqual({ get: 1 });
  });

  it('renews a lease for the holder that already has it', async () => {
    const clock = manualClock();
    const { locks } = blobs.open({ now: clock.now });
    await locks.acquire(target, 'run-1', minute);
    const renewed = await locks.acquire(target, 'run-1', 10 * minute);

    expect(renewed?.expiresAt).toBe(new Date(clock.now() + 10 * minute).toISOString());
  });

  it('costs one request to take a free target, three to be refused, four to take over, two to release', async () => {
    const clock = manualClock();
    const { locks } = blobs.open({ now: clock.now });

    const lease = await locks.acquire(target, 'a', minute);
    expect(blobs.counts()).toEqual({ set: 1 });

    blobs.reset();
    await locks.acquire(target, 'b', minute);
    expect(blobs.counts()).toEqual({ set: 1, list: 1, get: 1 });

    blobs.reset();
    await locks.release(lease!);
    expect(blobs.counts()).toEqual({ get: 1, delete: 1 });

    await locks.acquire(target, 'c', minute);
    clock.advance(2 * minute);
    blobs.reset();
    await locks.acquire(target, 'd', minute);
    expect(blobs.counts()).toEqual({ set: 2, list: 1, get: 1 });
  });

  it('rejects a TTL that is not a positive number of milliseconds', async () => {
    const { locks } = blobs.open();
    await expect(locks.acquire(target, 'a', 0)).rejects.toMatchObject({ code: 'internal' });
  });
});
