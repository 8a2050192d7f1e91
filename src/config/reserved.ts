import { isRuntimeKey } from './runtime-keys.ts';

/**
 * Whether a key may never be synced: EnvSync's own (a reserved name: every setting, every provider
 * credential and vault key, `Settings.reservedKeys`; or anything in the `ENVSYNC_` namespace) or
 * the runtime's (AWS and Lambda credentials, Netlify's runtime variables, the process basics: see
 * `./runtime-keys.ts`). Such keys are never part of the canonical set, whatever the include
 * prefixes say: syncing EnvSync's own token, or the function's cloud credentials, into a target
 * would leak them.
 */
export function isReservedKey(key: string, reserved: ReadonlySet<string>): boolean {
  return reserved.has(key) || key.startsWith('ENVSYNC_') || isRuntimeKey(key);
}
