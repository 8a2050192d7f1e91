import { describe, expect, it } from 'vitest';
import { createBudget } from '../http/budget.ts';
import { createLogger } from '../logging/logger.ts';
import type { ProviderConnection, ProviderSession } from './adapter.ts';
import { connectLazily } from './lazy-connection.ts';
import type { RemoteState } from './plan.ts';

const session = {
  token: 'token',
  tokenSource: 'env:TEST_TOKEN',
  budget: createBudget(10_000),
  logger: createLogger({ write: () => undefined }),
  redact: (text: string) => text,
} as unknown as ProviderSession<unknown>;

/** A connection that records its calls, and a loader that counts how often it was asked to load. */
function recording(withReveal: boolean) {
  const calls: string[] = [];
  const state: RemoteState = { values: [{ key: 'APP_A', context: '*', value: 'a', secret: false }] };
  const real: ProviderConnection = {
    read: (targetId) => {
      calls.push(`read ${targetId}`);
      return Promise.resolve(state);
    },
    apply: (targetId) => {
      calls.push(`apply ${targetId}`);
      return Promise.resolve({ done: [], errors: [] });
    },
    redeploy: (targetId) => {
      calls.push(`redeploy ${targetId}`);
      return Promise.resolve({ status: 'triggered' });
    },
    owesRedeploy: (targetId) => targetId === 'srv-linked',
    ...(withReveal
      ? {
          reveal: (targetId: string, remote: RemoteState) => {
            calls.push(`reveal ${targetId}`);
            return Promise.resolve(remote);
          },
        }
      : {}),
  };
  const loads: ProviderSession<unknown>[] = [];
  const load = (opened: ProviderSession<unknown>) => {
    loads.push(opened);
    return Promise.resolve(real);
  };
  return { calls, state, load, loads };
}

describe('connectLazily', () => {
  it('loads nothing when it connects, and the connection module once for every request after', async () => {
    const { calls, state, load, loads } = recording(false);
    const connection = connectLazily(session, load, { reveals: false });
    expect(loads).toHaveLength(0);

    const [first, second] = await Promise.all([connection.read('srv-a'), connection.read('srv-b')]);
    await connection.apply('srv-a', { changes: [], skipped: [] }, new Map(), state);
    await connection.redeploy('srv-a');

    expect(first).toBe(state);
    expect(second).toBe(state);
    expect(loads).toEqual([session]);
    expect(calls).toEqual(['read srv-a', 'read srv-b', 'apply srv-a', 'redeploy srv-a']);
  });

  it('has reveal only for a provider that declares it, and passes it through', async () => {
    expect('reveal' in connectLazily(session, recording(false).load, { reveals: false })).toBe(false);

    const { calls, state, load } = recording(true);
    const connection = connectLazily(session, load, { reveals: true });
    expect(await connection.reveal?.('prj-a', state, [{ key: 'APP_A', context: 'production' }])).toBe(state);
    expect(calls).toEqual(['reveal prj-a']);
  });

  // Render services linked to an env group that changed owe a deploy: a wrapper that dropped
  // owesRedeploy left them without one.
  it('answers owesRedeploy from the loaded connection, and owes nothing before anything was loaded', async () => {
    const { load } = recording(false);
    const connection = connectLazily(session, load, { reveals: false });
    expect(connection.owesRedeploy?.('srv-linked')).toBe(false);

    await connection.read('env-group:evg-a');
    expect(connection.owesRedeploy?.('srv-linked')).toBe(true);
    expect(connection.owesRedeploy?.('srv-other')).toBe(false);
  });

  it('fails each request with the error of a module that cannot be loaded', async () => {
    const failure = new Error('Cannot find module ./connection.ts');
    const connection = connectLazily(session, () => Promise.reject(failure), { reveals: false });
    await expect(connection.read('srv-a')).rejects.toBe(failure);
    await expect(connection.redeploy('srv-a')).rejects.toBe(failure);
  });
});
