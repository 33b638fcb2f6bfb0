import type { ServerResponse } from 'node:http';
import type { Redactor } from '../../core/redact/index.js';
import type { RunStore, StoredRunEvent } from '../../store/index.js';
import type { RunEventHub } from './RunEventHub.js';

export interface RunEventStreamOptions {
  runId: string;
  /** Events with a higher `seq` are sent (from `Last-Event-ID`); 0 sends the whole journal. */
  afterSeq: number;
  store: RunStore;
  hub: RunEventHub;
  redactor: Redactor;
  /** Headers besides the SSE ones (request id, security headers). */
  headers: Record<string, string | string[]>;
  /** How often the journal is read even without a wake-up (runs other processes run). Default 1 s. */
  pollMs?: number;
  /** How often a comment keeps idle connections (and proxies) open. Default 15 s. */
  heartbeatMs?: number;
}

/** One event in SSE framing; `id` is the journal seq, so `Last-Event-ID` resumes right after it. */
function frame(event: StoredRunEvent, redactor: Redactor): string {
  const data = redactor.strings({ run_id: event.runId, seq: event.seq, at: event.at, type: event.type, task_id: event.taskId ?? null, attempt: event.attempt ?? null, data: event.data ?? null });
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Writes a run's journal as server-sent events on `res`: everything after `afterSeq`, then each
 * new event as it is committed, until the run finishes (the stream then ends) or the client goes.
 * Resolves when the stream is over.
 */
export function streamRunEvents(res: ServerResponse, options: RunEventStreamOptions): Promise<void> {
  const { runId, store, hub, redactor } = options;
  let lastSeq = options.afterSeq;
  let reading = false;
  let again = false;
  let finished = false;
  res.writeHead(200, {
    ...options.headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');

  return new Promise((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    let unsubscribe = (): void => undefined;
    const stop = (): void => {
      if (finished) return;
      finished = true;
      for (const timer of timers) clearInterval(timer);
      unsubscribe();
      if (!res.writableEnded) res.end();
      resolve();
    };
    const read = async (): Promise<void> => {
      if (finished) return;
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          const events = await store.events(runId, { afterSeq: lastSeq });
          for (const event of events) {
            if (finished) return;
            res.write(frame(event, redactor));
            lastSeq = event.seq;
            if (event.type === 'run_finished') {
              stop();
              return;
            }
          }
        } while (again && !finished);
      } catch {
        // The journal could not be read (the database went away): end the stream; the client
        // reconnects with Last-Event-ID and loses nothing.
        stop();
      } finally {
        reading = false;
      }
    };
    unsubscribe = hub.subscribe(runId, () => void read());
    res.on('close', stop);
    // A client that left before the listener was attached: 'close' has fired already.
    if (res.destroyed) {
      stop();
      return;
    }
    timers.push(setInterval(() => void read(), options.pollMs ?? 1000));
    timers.push(setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs ?? 15_000));
    for (const timer of timers) timer.unref();
    void read();
  });
}
