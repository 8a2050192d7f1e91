import { SyncError } from '../../errors.ts';
import type { ErrorMapping } from '../../http/client.ts';

/** Name used in every message. */
export const renderName = 'Render';

/** Appended to 401/403 messages: what to do about a rejected key. */
export const renderAuthHint =
  "Create an API key in the Render Dashboard (Account Settings > API Keys) with a user who belongs to the service's workspace, and store it as RENDER_API_TOKEN.";

/**
 * How Render's failures read, in one place (see {@link ErrorMapping}): every request of the
 * adapter goes through it.
 *
 * A 404 on a variable's DELETE means the variable is already gone, which is what the delete
 * wanted (Render's Terraform provider reads it the same way). Every other 404 is about the service
 * or env group itself: `PUT .../env-vars/{key}` is an upsert, so it cannot 404 for a missing variable.
 */
export const renderErrors: ErrorMapping = (failure, generic) => {
  if (failure.status !== 404) return undefined;
  const [collection, id, , key] = failure.path.split('/');
  if (failure.method === 'DELETE' && key !== undefined) return 'absent';
  if (collection === 'services' && id !== undefined) return serviceNotFound(decodeURIComponent(id), failure.endpoint, generic);
  if (collection === 'env-groups' && id !== undefined) return envGroupNotFound(decodeURIComponent(id), failure.endpoint, generic);
  return undefined;
};

/** The error for a service id Render does not know (or the key cannot see). */
export function serviceNotFound(serviceId: string, endpoint: string, cause: unknown): SyncError {
  return new SyncError(
    'provider-not-found',
    `${renderName} service ${serviceId} was not found (${endpoint} answered 404). Check RENDER_SERVICE_ID: it must list service ids (srv-...) from the workspace of the API key's user.`,
    { cause, status: 404 },
  );
}

/** The error for an environment group id Render does not know (or the key cannot see). */
export function envGroupNotFound(envGroupId: string, endpoint: string, cause: unknown): SyncError {
  return new SyncError(
    'provider-not-found',
    `${renderName} env group ${envGroupId} was not found (${endpoint} answered 404). Check RENDER_ENV_GROUP_ID: it must list environment group ids (evg-..., from the group's dashboard URL) in the workspace of the API key's user.`,
    { cause, status: 404 },
  );
}

/** Ensures a failure is a {@link SyncError}: the API maps its own, anything else is unexpected. */
export function asRenderError(error: unknown, what: string): SyncError {
  if (error instanceof SyncError) return error;
  return new SyncError('internal', `${renderName}: ${what} failed unexpectedly; see the function log (values are never logged).`, { cause: error });
}
