import * as z from 'zod';
import type { ProviderSettings } from '../core/provider-settings.ts';
import { providerIds, providers, type OptionsOf, type ProviderId } from '../providers/index.ts';
import { checkGeneral, generalShape, resolveGeneral, type CoreSettings, type RegistrySummary } from './general.ts';

export { tokenSources, type EnvSource, type TokenSourceKind } from './general.ts';

/**
 * EnvSync's settings schema: the general settings (`./general.ts`) merged with the settings
 * fragment each registered provider declares. Composed from the registry, so this file names no
 * provider: registering one in `src/providers/index.ts` adds its settings here, its defaults to
 * discovery (a `<id>.token` secret file name, its token name as a vault key), and its names to the
 * reserved keys.
 *
 * One parse lists every problem of every setting, general or provider, in one `config-invalid`
 * error (see `./load.ts`).
 */

const registered = providerIds.map((id) => providers[id]);

const summary: RegistrySummary = {
  ids: providerIds,
  tokenNames: registered.map((adapter) => adapter.tokenName),
  credentialNames: [...new Set(registered.flatMap((adapter) => [adapter.tokenName, ...(adapter.credentialAliases ?? [])]))],
};

/** The general settings' fields, for code that parses one of them alone (the API token check). */
export const general = generalShape(summary);

/** Every field, general first, then each provider's; a setting declared twice is a programming error. */
function composedShape(): z.ZodRawShape {
  const shape: Record<string, z.core.$ZodType> = { ...general };
  for (const adapter of registered) {
    for (const [name, field] of Object.entries(adapter.settings.shape)) {
      if (name in shape) throw new Error(`Setting ${name} is declared twice (provider ${adapter.id}); each setting belongs to one owner.`);
      shape[name] = field;
    }
  }
  return shape;
}

const shape = composedShape();

/** The environment variable names of every setting, for docs and for keeping them out of the canonical set. */
export const settingNames: readonly string[] = Object.keys(shape);

/** Each registered provider's resolved settings, typed by its own options. */
export type ProvidersSettings = { readonly [K in ProviderId]: ProviderSettings<OptionsOf<K>> };

/** EnvSync's parsed, validated settings: the general ones plus each provider's under `providers`. */
export type Settings = Omit<CoreSettings, 'targets'> & {
  /** Providers enabled by ENVSYNC_TARGETS. */
  readonly targets: readonly ProviderId[];
  readonly providers: ProvidersSettings;
};

/**
 * Every setting EnvSync reads, keyed by its environment variable name. The single source of truth:
 * the `Settings` type comes from it, and docs/ENVSYNC_ENGINE.md lists the same rows. Later features
 * add their settings to `./general.ts` or to their provider's fragment, never by reading
 * `process.env` elsewhere.
 */
export const settingsSchema = z
  .object(shape)
  .superRefine(
    (raw, context) => {
      const problem = (path: string, message: string) => context.addIssue({ code: 'custom', path: [path], message });
      checkGeneral(raw, problem, summary);
      const enabled = raw['ENVSYNC_ENABLED'] === true;
      const targets: readonly unknown[] = Array.isArray(raw['ENVSYNC_TARGETS']) ? raw['ENVSYNC_TARGETS'] : [];
      for (const adapter of registered) adapter.settings.check(raw, problem, { targeted: enabled && targets.includes(adapter.id) });
    },
    { when: () => true },
  )
  .transform((raw): Settings => {
    const core = resolveGeneral(raw as Parameters<typeof resolveGeneral>[0], [...settingNames, ...summary.credentialNames]);
    const resolved = Object.fromEntries(registered.map((adapter) => [adapter.id, adapter.settings.resolve(raw)]));
    return { ...core, targets: core.targets as readonly ProviderId[], providers: resolved as ProvidersSettings };
  });
