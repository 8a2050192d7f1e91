import { applyWritesThenDeletes } from '../../src/core/apply-order.ts';
import { noContext, type RemoteState } from '../../src/core/plan.ts';
import { SyncError } from '../../src/errors.ts';
import { providers, type ProviderId } from '../../src/providers/index.ts';
import type { AdapterCapabilities, AppliedChange, ProviderAdapter, ProviderConnection } from '../../src/core/adapter.ts';

/** A failure to inject into the next matching write or read. */
export interface InjectedFailure {
  readonly on: 'read' | 'write' | 'delete';
  readonly key?: string;
  readonly error: SyncError;
  /** Whether the write still lands although it reports failure (an unknown outcome). */
  readonly landsAnyway?: boolean;
  /** How many times it fires. @default 1 */
  times?: number;
}

/**
 * A provider kept in memory, for the engine's tests: one value per key (no contexts), per-key
 * writes through `applyWritesThenDeletes`, a log of operations, and injectable failures.
 */
export class MemoryProvider<Id extends ProviderId = 'render'> {
  readonly targets = new Map<string, Map<string, string>>();
  readonly operations: string[] = [];
  readonly failures: InjectedFailure[] = [];
  redeploys = 0;

  constructor(
    readonly id: Id = 'render' as Id,
    readonly capabilities: AdapterCapabilities = {
      replacesWholeSet: false,
      hidesSecretValues: false,
      allowsEmptyValues: true,
      hasContexts: false,
    },
  ) {}

  seed(target: string, values: Record<string, string>): void {
    this.targets.set(target, new Map(Object.entries(values)));
  }

  values(target: string): Record<string, string> {
    return Object.fromEntries(this.targets.get(target) ?? []);
  }

  get adapter(): ProviderAdapter<unknown, Id> {
    return {
      id: this.id,
      displayName: 'Memory',
      targetNoun: 'target',
      tokenName: providers[this.id].tokenName,
      // The real provider's settings: the schema composes from the registry, so they parse the same.
      settings: providers[this.id].settings,
      authHint: 'Fix the memory token.',
      capabilities: this.capabilities,
      contextsFor: () => [noContext],
      isSecret: () => false,
      connect: () => this.connection(),
    };
  }

  private fail(on: InjectedFailure['on'], key?: string): InjectedFailure | undefined {
    const failure = this.failures.find((f) => f.on === on && (f.key === undefined || f.key === key) && (f.times ?? 1) > 0);
    if (failure !== undefined) failure.times = (failure.times ?? 1) - 1;
    return failure;
  }

  private connection(): ProviderConnection {
    return {
      read: (targetId) => {
        this.operations.push(`read ${targetId}`);
        const failure = this.fail('read');
        if (failure !== undefined) return Promise.reject(failure.error);
        const target = this.targets.get(targetId);
        if (target === undefined) {
          return Promise.reject(new SyncError('provider-not-found', `Unknown target ${targetId}.`));
        }
        const state: RemoteState = {
          values: [...target].map(([key, value]) => ({ key, value, context: noContext, secret: false })),
        };
        return Promise.resolve(state);
      },
      apply: (targetId, plan, values) => {
        const target = this.targets.get(targetId) ?? new Map<string, string>();
        return applyWritesThenDeletes(plan, {
          write: (changes) => {
            const done: AppliedChange[] = [];
            const errors: SyncError[] = [];
            for (const change of changes) {
              this.operations.push(`${change.op} ${change.key}`);
              const failure = this.fail('write', change.key);
              if (failure?.landsAnyway === true) target.set(change.key, values.get(change.key) ?? '');
              if (failure !== undefined) {
                errors.push(failure.error);
                continue;
              }
              target.set(change.key, values.get(change.key) ?? '');
              done.push({ op: change.op === 'create' ? 'create' : 'update', key: change.key, context: change.context });
            }
            return Promise.resolve({ done, errors });
          },
          delete: (changes) => {
            const done: AppliedChange[] = [];
            const errors: SyncError[] = [];
            for (const change of changes) {
              this.operations.push(`delete ${change.key}`);
              const failure = this.fail('delete', change.key);
              if (failure !== undefined) {
                errors.push(failure.error);
                continue;
              }
              target.delete(change.key);
              done.push({ op: 'delete', key: change.key, context: change.context });
            }
            return Promise.resolve({ done, errors });
          },
        });
      },
      redeploy: () => {
        this.redeploys += 1;
        return Promise.resolve({ status: 'triggered' });
      },
    };
  }
}
