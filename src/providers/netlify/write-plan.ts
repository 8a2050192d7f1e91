import { SyncError } from '../../errors.ts';
import type { PlannedChange } from '../../core/plan.ts';
import { defaultSecretScopes, secretScopesFrom, toApiContext } from './contexts.ts';
import type { ApiValueInput, CreateBody, ReplaceBody, SetValueBody } from './schemas.ts';
import type { SiteSnapshot, SiteValue, SiteVariable } from './snapshot.ts';

/**
 * Turns a plan's writes and deletes into Netlify requests, without sending any: pure, so the
 * request-count choices are testable as data.
 *
 * Writes: every key the site does not have goes into ONE bulk create. A key it has is changed in
 * place, only in the contexts the plan names: one `PATCH` per context, or one `PUT` when that saves
 * requests and every value the key keeps is in a context EnvSync manages and readable. A `PUT`
 * replaces every value object of the key (new ids, and the values as they were at the read), so a
 * key with a value in an unmanaged context (`branch-deploy`, `branch:staging`) is always patched:
 * an edit made there after the read, and the value's id, survive.
 */

/** A key the site lacks: one item of the bulk create. */
export interface CreateStep {
  readonly key: string;
  readonly changes: readonly PlannedChange[];
  readonly body: CreateBody;
}

/** A key the site has: one replace, or one set-value per context. */
export interface UpdateStep {
  readonly key: string;
  readonly changes: readonly PlannedChange[];
  /** The replace drops the variable's `all` value (it becomes a secret with explicit contexts). */
  readonly dropsAllValue?: boolean;
  readonly request:
    | { readonly kind: 'replace'; readonly body: ReplaceBody }
    | { readonly kind: 'set-values'; readonly values: readonly { readonly change: PlannedChange; readonly body: SetValueBody }[] };
}

/** A key that cannot be written as planned, with the error that says what to do. */
export interface RefusedStep {
  readonly key: string;
  readonly error: SyncError;
}

/** The requests a plan's writes need: one bulk create, per-key updates, and keys that cannot be written. */
export interface WritePlan {
  readonly creates: readonly CreateStep[];
  readonly updates: readonly UpdateStep[];
  readonly refused: readonly RefusedStep[];
}

/** Settings that change how writes are planned. */
export interface WritePlanOptions {
  /** ENVSYNC_NETLIFY_CONTEXTS is `all`: a variable's `all` value is EnvSync's to replace. */
  readonly managesEveryContext: boolean;
  /** The contexts EnvSync manages for a key (the adapter's `contextsFor`); values elsewhere are never rewritten. */
  readonly contextsFor: (key: string) => readonly string[];
}

/** Plans the requests for a plan's creates and updates. */
export function planWrites(
  changes: readonly PlannedChange[],
  snapshot: SiteSnapshot,
  values: ReadonlyMap<string, string>,
  options: WritePlanOptions,
): WritePlan {
  const creates: CreateStep[] = [];
  const updates: UpdateStep[] = [];
  const refused: RefusedStep[] = [];
  for (const [key, keyChanges] of groupByKey(changes)) {
    const value = values.get(key);
    if (value === undefined) {
      refused.push({ key, error: new SyncError('internal', `No canonical value was handed over for ${key}; nothing was written for it.`, { key }) });
      continue;
    }
    const secret = keyChanges.some((change) => change.secret);
    const written = keyChanges.map((change) => apiValue(change.context, value));
    const variable = snapshot.variables.get(key);
    if (variable === undefined) {
      creates.push({ key, changes: keyChanges, body: { key, values: written, is_secret: secret, ...(secret ? { scopes: [...defaultSecretScopes] } : {}) } });
    } else if (secret && !variable.secret) {
      const step = becomeSecret(variable, keyChanges, written, snapshot.siteId, options);
      if (step instanceof SyncError) refused.push({ key, error: step });
      else updates.push(step);
    } else if (variable.secret && keyChanges.some((change) => change.context === 'all')) {
      refused.push({ key, error: secretCannotHoldAll(key, snapshot.siteId) });
    } else {
      updates.push(updateInPlace(variable, keyChanges, value, options));
    }
  }
  return { creates, updates, refused };
}

function updateInPlace(variable: SiteVariable, changes: readonly PlannedChange[], value: string, options: WritePlanOptions): UpdateStep {
  const kept = untouchedValues(variable, changes);
  const written = changes.map((change) => apiValue(change.context, value));
  const managed = new Set(options.contextsFor(variable.key));
  const carriable = kept.every((existing) => existing.value !== undefined && managed.has(existing.context));
  if (changes.length >= 2 && carriable) {
    const scopes = variable.scopes ?? (variable.secret ? [...defaultSecretScopes] : undefined);
    return {
      key: variable.key,
      changes,
      request: {
        kind: 'replace',
        body: { key: variable.key, values: [...carried(kept), ...written], is_secret: variable.secret, ...(scopes === undefined ? {} : { scopes }) },
      },
    };
  }
  return {
    key: variable.key,
    changes,
    request: { kind: 'set-values', values: changes.map((change) => ({ change, body: apiValue(change.context, value) })) },
  };
}

