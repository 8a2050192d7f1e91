/**
 * Render has two kinds of target: services (RENDER_SERVICE_ID) and environment groups
 * (RENDER_ENV_GROUP_ID). A group's target id carries the prefix `env-group:` so reports, tickets,
 * history and `?target=` tell the two apart at a glance; a service's target id stays its bare
 * service id, as before groups existed.
 */

/** The prefix of an env group's target id: `env-group:evg-...`. */
export const envGroupTargetPrefix = 'env-group:';

/** One Render target, as the adapter reads a target id. */
export type RenderTarget =
  | { readonly kind: 'service'; readonly id: string; readonly targetId: string }
  | { readonly kind: 'env-group'; readonly id: string; readonly targetId: string };

/** The target id of an env group. */
export function envGroupTargetId(envGroupId: string): string {
  return `${envGroupTargetPrefix}${envGroupId}`;
}

/** Reads a target id: `env-group:<id>` is a group, anything else a service. */
export function renderTarget(targetId: string): RenderTarget {
  if (targetId.startsWith(envGroupTargetPrefix)) {
    return { kind: 'env-group', id: targetId.slice(envGroupTargetPrefix.length), targetId };
  }
  return { kind: 'service', id: targetId, targetId };
}

/** How messages name a target: "service srv-1", "env group evg-1". */
export function describeTarget(target: RenderTarget): string {
  return target.kind === 'service' ? `service ${target.id}` : `env group ${target.id}`;
}
