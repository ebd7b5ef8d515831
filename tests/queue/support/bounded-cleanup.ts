/**
 * Runs a teardown step but never lets it hold the suite: BullMQ's `QueueEvents.close()` can stay
 * pending when its blocking Redis read is cut by a Redis restart earlier in the file. A step
 * still pending after `ms` is abandoned with a warning (its process or connection is gone with
 * the test process anyway).
 */
export async function boundedCleanup(
  step: () => Promise<unknown> | unknown,
  ms = 10_000,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), ms);
  });
  try {
    const outcome = await Promise.race([Promise.resolve(step()), expired]);
    if (outcome === 'expired')
      console.warn(`teardown step still pending after ${ms} ms; moving on`);
  } catch (error) {
    console.warn(`teardown step failed: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}
