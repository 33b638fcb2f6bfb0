import { createTraceState, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type AttributeValue, type Context, type Span as ApiSpan, type Tracer as ApiTracer } from '@opentelemetry/api';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR } from '../attributes.js';
import { parseTraceparent } from '../parseTraceparent.js';
import type { Span, SpanAttributes, SpanKindName, StartSpanOptions, TraceCarrier, Tracer } from '../Tracer.js';
import type { WatchedExporter } from './WatchedExporter.js';

const KINDS: Readonly<Record<SpanKindName, SpanKind>> = { internal: SpanKind.INTERNAL, server: SpanKind.SERVER, client: SpanKind.CLIENT };

/** The attributes without the `undefined` ones (a loop, not `Object.entries`: this runs for every span). */
function clean(attributes: SpanAttributes | undefined): Attributes | undefined {
  if (attributes === undefined) return undefined;
  const result: Attributes = {};
  for (const name in attributes) {
    const value = attributes[name];
    if (value !== undefined) result[name] = value as AttributeValue;
  }
  return result;
}

/** A span of the SDK behind LocalAgent's `Span`. */
class OtelSpan implements Span {
  readonly recording: boolean;
  readonly traceId: string;
  readonly spanId: string;

  constructor(readonly raw: ApiSpan) {
    const context = raw.spanContext();
    this.traceId = context.traceId;
    this.spanId = context.spanId;
    this.recording = raw.isRecording();
  }

  setAttributes(attributes: SpanAttributes): void {
    if (!this.recording) return;
    for (const name in attributes) {
      const value = attributes[name];
      if (value !== undefined) this.raw.setAttribute(name, value as AttributeValue);
    }
  }

  addEvent(name: string, attributes?: SpanAttributes): void {
    if (this.recording) this.raw.addEvent(name, clean(attributes));
  }

  fail(errorType: string): void {
    if (!this.recording) return;
    this.raw.setAttribute(ATTR.errorType, errorType);
    this.raw.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
  }

  end(): void {
    this.raw.end();
  }
}

export interface OtelTracerOptions {
  provider: BasicTracerProvider;
  /** Keeps the current span's ids (the app's LogContext). */
  carrier: TraceCarrier;
  exporter: WatchedExporter;
  /** `service.version`, also the instrumentation scope's version. */
  version: string;
  /** The longest `shutdown` waits for the last export, in milliseconds. */
  shutdownTimeoutMs: number;
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/**
 * LocalAgent's tracer over the OpenTelemetry SDK. The current span's ids live in the app's
 * LogContext (`trace_id`, `span_id`, `trace_flags`) rather than in a context manager registered
 * with the OpenTelemetry API: nothing global is set, two apps in one process (tests) never share
 * spans, parents are handed to the SDK explicitly, and no second AsyncLocalStorage slows every
 * promise down (measured: +30 % CPU per chat request with one of its own).
 */
export class OtelTracer implements Tracer {
  readonly enabled = true;
  private readonly tracer: ApiTracer;
  private stopped: Promise<void> | undefined;

  constructor(private readonly options: OtelTracerOptions) {
    this.tracer = options.provider.getTracer('localagent', options.version);
  }

  startSpan(name: string, options: StartSpanOptions = {}): Span {
    const raw = this.tracer.startSpan(name, { kind: KINDS[options.kind ?? 'internal'], attributes: clean(options.attributes) }, this.parentOf(options));
    return new OtelSpan(raw);
  }

  withSpan<T>(span: Span, fn: () => T): T {
    if (!(span instanceof OtelSpan)) return fn();
    const { traceFlags } = span.raw.spanContext();
    return this.options.carrier.run({ trace_id: span.traceId, span_id: span.spanId, trace_flags: traceFlags }, fn);
  }

  async flush(): Promise<void> {
    try {
      await this.options.provider.forceFlush();
      // The processor's flush does not wait for an export its timer started; the exporter's does.
      await this.options.exporter.forceFlush();
    } catch {
      // The exporter reports failures itself (once per outage).
    }
  }

  shutdown(): Promise<void> {
    this.stopped ??= (async () => {
      this.options.exporter.beginShutdown();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.shutdownTimeoutMs);
        timer.unref();
      });
      try {
        await Promise.race([this.options.provider.shutdown().catch(() => undefined), deadline]);
      } finally {
        clearTimeout(timer);
      }
    })();
    return this.stopped;
  }

  /** The parent context: the given span, else the caller's traceparent, else the current span, else none. */
  private parentOf(options: StartSpanOptions): Context {
    const { parent } = options;
    if (parent === null) return ROOT_CONTEXT;
    if (parent !== undefined) return parent instanceof OtelSpan ? trace.setSpan(ROOT_CONTEXT, parent.raw) : ROOT_CONTEXT;
    const remote = parseTraceparent(options.traceparent);
    if (remote) {
      const tracestate = options.tracestate !== undefined && options.tracestate.length <= 512 ? createTraceState(options.tracestate) : undefined;
      return trace.setSpanContext(ROOT_CONTEXT, {
        traceId: remote.traceId,
        spanId: remote.spanId,
        traceFlags: remote.flags,
        isRemote: true,
        ...(tracestate ? { traceState: tracestate } : {}),
      });
    }
    return this.currentContext();
  }

  /**
   * The current span as a parent, from the carrier's ids. Only ids this tracer put there count
   * (they come with `trace_flags`); the logger's own `withSpan` ids do not belong to any trace.
   */
  private currentContext(): Context {
    const { trace_id: traceId, span_id: spanId, trace_flags: traceFlags } = this.options.carrier.get();
    if (typeof traceFlags !== 'number' || typeof traceId !== 'string' || typeof spanId !== 'string' || !TRACE_ID.test(traceId) || !SPAN_ID.test(spanId)) return ROOT_CONTEXT;
    return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags });
  }
}
