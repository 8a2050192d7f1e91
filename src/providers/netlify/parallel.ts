/**
 * Runs `task` over `items` with at most `limit()` running at once, asking again each time a task
 * is about to start.
 *
 * Why a limit, and why a function: one key's requests must stay in order (its `updated_at` is per
 * variable), but keys are independent, and a few hundred sequential requests would not fit a
 * function's time budget. How many may run at once depends on what the provider last said about
 * its rate window (Netlify's `X-RateLimit-Remaining`), which changes as answers come in. Tasks
 * are expected to report their own failures; one that throws rejects the whole run.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number | { readonly max: number; readonly now: () => number },
  task: (item: T) => Promise<void>,
): Promise<void> {
  const max = typeof limit === 'number' ? limit : limit.max;
  const current = typeof limit === 'number' ? () => limit : () => Math.min(max, limit.now());
  let next = 0;
  let running = 0;
  let wake: (() => void) | undefined;
  const slotFreed = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      if (running >= Math.max(1, current())) {
        await new Promise<void>((resolve) => {
          const previous = wake;
          wake = () => {
            previous?.();
            resolve();
          };
        });
        continue;
      }
      const item = items[next] as T;
      next += 1;
      running += 1;
      try {
        await task(item);
      } finally {
        running -= 1;
        slotFreed();
      }
    }
  };
  const workers = Math.min(Math.max(1, max), items.length);
  await Promise.all(Array.from({ length: workers }, worker));
}
