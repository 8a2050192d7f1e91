import { beforeEach, describe, expect, it } from 'vitest';
import { RenderFake } from '../../../test/emulator/render.ts';
import { useMswServer } from '../../../test/support/msw.ts';
import { createRenderAdapter } from '../render.ts';
import { numberedVariables, renderHandler, renderSession, renderTestBase, renderTestToken, syncOnce, virtualClock, type VirtualClock } from '../../../test/support/render-harness.ts';
import { createWriteBudget } from './write-budget.ts';
import { chooseWritePath } from './write-path.ts';

describe('the write budget', () => {
  it('allows the limit within a sliding minute and frees slots as writes age out', () => {
    const clock = virtualClock();
    const budget = createWriteBudget({ limit: 3, now: clock.now });
    budget.record();
    clock.advance(10_000);
    budget.record();
    budget.record();
    expect(budget.available()).toBe(0);
    expect(budget.msUntilAvailable()).toBe(50_000);
    expect(budget.msUntilAvailable(2)).toBe(60_000);
    clock.advance(50_000);
    expect(budget.available()).toBe(1);
  });

  it('believes Render when Ratelimit-Remaining says less is left', () => {
    const clock = virtualClock();
    const budget = createWriteBudget({ now: clock.now });
    budget.record();
    budget.observe(200, new Headers({ 'ratelimit-remaining': '2', 'ratelimit-reset': '30' }));
    expect(budget.available()).toBe(2);
    budget.record();
    budget.record();
    expect(budget.available()).toBe(0);
    expect(budget.msUntilAvailable()).toBe(30_000);
  });

  it('reads Ratelimit-Reset as epoch seconds when it is one', () => {
    const clock = virtualClock();
    const budget = createWriteBudget({ now: clock.now });
    budget.observe(200, new Headers({ 'ratelimit-remaining': '0', 'ratelimit-reset': String(clock.now() / 1000 + 12) }));
    expect(budget.msUntilAvailable()).toBe(12_000);
  });

  it('stops writing after a 429 for as long as Retry-After says, or a whole minute', () => {
    const clock = virtualClock();
    const budget = createWriteBudget({ now: clock.now });
    budget.observe(429, new Headers({ 'retry-after': '7' }));
    expect(budget.msUntilAvailable()).toBe(7_000);
    const silent = createWriteBudget({ now: clock.now });
    silent.observe(429, new Headers());
    expect(silent.msUntilAvailable()).toBe(60_000);
  });
});

describe('choosing the write path', () => {
  const base = { availableWrites: 30, reservedWrites: 0, replaceAllSafe: true };
  it.each([
    [0, base, 'none'],
    [1, base, 'per-key'],
    [10, base, 'per-key'],
    [11, base, 'replace-all'],
    [1_000, base, 'replace-all'],
    [5, { ...base, availableWrites: 4 }, 'replace-all'],
    [5, { ...base, availableWrites: 8, reservedWrites: 4 }, 'replace-all'],
    [50, { ...base, replaceAllSafe: false }, 'per-key'],
  ] as const)('%i requests with %o go %s', (requests, input, path) => {
    expect(chooseWritePath({ requests, ...input })).toBe(path);
  });
});

describe('sharing one API key across services', () => {
  const server = useMswServer();
  let clock: VirtualClock;
  let fake: RenderFake;

  beforeEach(() => {
    clock = virtualClock();
    fake = new RenderFake({ now: clock.now });
    server.use(renderHandler(fake));
  });

  function connect(serviceIds: readonly string[], budgetMs = 20_000, writesPerMinute?: number) {
    const adapter = createRenderAdapter({ now: clock.now, sleep: clock.sleep, ...(writesPerMinute === undefined ? {} : { writesPerMinute }) });
    return adapter.connect(renderSession({ serviceIds, now: clock.now, budgetMs }));
  }

  it('syncs four services with nine changes each without a single 429', async () => {
    const ids = ['srv-1', 'srv-2', 'srv-3', 'srv-4'];
    for (const id of ids) fake.seed(id, { ...numberedVariables('APP_', 9, 'old'), OTHER: 'keep' });
    const connection = connect(ids);
    for (const id of ids) {
      const { outcome } = await syncOnce(connection, id, numberedVariables('APP_', 9, 'new'));
      expect(outcome.errors).toEqual([]);
      expect(fake.variables(id)).toEqual({ ...numberedVariables('APP_', 9, 'new'), OTHER: 'keep' });
    }
    expect(fake.count('write', 429)).toBe(0);
    // Three services key by key (27 writes); the fourth gets one replace-all with the 3 left.
    expect(fake.count('env-var.put')).toBe(27);
    expect(fake.count('env-vars.replace')).toBe(1);
  });

  it("stops before a 429 when Render's Ratelimit-Remaining says another client used the key", async () => {
    fake.seed('srv-a', numberedVariables('APP_', 5, 'old'));
    fake.seed('srv-other');
    for (let index = 0; index < 27; index += 1) await fake.handle(otherClientWrite(index));
    const { outcome } = await syncOnce(connect(['srv-a']), 'srv-a', numberedVariables('APP_', 5, 'new'));
    expect(outcome.done.map((change) => change.key)).toEqual(['APP_0001', 'APP_0002', 'APP_0003']);
    expect(outcome.errors.map((error) => [error.key, error.code, error.retryable])).toEqual([
      ['APP_0004', 'provider-rate-limited', true],
      ['APP_0005', 'provider-rate-limited', true],
    ]);
    expect(fake.count('write', 429)).toBe(0);
    expect(fake.count('write', 200)).toBe(27 + 3);
  });

  it('waits for a write slot when the wait fits the time budget', async () => {
    fake.seed('srv-a', { APP_A: 'old' }).seed('srv-b', { APP_B: 'old' });
    const connection = connect(['srv-a'], 120_000, 1);
    await syncOnce(connection, 'srv-a', { APP_A: 'new' });
    const start = clock.now();
    const { outcome } = await syncOnce(connection, 'srv-b', { APP_B: 'new' });
    expect(outcome.errors).toEqual([]);
    expect(clock.now() - start).toBe(60_000);
    expect(fake.count('write')).toBe(2);
  });

  it('reports the rest as rate limited, without sending it, when the wait does not fit', async () => {
    fake.seed('srv-a', { APP_A: 'old' }).seed('srv-b', numberedVariables('APP_', 3, 'old'));
    const connection = connect(['srv-a'], 20_000, 1);
    await syncOnce(connection, 'srv-a', { APP_A: 'new' });
    const { outcome } = await syncOnce(connection, 'srv-b', numberedVariables('APP_', 3, 'new'));
    expect(outcome.done).toEqual([]);
    expect(outcome.errors.map((error) => [error.code, error.retryable])).toEqual([['provider-rate-limited', true]]);
    expect(outcome.errors[0]?.message).toContain('30 writes a minute');
    expect(fake.count('write')).toBe(1);
    // No re-read either: the slot is checked before the read that precedes a replace-all.
    expect(fake.count('env-vars.list')).toBe(2);
  });
});

function otherClientWrite(index: number): Request {
  return new Request(`${renderTestBase}/services/srv-other/env-vars/OTHER_${index}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${renderTestToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ value: 'x' }),
  });
}
