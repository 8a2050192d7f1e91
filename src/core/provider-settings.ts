import type * as z from 'zod';

/**
 * How a provider declares its own settings, and what they resolve to.
 *
 * Each provider owns a zod fragment keyed by environment variable names (its target-id setting,
 * API URL, options). `src/config/settings.ts` merges every registered fragment with the general
 * settings into one schema, so one parse still lists every problem of every provider at once, and
 * the settings code never names a provider.
 */

/** What every provider's settings resolve to; the engine reads `targetIds` and `apiUrl`, the adapter its `options`. */
export interface ProviderSettings<Options = unknown> {
  /** The targets to sync, deduplicated, in the order configured. */
  readonly targetIds: readonly string[];
  /** The API base URL, without a trailing slash. */
  readonly apiUrl: string;
  /** The provider's own options (contexts, secret keys, build hook, ...). */
  readonly options: Options;
}

/** Reports one problem on one setting; every problem found is listed in the one `config-invalid` error. */
export type SettingProblem = (setting: string, message: string) => void;

/** When a fragment's cross-setting checks run. */
export interface SettingsCheckState {
  /** ENVSYNC_ENABLED is true and ENVSYNC_TARGETS lists this provider: its targets are required. */
  readonly targeted: boolean;
}

/**
 * A provider's settings, as its module declares them.
 *
 * `shape` holds the zod schema of each environment variable (use the builders of
 * `src/config/fields.ts`, which treat a blank value as unset). `check` runs even when a field failed
 * its own schema (so one error lists everything), hence it receives the raw, possibly unparsed input.
 */
export interface ProviderSettingsFragment<Options = unknown> {
  readonly shape: z.ZodRawShape;
  /** The setting that lists the targets (`RENDER_SERVICE_ID`), named in messages. */
  readonly targetSetting: string;
  /** The setting that overrides the API base URL (`RENDER_API_URL`). */
  readonly apiUrlSetting: string;
  /** Cross-setting checks; report each problem through `problem`. */
  check(raw: Readonly<Record<string, unknown>>, problem: SettingProblem, state: SettingsCheckState): void;
  /** Builds the provider's settings from the parsed fields (only called when every field parsed). */
  resolve(parsed: Readonly<Record<string, unknown>>): ProviderSettings<Options>;
}

/**
 * Declares a provider's settings with full types: `resolve` sees the parsed fields of `shape`
 * exactly as zod infers them. The one cast lives here: the composed schema hands each fragment the
 * merged parse, which contains every field of its shape.
 */
export function defineProviderSettings<const Shape extends z.ZodRawShape, Options>(fragment: {
  readonly shape: Shape;
  readonly targetSetting: keyof Shape & string;
  readonly apiUrlSetting: keyof Shape & string;
  readonly check?: (raw: Readonly<Record<string, unknown>>, problem: SettingProblem, state: SettingsCheckState) => void;
  readonly resolve: (parsed: { readonly [K in keyof Shape]: z.output<Shape[K]> }) => ProviderSettings<Options>;
}): ProviderSettingsFragment<Options> {
  return {
    shape: fragment.shape,
    targetSetting: fragment.targetSetting,
    apiUrlSetting: fragment.apiUrlSetting,
    check: (raw, problem, state) => fragment.check?.(raw, problem, state),
    resolve: (parsed) => fragment.resolve(parsed as { readonly [K in keyof Shape]: z.output<Shape[K]> }),
  };
}

/** A CSV field read defensively inside `check` (it may still hold its raw input). */
export function listOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}