/**
 * A plain variable that must become a secret. `PATCH` cannot set the flag, so this is one `PUT`
 * with `is_secret`, scopes without post-processing, and every other value carried. That rewrites
 * every value object of the key, so it is done only when EnvSync manages every value the key keeps,
 * or ENVSYNC_NETLIFY_CONTEXTS is `all` (the user gave EnvSync every context); otherwise the key is
 * refused. A secret cannot hold an `all` value: it is dropped only under `all` (EnvSync's explicit
 * contexts now carry the value).
 */
function becomeSecret(
  variable: SiteVariable,
  changes: readonly PlannedChange[],
  written: readonly ApiValueInput[],
  siteId: string,
  options: WritePlanOptions,
): UpdateStep | SyncError {
  const kept = untouchedValues(variable, changes);
  const managed = new Set(options.contextsFor(variable.key));
  const unmanaged = kept.filter((value) => !managed.has(value.context));
  if (unmanaged.length > 0 && !options.managesEveryContext) {
    const where = [...new Set(unmanaged.map((value) => value.context))].join(', ');
    return new SyncError(
      'conflict',
      `${variable.key} on Netlify site ${siteId} must become a secret, which rewrites every value of the variable, and it has values in contexts EnvSync does not manage (${where}); EnvSync does not rewrite contexts outside ENVSYNC_NETLIFY_CONTEXTS. Set the secret flag in the Netlify UI, or delete ${variable.key} there (EnvSync then creates it as a secret), or remove it from ENVSYNC_NETLIFY_SECRET_KEYS / ENVSYNC_NETLIFY_SECRET_PREFIXES.`,
      { key: variable.key },
    );
  }
  const carriedValues = kept.filter((value) => value.context !== 'all');
  const dropsAllValue = carriedValues.length < kept.length;
  if (carriedValues.some((value) => value.value === undefined)) {
    return new SyncError(
      'conflict',
      `${variable.key} on Netlify site ${siteId} must become a secret, but one of its other contexts' values could not be read, so it cannot be carried over; set the secret flag in the Netlify UI.`,
      { key: variable.key },
    );
  }
  return {
    key: variable.key,
    changes,
    ...(dropsAllValue ? { dropsAllValue } : {}),
    request: {
      kind: 'replace',
      body: { key: variable.key, values: [...carried(carriedValues), ...written], is_secret: true, scopes: secretScopesFrom(variable.scopes) },
    },
  };
}

/** The deletes of one key: what is already gone, and the request(s) that remove the rest. */
export interface DeleteStep {
  readonly key: string;
  /** Changes already satisfied: the site holds no value there. */
  readonly absent: readonly PlannedChange[];
  /** Delete the whole variable (nothing else would remain), or these values by id, or nothing. */
  readonly request:
    | { readonly kind: 'variable'; readonly changes: readonly PlannedChange[] }
    | { readonly kind: 'values'; readonly values: readonly { readonly change: PlannedChange; readonly ids: readonly string[] }[] }
    | { readonly kind: 'none' };
}

/**
 * Plans the requests for a plan's deletes: only the managed contexts' values go, by value id; the
 * whole variable only when no other value would remain.
 */
export function planDeletes(changes: readonly PlannedChange[], snapshot: SiteSnapshot): DeleteStep[] {
  const steps: DeleteStep[] = [];
  for (const [key, keyChanges] of groupByKey(changes)) {
    const variable = snapshot.variables.get(key);
    const targets = keyChanges
      .map((change) => ({ change, ids: (variable?.values ?? []).filter((value) => value.context === change.context).map((value) => value.id) }))
      .filter((target) => target.ids.length > 0);
    const present = targets.map((target) => target.change);
    const absent = keyChanges.filter((change) => !present.includes(change));
    if (variable === undefined || present.length === 0) {
      steps.push({ key, absent, request: { kind: 'none' } });
    } else if (untouchedValues(variable, present).length === 0) {
      steps.push({ key, absent, request: { kind: 'variable', changes: present } });
    } else {
      steps.push({ key, absent, request: { kind: 'values', values: targets } });
    }
  }
  return steps;
}

function secretCannotHoldAll(key: string, siteId: string): SyncError {
  return new SyncError(
    'conflict',
    `${key} is a secret on Netlify site ${siteId}, and a secret cannot hold a value for all deploy contexts. Add ${key} to ENVSYNC_NETLIFY_SECRET_KEYS (or a matching ENVSYNC_NETLIFY_SECRET_PREFIXES) so EnvSync writes it per context.`,
    { key },
  );
}

function untouchedValues(variable: SiteVariable, changes: readonly PlannedChange[]): SiteValue[] {
  const contexts = new Set(changes.map((change) => change.context));
  return variable.values.filter((value) => !contexts.has(value.context));
}

function carried(values: readonly SiteValue[]): ApiValueInput[] {
  return values.map((value) => apiValue(value.context, value.value ?? ''));
}

function apiValue(context: string, value: string): ApiValueInput {
  return { ...toApiContext(context), value };
}

function groupByKey(changes: readonly PlannedChange[]): Map<string, PlannedChange[]> {
  const groups = new Map<string, PlannedChange[]>();
  for (const change of changes) {
    const group = groups.get(change.key);
    if (group === undefined) groups.set(change.key, [change]);
    else group.push(change);
  }
  return groups;
}
