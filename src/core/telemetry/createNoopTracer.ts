import type { Span, Tracer } from './Tracer.js';

/** The tracer when tracing is off: every span is the same inert one, and nothing is loaded or kept. */
export function createNoopTracer(): Tracer {
  const span: Span = {
    recording: false,
    traceId: '',
    spanId: '',
    setAttributes: () => undefined,
    addEvent: () => undefined,
    fail: () => undefined,
    end: () => undefined,
  };
  return {
    enabled: false,
    startSpan: () => span,
    withSpan: (_span, fn) => fn(),
    flush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
