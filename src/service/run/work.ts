import { loadSettings, type EnvSource } from '../../config/load.ts';
import type { Settings } from '../../config/settings.ts';
import { selectTargets } from '../../core/engine.ts';
import type { TargetRef } from '../../core/ledger.ts';
import { SyncError } from '../../errors.ts';
import type { ProviderId, ProviderRegistry } from '../../providers/index.ts';
import type { ProviderAdapter } from '../../core/adapter.ts';

/**
 * Deciding what a sync request covers, before anything is read or written: EnvSync must be
 * enabled, the provider enabled, and a named target configured. Each refusal is a clear error.
 */

/** The targets of one provider a run covers. */
export interface ProviderWork {
  readonly provider: ProviderId;
  readonly targets: readonly string[];
}

/**
 * Loads the settings of a sync endpoint.
 * @throws SyncError `config-invalid` listing every problem, `disabled` when ENVSYNC_ENABLED is off.
 */
export function loadEnabledSettings(env: EnvSource): Settings {
  const settings = loadSettings(env);
  if (!settings.enabled) {
    throw new SyncError(
      'disabled',
      'EnvSync is disabled (ENVSYNC_ENABLED is not true), so nothing is planned or applied. Set ENVSYNC_ENABLED=true together with ENVSYNC_TARGETS, ENVSYNC_INCLUDE_PREFIXES and ENVSYNC_LEDGER_SECRET, then redeploy.',
    );
  }
  return settings;
}

/**
 * The targets of one provider: all configured ones, or the one named.
 * @throws SyncError `disabled` when the provider is not in ENVSYNC_TARGETS, `bad-request` for a
 *   target that is not configured (listing the configured ones).
 */
export function workForProvider<K extends ProviderId>(settings: Settings, adapter: ProviderAdapter<unknown, K>, target: string | undefined): ProviderWork {
  if (!settings.targets.includes(adapter.id)) {
    throw new SyncError(
      'disabled',
      `${adapter.displayName} is not enabled: ENVSYNC_TARGETS is "${settings.targets.join(',')}". Add ${adapter.id} to ENVSYNC_TARGETS and list its ${adapter.targetNoun}s in ${adapter.settings.targetSetting}.`,
    );
  }
  const targets = selectTargets(target === undefined ? {} : { targets: [target] }, settings.providers[adapter.id], adapter);
  return { provider: adapter.id, targets };
}

/**
 * The targets of every enabled provider, or of the providers that configure the one target named.
 * @throws SyncError `bad-request` for a target no enabled provider configures.
 */
export function workForAll(
  settings: Settings,
  adapters: ProviderRegistry,
  target: string | undefined,
): ProviderWork[] {
  const all = settings.targets.map((provider) => ({ provider, targets: settings.providers[provider].targetIds }));
  if (target === undefined) return all;
  const matching = all.filter((work) => work.targets.includes(target)).map((work) => ({ provider: work.provider, targets: [target] }));
  if (matching.length === 0) {
    const configured = all.map((work) => `${adapters[work.provider].displayName}: ${work.targets.join(', ') || 'none'}`).join('; ');
    throw new SyncError('bad-request', `Unknown target ${target}: no enabled provider configures it (${configured}). Pick a configured target or add it to the provider's target setting.`);
  }
  return matching;
}

/** Every target of some work, in order. */
export function targetsOf(work: readonly ProviderWork[]): TargetRef[] {
  return work.flatMap((item) => item.targets.map((id) => ({ provider: item.provider, id })));
}
