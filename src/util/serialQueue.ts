/**
 * Runs async tasks one at a time, in the order they were queued. A task that fails rejects only its
 * own promise: the next one still runs. Used wherever state on disk or in memory must not see two
 * operations interleave (consent changes, approvals, a preview session, the log index).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Queues `task`; resolves or rejects with its result once every earlier task has settled. */
  run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
