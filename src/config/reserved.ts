/**
 * Whether a key belongs to EnvSync itself: a reserved name (every setting, every provider
 * credential and vault key: `Settings.reservedKeys`) or anything in the `ENVSYNC_` namespace.
 * Such keys are never part of the canonical set, whatever the include prefixes say: syncing
 * EnvSync's own token into a target would leak it.
 */
export function isReservedKey(key: string, reserved: ReadonlySet<string>): boolean {
  return reserved.has(key) || key.startsWith('ENVSYNC_');
}
