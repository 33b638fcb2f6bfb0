import type { StoredRunEvent } from '../../store/index.js';

type Listener = (event: StoredRunEvent) => void;

/**
 * Fans run journal events out to the event streams watching each run. Only a wake-up call: the
 * streams read the events themselves from the journal, in order, so nothing here buffers.
 */
export class RunEventHub {
  private readonly listeners = new Map<string, Set<Listener>>();

  /** Calls `listener` for each event of `runId` until the returned function is called. */
  subscribe(runId: string, listener: Listener): () => void {
    let set = this.listeners.get(runId);
    if (!set) {
      set = new Set();
      this.listeners.set(runId, set);
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(runId);
      current?.delete(listener);
      if (current?.size === 0) this.listeners.delete(runId);
    };
  }

  publish(event: StoredRunEvent): void {
    const set = this.listeners.get(event.runId);
    if (!set) return;
    for (const listener of [...set]) listener(event);
  }

  /** Streams open now, for tests and `/metrics`. */
  get watchers(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}
