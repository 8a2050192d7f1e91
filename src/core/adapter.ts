import type { CoreSettings } from '../config/general.ts';
import type { SyncError } from '../errors.ts';
import type { Budget } from '../http/budget.ts';
import type { Logger } from '../logging/logger.ts';
import type { Plan, PlanOp, PlanWarning, RemoteState } from './plan.ts';
import type { ProviderSettings, ProviderSettingsFragment } from './provider-settings.ts';

/**
 * The provider adapter interface: what a provider module declares and implements. The core owns it;
 * providers (`src/providers/<id>.ts`) implement it and are registered in `src/providers/index.ts`.
 * Nothing here names a provider. See docs/providers.md for the checklist.
 */

/**
 * What a provider can and cannot do, declared once on its adapter. The core reads these instead of
 * switching on provider names.
 */
export interface AdapterCapabilities {
  /** The provider has a replace-the-whole-set write (Render's `PUT /services/{id}/env-vars`). */
  readonly replacesWholeSet: boolean;
  /** Some values cannot be read back (Netlify secrets): compare through the ledger instead. */
  readonly hidesSecretValues: boolean;
  /** The provider accepts empty values. Render rejects them. */
  readonly allowsEmptyValues: boolean;
  /** Values live per deploy context (Netlify), rather than once per target (Render). */
  readonly hasContexts: boolean;
}

/**
 * The settings the engine reads: the general ones, and each provider's resolved settings by id.
 * `src/config/settings.ts`'s `Settings` is one of these.
 */
export type EngineSettings = CoreSettings & { readonly providers: Readonly<Record<string, ProviderSettings>> };

/** Everything an adapter gets for one sync run of one provider. */
export interface ProviderSession<Options = unknown> {
  /** The general settings (mode, prefixes, redeploy, ...). */
  readonly settings: CoreSettings;
  /** This provider's own settings: its targets, API URL and options. */
  readonly provider: ProviderSettings<Options>;
  /** The discovered API token. Only ever placed in an Authorization header. */
  readonly token: string;
  /** Where the token came from (`env:RENDER_API_TOKEN`), for authentication error messages. */
  readonly tokenSource: string;
  /** The run's time budget; every wait and request must fit in it. */
  readonly budget: Budget;
  readonly logger: Logger;
  /** Injected fetch; defaults to the global one (which msw intercepts in tests). */
  readonly fetch?: typeof fetch;
  /**
   * Removes every value EnvSync handles (canonical, and each value read from a target) from `text`
   * (a provider's answer to a read, say): see `createRedactor`.
   */
  readonly redact: (text: string) => string;
  /**
   * The targets this run syncs through the connection, in order (default: every configured one).
   * Budgets shared by the token are reserved only for the targets of the run still to come.
   */
  readonly runTargets?: readonly string[];
  /**
   * The provider's own small memory between runs (Blobs, `providers/<id>/<name>`), for facts about
   * a target that stay true for a while and would otherwise cost a request every run (Vercel's
   * custom environment ids). Never a value or a token. Absent in tests and tools without storage:
   * then the connection looks the fact up each run.
   */
  readonly memory?: ProviderMemory;
}

/**
 * A provider's memory between runs, by name. Reads and writes may fail (Blobs is a network
 * service): a caller treats a failed read as "not remembered" and a failed write as harmless.
 */
export interface ProviderMemory {
  get(name: string): Promise<unknown>;
  set(name: string, value: unknown): Promise<void>;
  forget(name: string): Promise<void>;
}

/** One change an adapter carried out. */
export interface AppliedChange {
  readonly op: Exclude<PlanOp, 'noop'>;
  readonly key: string;
  readonly context: string;
  /** The provider's `updated_at` after the write, when it returned one: the ledger keeps it for drift checks. */
  readonly remoteUpdatedAt?: string;
}

/** What an apply achieved: every change it made, and an error per change it could not make. */
export interface ApplyOutcome {
  readonly done: readonly AppliedChange[];
  /** Errors with `key` set where the failure belongs to one key. */
  readonly errors: readonly SyncError[];
}

/** What a redeploy (Render deploy, Netlify build) request achieved. */
export interface RedeployOutcome {
  /** `not-needed`: the connection found nothing to redeploy for this target (a Render env group linked to no service). */
  readonly status: 'triggered' | 'failed' | 'not-needed';
  readonly error?: SyncError;
}

