import * as z from 'zod';
import type { ProviderMemory } from '../../core/adapter.ts';
import type { Logger } from '../../logging/logger.ts';

/**
 * Custom environment ids remembered between runs, so a no-op sync of a project that manages a
 * custom environment stays one request (the env list) instead of two.
 *
 * Why this is safe to remember: a custom environment's id does not change while it exists. What can
 * change is the set (one deleted, or deleted and recreated under the same slug with a new id), so
 * the memory is dropped after any failed apply of the project and is at most a day old; a slug the
 * memory does not know is always looked up. A memory that cannot be read or written costs the one
 * request it would have saved, nothing else.
 */

/** How long remembered ids are trusted before they are looked up again. */
export const customEnvironmentMemoryMs = 24 * 60 * 60_000;

const rememberedSchema = z.object({ resolvedAt: z.iso.datetime(), ids: z.record(z.string(), z.string()) });

/** The memory name of a project's custom environment ids. */
export function customEnvironmentsName(projectId: string): string {
  return `custom-environments/${projectId}`;
}

/** The remembered ids of every wanted slug, or `undefined` when they must be looked up. */
export async function rememberedCustomIds(
  memory: ProviderMemory | undefined,
  projectId: string,
  wanted: readonly string[],
  now: number,
  logger: Logger,
): Promise<ReadonlyMap<string, string> | undefined> {
  if (memory === undefined) return undefined;
  let stored: unknown;
  try {
    stored = await memory.get(customEnvironmentsName(projectId));
  } catch {
    logger.warn('vercel.custom_environments.memory_unreadable', { project: projectId });
    return undefined;
  }
  const parsed = rememberedSchema.safeParse(stored);
  if (!parsed.success) return undefined;
  const age = now - Date.parse(parsed.data.resolvedAt);
  if (!(age >= 0 && age < customEnvironmentMemoryMs)) return undefined;
  const ids = new Map(Object.entries(parsed.data.ids));
  return wanted.every((slug) => ids.has(slug)) ? ids : undefined;
}

/** Remembers a project's ids (a failure only costs the next run one lookup). */
export async function rememberCustomIds(memory: ProviderMemory | undefined, projectId: string, ids: ReadonlyMap<string, string>, now: number, logger: Logger): Promise<void> {
  if (memory === undefined || ids.size === 0) return;
  try {
    await memory.set(customEnvironmentsName(projectId), { resolvedAt: new Date(now).toISOString(), ids: Object.fromEntries(ids) });
  } catch {
    logger.warn('vercel.custom_environments.memory_unwritable', { project: projectId });
  }
}

/** Forgets a project's ids, so the next run looks them up again. */
export async function forgetCustomIds(memory: ProviderMemory | undefined, projectId: string, logger: Logger): Promise<void> {
  if (memory === undefined) return;
  try {
    await memory.forget(customEnvironmentsName(projectId));
  } catch {
    logger.warn('vercel.custom_environments.memory_unwritable', { project: projectId });
  }
}
