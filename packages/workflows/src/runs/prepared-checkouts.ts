/**
 * Action directories prepared ahead of their action: while actions run, each action that waits only on them gets
 * its directory with the run's source already checked out, so it starts without waiting for git when its turn
 * comes. On a busy machine a checkout takes a few hundred milliseconds, all of it on the run's critical path
 * otherwise.
 *
 * A prepared directory is either taken by its action (which then owns it) or discarded with its run.
 */
export class PreparedCheckouts {
  private readonly ahead = new Map<string, { runId: string; dir: Promise<string | undefined> }>();

  constructor(private readonly remove: (dir: string) => Promise<void>) {}

  /**
   * Starts preparing the directory of an action attempt with `make` (which returns the directory, the source
   * checked out in it), unless that is under way already.
   */
  prepare(runId: string, actionName: string, attempt: number, make: () => Promise<string>): void {
    const k = key(runId, actionName, attempt);
    if (this.ahead.has(k)) return;
    // A failed preparation is not an error: the action checks out for itself when it starts, and reports then.
    this.ahead.set(k, { runId, dir: make().catch(() => undefined) });
  }

  /** The prepared directory of an action attempt (now the caller's to remove), or undefined. */
  async take(runId: string, actionName: string, attempt: number): Promise<string | undefined> {
    const k = key(runId, actionName, attempt);
    const entry = this.ahead.get(k);
    this.ahead.delete(k);
    return entry?.dir;
  }

  /** Removes what was prepared for a run and not taken (its actions were skipped, or the run was stopped). */
  async discard(runId?: string): Promise<void> {
    const left = [...this.ahead].filter(([, entry]) => runId === undefined || entry.runId === runId);
    for (const [k] of left) this.ahead.delete(k);
    await Promise.all(left.map(async ([, entry]) => {
      const dir = await entry.dir;
      if (dir) await this.remove(dir);
    }));
  }
}

const key = (runId: string, actionName: string, attempt: number) => `${runId}\n${actionName}\n${attempt}`;
