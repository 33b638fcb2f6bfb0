import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields that follow a request or run into every log line written while it is being handled. */
export interface LogFields {
  /** The HTTP request or CLI invocation being served. */
  request_id?: string;
  /** The plan run being executed. */
  run_id?: string;
  /** The distributed trace this work belongs to (32 hex characters, W3C style). */
  trace_id?: string;
  /** The current operation inside the trace (16 hex characters). */
  span_id?: string;
  /** The span that started the current one. */
  parent_span_id?: string;
  [field: string]: string | number | boolean | undefined;
}

const NO_FIELDS: Readonly<LogFields> = Object.freeze({});

/**
 * The per-app carrier of log fields across async calls. Each app builds its own, so two apps (or
 * two tests) in one process never see each other's request ids.
 */
export class LogContext {
  private readonly storage = new AsyncLocalStorage<Readonly<LogFields>>();

  /**
   * Runs `fn` with `fields` added to the current ones (a nested `run` keeps the outer request id
   * and adds its own span id, say). Fields set to `undefined` are dropped.
   */
  run<T>(fields: LogFields, fn: () => T): T {
    const merged: LogFields = { ...this.storage.getStore() };
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) delete merged[key];
      else merged[key] = value;
    }
    return this.storage.run(Object.freeze(merged), fn);
  }

  /** The fields in effect here; an empty object outside any `run`. Frozen: use `run` to change them. */
  get(): Readonly<LogFields> {
    return this.storage.getStore() ?? NO_FIELDS;
  }

  /** The store itself, `undefined` outside any `run`; the logger uses its identity as a cache key. */
  current(): Readonly<LogFields> | undefined {
    return this.storage.getStore();
  }
}
