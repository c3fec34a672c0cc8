/**
 * Change signals: a process tells every process sharing the store that something changed (IAM policies, a
 * branch's live version), so caches keyed on it are dropped everywhere at once. A signal carries no data:
 * receivers re-read the store, which stays the only source of truth.
 *
 * Signals are sent after the change is committed, so a receiver never re-reads ahead of it. When a receiver
 * may have missed signals (its connection to the database was lost), it is told as if every channel had
 * changed, because it cannot know which did.
 */
export interface ChangeSignals {
  /** Tells every process (this one included, synchronously) that `channel` changed. */
  publish(channel: string): void;
  /** Calls `listener` on every change of `channel`, from any process. Returns the unsubscribe function. */
  subscribe(channel: string, listener: () => void): () => void;
  close(): Promise<void>;
}

/** Channel names are SQL identifiers on PostgreSQL: lowercase letters, digits and `_`. */
export function checkChannel(channel: string): string {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`change signal channel "${channel}" must be lowercase letters, digits and _ (at most 63)`);
  return channel;
}

/** Listeners by channel, shared by both dialects: what is delivered, and to whom, is the same. */
export class SignalListeners {
  readonly #byChannel = new Map<string, Set<() => void>>();

  add(channel: string, listener: () => void): () => void {
    const set = this.#byChannel.get(checkChannel(channel)) ?? new Set();
    this.#byChannel.set(channel, set);
    set.add(listener);
    return () => void set.delete(listener);
  }

  channels(): string[] {
    return [...this.#byChannel.keys()];
  }

  deliver(channel: string): void {
    for (const listener of this.#byChannel.get(channel) ?? []) {
      try {
        listener();
      } catch (error) {
        console.error(`store: a listener of change signal ${channel} failed:`, error);
      }
    }
  }

  /** After signals may have been lost: every channel is told it changed. */
  deliverAll(): void {
    for (const channel of this.channels()) this.deliver(channel);
  }
}
