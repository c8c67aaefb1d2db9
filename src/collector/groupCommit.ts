/**
 * Group commit: work items that arrive while a commit is under way are committed together by the
 * next one, so N concurrent uploads cost one transaction and one fsync, not N. There is no timer:
 * an item arriving at an idle queue is committed at once (after the current turn of the event
 * loop, so the items of one turn go together), and under load a group is whatever arrived during
 * the previous commit — the busier the collector, the larger the groups, with no added latency
 * when it is quiet. Each caller's promise settles only when its group's commit has settled.
 *
 * A group that fails is retried item by item, so one bad item never fails the others.
 */
export class GroupCommit<I, R> {
  private pending: { item: I; resolve: (r: R) => void; reject: (err: unknown) => void }[] = [];
  private running = false;

  constructor(
    /** Commits a group; returns one result per item, in order. */
    private readonly commitGroup: (items: readonly I[]) => Promise<R[]>,
    /** Most items per group (bounds one transaction's size and time). */
    private readonly maxGroup = 128,
  ) {}

  commit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.pending.splice(0, this.maxGroup);
      try {
        const results = await this.commitGroup(group.map((g) => g.item));
        group.forEach((g, k) => g.resolve(results[k]));
      } catch (groupErr) {
        if (group.length === 1) {
          group[0].reject(groupErr);
          continue;
        }
        for (const g of group) {
          try {
            g.resolve((await this.commitGroup([g.item]))[0]);
          } catch (err) {
            g.reject(err);
          }
        }
      }
    }
    this.running = false;
  }
}
