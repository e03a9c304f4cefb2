/**
 * One queue per sandbox: work for the same key runs one at a time, in order; work for different keys
 * runs side by side. Background tasks (the slow half of a transition, after the HTTP reply) are
 * tracked so `idle()` can wait for them too.
 */
export class SerialQueues {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly background = new Set<Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => {});
    this.locks.set(key, settled);
    void settled.then(() => {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    });
    return next;
  }

  /** True while work for `key` is queued or running. */
  busy(key: string): boolean {
    return this.locks.has(key);
  }

  /** Keeps a background task in view of `idle()` until it settles. */
  track(task: Promise<unknown>): void {
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
  }

  /** Waits until nothing is queued, running or in the background. */
  async idle(): Promise<void> {
    while (this.locks.size > 0 || this.background.size > 0) await Promise.allSettled([...this.locks.values(), ...this.background]);
  }
}
