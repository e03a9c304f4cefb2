/**
 * Polls `probe` every 50 ms until it gives a truthy value, and returns that value; throws after `timeoutMs`, naming
 * `what`. For conditions a test waits on that no event reports (a process gone, a line logged, a file removed).
 */
export async function until<T>(what: string, timeoutMs: number, probe: () => T | Promise<T>): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
