/** A value a span attribute may hold (OpenTelemetry's primitive types, and lists of text). */
export type SpanAttributeValue = string | number | boolean | readonly string[];

/** Attributes by name; `undefined` values are left out, so optional facts can be spread in as they are. */
export type SpanAttributes = Readonly<Record<string, SpanAttributeValue | undefined>>;

/**
 * What a span stands for: work this process does for itself (`internal`), a request it serves
 * (`server`), or a request it makes to another service (`client`).
 */
export type SpanKindName = 'internal' | 'server' | 'client';

/**
 * One timed operation of a trace. Spans carry facts about the work (ids, models, counts, codes),
 * never its content: no prompt, answer, file, key or token goes into an attribute.
 */
export interface Span {
  /** False when nothing is recorded (tracing off, or this trace not sampled): skip building attributes. */
  readonly recording: boolean;
  /** The trace's W3C id, 32 hex digits; empty when tracing is off. */
  readonly traceId: string;
  /** This span's W3C id, 16 hex digits; empty when tracing is off. */
  readonly spanId: string;
  /** Adds or replaces attributes; `undefined` values are skipped. */
  setAttributes(attributes: SpanAttributes): void;
  /** A point in time inside the span (a retried request, say), with its own attributes. */
  addEvent(name: string, attributes?: SpanAttributes): void;
  /**
   * Marks the span as failed: status error, and `error.type` set to `errorType` (an `LA_…` code or
   * an HTTP status). Only the code: messages can quote inputs, so they stay in the logs.
   */
  fail(errorType: string): void;
  /** Ends the span; it is exported with the next batch. Later calls are ignored. */
  end(): void;
}

export interface StartSpanOptions {
  /** Default `internal`. */
  kind?: SpanKindName;
  attributes?: SpanAttributes;
  /**
   * The parent: a span of the same tracer, or `null` to start a new trace. Default: the span made
   * current by `Tracer.withSpan` where this is called, if any, else a new trace.
   */
  parent?: Span | null;
  /**
   * An incoming W3C `traceparent` header: the span continues the caller's trace. Used only when no
   * `parent` is given and the header is valid.
   */
  traceparent?: string | undefined;
  /** The W3C `tracestate` header that came with `traceparent`, passed on unchanged. */
  tracestate?: string | undefined;
}

/** Fields that follow the work across async calls (the app's `LogContext` fits). */
export type CarriedFields = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Where the current span is kept across async calls: the app's `LogContext`. Sharing it means no
 * second AsyncLocalStorage (each one taxes every promise the process makes), and every log line
 * written under a span carries its `trace_id` and `span_id`.
 */
export interface TraceCarrier {
  get(): CarriedFields;
  run<T>(fields: CarriedFields, fn: () => T): T;
}

/**
 * Makes spans and ships them to a collector. The app builds one (`createTracer`) and passes it to
 * the services; with tracing off it is a no-op that costs a function call, and no OpenTelemetry
 * code is loaded.
 */
export interface Tracer {
  /** Whether spans are recorded and exported at all. */
  readonly enabled: boolean;
  startSpan(name: string, options?: StartSpanOptions): Span;
  /**
   * Runs `fn` with `span` as the current span: spans started inside it, in the same call or in
   * anything it awaits, default to it as their parent, and log lines written there carry its
   * `trace_id`, `span_id` and `trace_flags`. Returns what `fn` returns.
   */
  withSpan<T>(span: Span, fn: () => T): T;
  /** Sends every span ended so far. Never rejects. */
  flush(): Promise<void>;
  /** Flushes, within a bounded time, and stops exporting. Never rejects. */
  shutdown(): Promise<void>;
}
