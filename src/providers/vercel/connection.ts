import type { ProviderConnection, ProviderSession } from '../../core/adapter.ts';
import type { RemoteState, RemoteValue } from '../../core/plan.ts';
import { applyToProject } from './apply.ts';
import { VercelClient } from './client.ts';
import { forgetCustomIds, rememberCustomIds, rememberedCustomIds } from './custom-environments.ts';
import { readDecrypted, readProject, resolveCustomEnvironments } from './read.ts';
import { ProjectRedeployer } from './redeploy.ts';
import { isStandardTarget, type VercelSettings } from './settings.ts';
import { recordAt, toRemoteState, type ProjectRecord, type ProjectSnapshot } from './snapshot.ts';

/** The Vercel connection: the core's interface plus the hidden-value check the engine may call. */
export interface VercelConnection extends ProviderConnection {
  /**
   * Reads the decrypted values of `encrypted` records behind the given hidden (key, environment)
   * slots, once per record, and returns the state with those values filled in. `sensitive` values
   * cannot be read and stay hidden (so they are written).
   */
  reveal(projectId: string, remote: RemoteState, slots: readonly { readonly key: string; readonly context: string }[]): Promise<RemoteState>;
  /** The snapshot a state was read from (held records, record ids), for the engine's skip list and tests. */
  snapshotOf(remote: RemoteState): ProjectSnapshot | undefined;
}

/**
 * Opens the run's Vercel connection: one HTTP client for every project, custom environments
 * resolved at most once per project per run (only when ENVSYNC_VERCEL_TARGETS names one) and
 * remembered between runs in the session's memory (./custom-environments.ts), one redeploy per
 * project per run. No I/O until the first `read`.
 *
 * `apply` needs more than the diff sees (record ids, which environments share a record), so `read`
 * keeps the snapshot next to the `RemoteState` it returns, keyed by that object; a state from
 * elsewhere is answered by a fresh read.
 */
export function connectVercel(session: ProviderSession, settings: VercelSettings): VercelConnection {
  const { options } = settings;
  const client = new VercelClient(session, settings.apiUrl, options.teamId);
  const logger = session.logger;
  const redeployer = new ProjectRedeployer(client, session, options);
  const snapshots = new WeakMap<RemoteState, ProjectSnapshot>();
  const customIds = new Map<string, Promise<ReadonlyMap<string, string>>>();

  const wantedCustom = options.targets.filter((target) => !isStandardTarget(target));
  const memory = session.memory;
  const customIdsOf = (projectId: string) => {
    let pending = customIds.get(projectId);
    if (pending === undefined) {
      pending = (async () => {
        if (wantedCustom.length === 0) return new Map<string, string>();
        const remembered = await rememberedCustomIds(memory, projectId, wantedCustom, Date.now(), logger);
        if (remembered !== undefined) return remembered;
        const ids = await resolveCustomEnvironments(client, projectId, options);
        await rememberCustomIds(memory, projectId, ids, Date.now(), logger);
        return ids;
      })();
      customIds.set(projectId, pending);
      pending.catch(() => customIds.delete(projectId));
    }
    return pending;
  };
  const read = async (projectId: string): Promise<ProjectSnapshot> => readProject(client, projectId, await customIdsOf(projectId), logger);
  const remember = (snapshot: ProjectSnapshot, state: RemoteState) => {
    snapshots.set(state, snapshot);
    return state;
  };

  return {
    async read(projectId) {
      const snapshot = await read(projectId);
      return remember(snapshot, toRemoteState(snapshot));
    },

    async reveal(projectId, remote, slots) {
      const known = snapshots.get(remote);
      const snapshot = known?.projectId === projectId ? known : await read(projectId);
      const wanted = new Map<string, ProjectRecord>();
      for (const slot of slots) {
        const record = recordAt(snapshot, slot.key, slot.context);
        if (record?.type === 'encrypted') wanted.set(record.id, record);
      }
      const revealed = new Map<string, string>();
      for (const record of wanted.values()) {
        const value = await readDecrypted(client, projectId, record);
        if (value !== undefined) revealed.set(record.id, value);
      }
      logger.info('vercel.revealed', { project: projectId, records: wanted.size, read: revealed.size });
      const values: RemoteValue[] = remote.values.map((value) => {
        const id = value.value === undefined ? recordAt(snapshot, value.key, value.context)?.id : undefined;
        const plain = id === undefined ? undefined : revealed.get(id);
        return plain === undefined ? value : { ...value, value: plain };
      });
      return remember(snapshot, { ...remote, values });
    },

    snapshotOf: (remote) => snapshots.get(remote),

    async apply(projectId, plan, values, remote) {
      const known = snapshots.get(remote);
      const snapshot = known?.projectId === projectId ? known : await read(projectId);
      const before = client.requestCount;
      const outcome = await applyToProject({ client, logger, snapshot, values, options }, plan);
      // A remembered custom environment id may be the reason (deleted, or recreated under its slug).
      if (outcome.errors.length > 0 && wantedCustom.length > 0) await forgetCustomIds(memory, projectId, logger);
      logger.info('vercel.applied', { project: projectId, done: outcome.done.length, errors: outcome.errors.length, requests: client.requestCount - before });
      return outcome;
    },

    redeploy: (projectId) => redeployer.redeploy(projectId),
  };
}
