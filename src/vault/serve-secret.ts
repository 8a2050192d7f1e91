import path from 'node:path';
import type { EnvSource } from '../config/load.ts';
import { settingNames } from '../config/settings.ts';

/**
 * What the vault endpoint may hand out, and where the value comes from. One EnvSync can be another's
 * vault (ENVSYNC_VAULT_URL): this side answers exactly what the discovery chain's vault source asks,
 * `GET ?key=NAME` → `{ "key", "value" }`.
 */

/**
 * EnvSync's own secrets: never served, even when ENVSYNC_VAULT_TOKEN_KEYS lists them. Handing them
 * out would give a vault client the keys to this EnvSync (its API, its ledger, its webhooks).
 */
export const ownSecrets = [
  'ENVSYNC_API_TOKEN',
  'ENVSYNC_READ_TOKEN',
  'ENVSYNC_LEDGER_SECRET',
  'ENVSYNC_WEBHOOK_SECRET',
  'ENVSYNC_VAULT_TOKEN',
  'ENVSYNC_SLACK_WEBHOOK_URL',
] as const;

/** Why a name may not be served, or `undefined` when it may. */
export function refusalFor(name: string, allowed: readonly string[]): 'own-secret' | 'not-listed' | undefined {
  // Every setting is EnvSync's configuration, and the listed secrets are refused by name too in case
  // a later schema drops one of them.
  if ((ownSecrets as readonly string[]).includes(name) || settingNames.includes(name)) return 'own-secret';
  return allowed.includes(name) ? undefined : 'not-listed';
}

/** Where to look for a value: the environment, then a file named like the key in each secret folder. */
export interface ValueSources {
  readonly env: EnvSource;
  readonly secretDirs: readonly string[];
  readonly readFile: (file: string) => Promise<string>;
}

/**
 * The value of `name`, trimmed: the environment variable of that name, else the first non-empty
 * `<dir>/<name>` of ENVSYNC_SECRET_DIRS (Render mounts secret files at /etc/secrets). `undefined` when
 * neither has one.
 */
export async function readServedValue(name: string, sources: ValueSources): Promise<string | undefined> {
  const fromEnv = sources.env[name]?.trim();
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  for (const dir of sources.secretDirs) {
    try {
      const content = (await sources.readFile(path.join(dir, name))).trim();
      if (content !== '') return content;
    } catch {
      // missing or unreadable: try the next folder
    }
  }
  return undefined;
}
