import type { ProviderConnection, ProviderSession } from './adapter.ts';

/**
 * Opens a provider's connection from a module loaded on the connection's first request, for an
 * adapter's `connect`.
 *
 * Why: a provider's connection brings its HTTP client (ky, which builds a `Request` when it is
 * imported and so loads Node's whole fetch implementation), its response schemas and its request
 * planning. Imported with the adapter, all of that ran at every function's cold start, also in
 * the functions that never talk to a provider (health, runs, tickets, the dashboard), and for
 * every registered provider, also those a site does not use. Loaded here, it runs once per
 * process, on the first read of a provider the run syncs. `connect` stays synchronous and does no
 * I/O, as the interface requires.
 *
 * A module that fails to load fails the first request (the target fails, as for a failed read),
 * and every later one the same way.
 *
 * @param load - imports the connection module and opens the connection (`() => import(...)`).
 * @param reveals - whether the provider's connection has `reveal`: the engine asks for it only
 *   when it exists, so this must match the real connection.
 */
export function connectLazily<Options>(
  session: ProviderSession<Options>,
  load: (session: ProviderSession<Options>) => Promise<ProviderConnection>,
  { reveals }: { readonly reveals: boolean },
): ProviderConnection {
  let opened: Promise<ProviderConnection> | undefined;
  let loaded: ProviderConnection | undefined;
  const connection = (): Promise<ProviderConnection> =>
    (opened ??= load(session).then((real) => {
      loaded = real;
      return real;
    }));
  // Every member, optional ones included (`Required`): a member added to ProviderConnection
  // fails to compile here until it is passed through, instead of being dropped silently.
  const lazy: Required<ProviderConnection> = {
    read: async (targetId) => (await connection()).read(targetId),
    apply: async (targetId, plan, values, remote) => (await connection()).apply(targetId, plan, values, remote),
    redeploy: async (targetId) => (await connection()).redeploy(targetId),
    // Synchronous: before the module is loaded nothing was written through it, so nothing is owed.
    owesRedeploy: (targetId) => loaded?.owesRedeploy?.(targetId) === true,
    reveal: async (targetId, remote, slots) => {
      const open = await connection();
      // Declared but missing would be a registration mistake; answering with the state unchanged
      // leaves the hidden values unverifiable, so they are written, as without a reveal.
      return open.reveal === undefined ? remote : open.reveal(targetId, remote, slots);
    },
  };
  const { reveal, ...withoutReveal } = lazy;
  return reveals ? { ...withoutReveal, reveal } : withoutReveal;
}
