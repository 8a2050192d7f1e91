/**
 * Runs `task` over `items` with at most `limit` running at once.
 *
 * Why a limit: one key's requests must stay in order (its `updated_at` is per variable), but keys
 * are independent, and a few hundred sequential requests would not fit a function's time budget.
 * A small limit keeps the burst well inside Netlify's 500 requests per minute. Tasks are expected
 * to report their own failures; one that throws rejects the whole run.
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}
