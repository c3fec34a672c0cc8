/**
 * In-process publish/subscribe between services (a push event from source reaching hosting and workflows).
 * Services never call each other's internals for reactions; they subscribe to events. At scale-out the same
 * interface fans out through the database (LISTEN/NOTIFY).
 */
export type Listener<T> = (event: T) => void | Promise<void>;

export class EventBus<Events extends Record<string, unknown>> {
  private listeners = new Map<keyof Events, Array<Listener<any>>>();

  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): () => void {
    const list = this.listeners.get(type) ?? [];
    list.push(listener);
    this.listeners.set(type, list);
    return () => this.listeners.set(type, (this.listeners.get(type) ?? []).filter((l) => l !== listener));
  }

  /** Delivers to every listener and waits for them; one failing listener does not stop the others. */
  async emit<K extends keyof Events>(type: K, event: Events[K]): Promise<void> {
    const results = await Promise.allSettled((this.listeners.get(type) ?? []).map(async (l) => l(event)));
    for (const result of results) if (result.status === 'rejected') console.error(`listener for ${String(type)} failed:`, result.reason);
  }
}