/**
 * A live connection to one provider for one run: the HTTP client, anything resolved once per run
 * (Netlify's account), and client-side rate budgets shared by every target of the run.
 */
export interface ProviderConnection {
  /**
   * Reads all of a target's own variables.
   * @throws SyncError `provider-not-found` for an unknown target id, `provider-response-invalid` for
   *   a surprise shape (never an empty result), or the mapped HTTP failure.
   */
  read(targetId: string): Promise<RemoteState>;
  /**
   * Carries out a plan's create, update and delete operations.
   *
   * Must use {@link applyWritesThenDeletes} (or be atomic): every write before any delete, and no
   * delete once a write has failed. Must not throw for a per-key failure: report it in `errors`.
   *
   * @param values - canonical values by key; the only place values reach an adapter.
   * @param remote - the state the plan was made from.
   */
  apply(targetId: string, plan: Plan, values: ReadonlyMap<string, string>, remote: RemoteState): Promise<ApplyOutcome>;
  /** Asks the provider to redeploy or rebuild the target so new values take effect. */
  redeploy(targetId: string): Promise<RedeployOutcome>;
  /**
   * Optional: whether the target needs a redeploy although its own sync changed nothing, because
   * something it depends on changed earlier in the run (a Render service linked to an env group
   * that changed). The engine then calls {@link redeploy} for it too (with ENVSYNC_REDEPLOY on).
   */
  owesRedeploy?(targetId: string): boolean;
  /**
   * Optional: reads hidden values the ledger cannot vouch for (the plan marked them `unverifiable`),
   * when the provider has a way to (Vercel decrypts an `encrypted` record by id), and returns the
   * state with those values filled in. The engine then plans again: a value already equal to the
   * canonical one is not written, and the ledger records it so later runs need no such read.
   * Values it cannot read stay `undefined` (and are written).
   */
  reveal?(targetId: string, remote: RemoteState, slots: readonly { readonly key: string; readonly context: string }[]): Promise<RemoteState>;
}

/**
 * One provider: its identity, settings, capabilities and how to connect. Registered in
 * `src/providers/index.ts` under its `id`.
 *
 * `Options` is the type of the provider's own resolved options; the option-taking members are
 * declared as methods so a `ProviderAdapter<NetlifyOptions>` can sit in a registry typed
 * `ProviderAdapter`. The engine always hands an adapter the options its own fragment resolved.
 */
export interface ProviderAdapter<Options = unknown, Id extends string = string> {
  /** The registry key: lower-case, used in URLs (`/envsync-apply/<id>`), storage keys and ENVSYNC_TARGETS. */
  readonly id: Id;
  /** Name used in messages: "Render", "Netlify". */
  readonly displayName: string;
  /** What a target is called in messages: "service", "site". */
  readonly targetNoun: string;
  /**
   * For a provider with more than one kind of target (Render's services and environment groups):
   * what a target id names, and the setting that lists that kind, so messages about an unknown
   * target name the right setting. Without it every id is a {@link targetNoun} of `settings.targetSetting`.
   */
  readonly targetKindOf?: (targetId: string) => { readonly noun: string; readonly setting: string };
  /** The environment variable (and vault / dashboard key) holding this provider's API token. */
  readonly tokenName: string;
  /** Other names that hold this provider's credential (`NETLIFY_AUTH_TOKEN`): never synced. */
  readonly credentialAliases?: readonly string[];
  /** What to do when the provider rejects the token; appended to authentication errors. */
  readonly authHint: string;
  readonly capabilities: AdapterCapabilities;
  /** The provider's settings, merged into the one settings schema. */
  readonly settings: ProviderSettingsFragment<Options>;
  /**
   * The contexts EnvSync manages for `key` on this provider's targets (`['*']` when it has none).
   * Per key because a provider may need explicit contexts for some keys (Netlify secrets can't use `all`).
   * Values in any other context are never changed or deleted.
   */
  contextsFor(key: string, options: Options): readonly string[];
  /** Whether a key is written as a secret on this provider. */
  isSecret(key: string, options: Options): boolean;
  /** Opens a connection for one run. Does no I/O: the first request is made by `read`. */
  connect(session: ProviderSession<Options>): ProviderConnection;
  /**
   * Optional, pure: what the plan should warn about for this target before anything is written
   * (reserved names, size limits, contexts a key cannot use). Shown in the report as `warnings`.
   */
  preflight?(desired: ReadonlyMap<string, string>, remote: RemoteState, options: Options): readonly PlanWarning[];
}
