import { noContext } from '../core/plan.ts';
import { renderAuthHint, renderName } from './render/context.ts';
import type { ProviderAdapter } from '../core/adapter.ts';
import { connectLazily } from '../core/lazy-connection.ts';
import type { RenderConnectionOptions } from './render/connection.ts';
import { renderSettings, type RenderOptions } from './render/settings.ts';
import { renderTarget } from './render/targets.ts';

export type { RenderConnectionOptions } from './render/connection.ts';
export type { RenderOptions } from './render/settings.ts';

/**
 * Creates the Render adapter. Services (RENDER_SERVICE_ID) and environment groups
 * (RENDER_ENV_GROUP_ID, target ids `env-group:<id>`) are the targets; each has one flat set of
 * variables (no deploy contexts, values readable in plaintext, empty values rejected). Options exist for tests
 * and benchmarks; the engine uses {@link renderAdapter}.
 */
export function createRenderAdapter(options: RenderConnectionOptions = {}): ProviderAdapter<RenderOptions, 'render'> {
  return {
    id: 'render',
    displayName: renderName,
    targetNoun: 'service',
    targetKindOf: (targetId) => (renderTarget(targetId).kind === 'env-group' ? { noun: 'environment group', setting: 'RENDER_ENV_GROUP_ID' } : { noun: 'service', setting: 'RENDER_SERVICE_ID' }),
    tokenName: 'RENDER_API_TOKEN',
    authHint: renderAuthHint,
    settings: renderSettings,
    capabilities: {
      replacesWholeSet: true,
      hidesSecretValues: false,
      allowsEmptyValues: false,
      hasContexts: false,
    },
    contextsFor: () => [noContext],
    isSecret: () => false,
    // The connection module (HTTP client, response schemas, writes) loads on the first request.
    connect: (session) =>
      connectLazily(session, async (opened) => (await import('./render/connection.ts')).connectRender(opened, options), { reveals: false }),
  };
}

/**
 * Syncs into Render services and environment groups through Render's REST API: services read with
 * `limit=100` pages and written per key for small change sets or with one replace-all request for
 * large ones; groups read in one request and written per key; all within the API key's 30 writes
 * a minute. See docs/ENVSYNC_ENGINE.md (Render) and docs/providers.md (environment groups).
 */
export const renderAdapter = createRenderAdapter();
