/**
 * Runs `task` every `intervalMs` (0: never) in the background, never two runs at once: a tick that comes
 * while a run is still going is skipped, so a slow run never queues up a backlog behind it. Failures go to
 * `onError` and the next tick tries again. The returned stop waits for a run in progress to finish.
 */
export function runEvery(intervalMs: number, task: () => Promise<unknown>, onError: (error: unknown) => void): () => Promise<void> {
  if (intervalMs <= 0) return async () => undefined;
  let running: Promise<void> | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = task()
      .then(() => undefined, onError)
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
