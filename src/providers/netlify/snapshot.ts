import type { RemoteState, RemoteValue } from '../../core/plan.ts';
import { fromApiContext } from './contexts.ts';
import type { ApiEnvVar } from './schemas.ts';

/**
 * A site's variables as the adapter keeps them between `read` and `apply`: what the diff sees
 * (`RemoteState`) plus what writes need and the diff must not (value ids, scopes as spelled by
 * the API, whether a variable exists with no values left).
 */

/** One value of a site variable. */
export interface SiteValue {
  /** The API's value id, for `DELETE .../value/{id}`. */
  readonly id: string;
  /** EnvSync's context string (`production`, `branch:staging`, ...). */
  readonly context: string;
  /** `undefined` when hidden: every value of a secret counts as hidden, however the API masks it. */
  readonly value: string | undefined;
}

/** One site variable. */
export interface SiteVariable {
  readonly key: string;
  readonly secret: boolean;
  /** Scopes exactly as the API returned them, to carry unchanged in a replace. */
  readonly scopes: readonly string[] | undefined;
  readonly updatedAt: string | undefined;
  readonly values: readonly SiteValue[];
}

/** Everything read from one site, and the account it was read through. */
export interface SiteSnapshot {
  readonly siteId: string;
  readonly account: string;
  readonly variables: ReadonlyMap<string, SiteVariable>;
}

/**
 * Builds the snapshot from validated API variables. A secret's values are all hidden: the API's
 * masked form is unverified (omitted, empty, `null` or a masked string), and a masked string read
 * as a value would be compared, and "fixed", on every run.
 */
export function toSnapshot(siteId: string, account: string, apiVariables: readonly ApiEnvVar[]): SiteSnapshot {
  const variables = new Map<string, SiteVariable>();
  for (const variable of apiVariables) {
    const secret = variable.is_secret === true;
    variables.set(variable.key, {
      key: variable.key,
      secret,
      scopes: variable.scopes ?? undefined,
      updatedAt: variable.updated_at ?? undefined,
      values: variable.values.map((value) => ({
        id: value.id,
        context: fromApiContext(value.context, value.context_parameter),
        value: secret || value.value === null ? undefined : value.value,
      })),
    });
  }
  return { siteId, account, variables };
}

/** What the diff sees: one entry per (key, context), values hidden for secrets. */
export function toRemoteState(snapshot: SiteSnapshot): RemoteState {
  const values: RemoteValue[] = [];
  for (const variable of snapshot.variables.values()) {
    for (const value of variable.values) {
      values.push({
        key: variable.key,
        context: value.context,
        value: value.value,
        secret: variable.secret,
        ...(variable.updatedAt === undefined ? {} : { updatedAt: variable.updatedAt }),
      });
    }
  }
  return { values };
}
