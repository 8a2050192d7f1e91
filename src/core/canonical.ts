import { readFile } from 'node:fs/promises';
import type { CoreSettings, EnvSource } from '../config/general.ts';
import { isReservedKey } from '../config/reserved.ts';
import { parseDotenv } from '../config/dotenv.ts';
import { SyncError } from '../errors.ts';

/** The canonical set: every managed key and the value every target should hold. */
export interface CanonicalSet {
  readonly values: ReadonlyMap<string, string>;
  /** `environment` or `file:<path>`, for reports and health. */
  readonly source: string;
}

/**
 * Decides whether EnvSync manages a key: it starts with an include prefix, with no exclude prefix,
 * and is not one of EnvSync's own credentials or settings. Used for the canonical set and for what
 * a target holds alike, so a key outside this rule is never written or deleted.
 */
export function createKeyFilter(settings: CoreSettings): (key: string) => boolean {
  const reserved = new Set(settings.reservedKeys);
  return (key) =>
    settings.includePrefixes.some((prefix) => key.startsWith(prefix)) &&
    !settings.excludePrefixes.some((prefix) => key.startsWith(prefix)) &&
    !isReservedKey(key, reserved);
}

/**
 * Loads the canonical set from ENVSYNC_CANONICAL_FILE when set, else from the environment, keeping
 * only managed keys.
 *
 * @throws SyncError `canonical-invalid` when no include prefix is configured (an empty list is
 *   never "everything"), or the file is unreadable or malformed (naming the line, never its value).
 */
export async function loadCanonical(
  settings: CoreSettings,
  env: EnvSource,
  read: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
): Promise<CanonicalSet> {
  if (settings.includePrefixes.length === 0) {
    throw new SyncError(
      'canonical-invalid',
      'ENVSYNC_INCLUDE_PREFIXES is empty, so no key is managed. Set it to the prefixes of the keys EnvSync should sync, e.g. APP_,PUBLIC_.',
    );
  }
  const isManaged = createKeyFilter(settings);
  const file = settings.canonicalFile;
  const all = file === undefined ? fromEnvironment(env) : await fromFile(file, read);
  const values = new Map([...all].filter(([key]) => isManaged(key)));
  return { values, source: file === undefined ? 'environment' : `file:${file}` };
}

function fromEnvironment(env: EnvSource): Map<string, string> {
  const values = new Map<string, string>();
  for (const [key, value] of Object.entries(env)) if (value !== undefined) values.set(key, value);
  return values;
}

async function fromFile(path: string, read: (path: string) => Promise<string>): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await read(path);
  } catch (error) {
    throw new SyncError(
      'canonical-invalid',
      `ENVSYNC_CANONICAL_FILE ${path} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check the path and that the file ships with the functions (netlify.toml included_files).`,
      { cause: error },
    );
  }
  return parseDotenv(text, path);
}
