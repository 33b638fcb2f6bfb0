/**
 * Tracing: the `Tracer` and `Span` interfaces services use, a no-op tracer, and `createTracer`,
 * which the app calls once. The OpenTelemetry SDK lives under `otel/` and is loaded only when
 * tracing is on. See docs/observability.md.
 */
export type { Span, SpanAttributes, SpanAttributeValue, SpanKindName, StartSpanOptions, Tracer } from './Tracer.js';
export { createNoopTracer } from './createNoopTracer.js';
export { createTracer, type CreateTracerOptions } from './createTracer.js';
export { readTelemetryConfig, SAMPLER_NAMES, type SamplerName, type TelemetryConfig, type TelemetrySettings, type TelemetryOff, type BatchSettings } from './readTelemetryConfig.js';
export { parseTraceparent, type RemoteParent } from './parseTraceparent.js';
export { ATTR } from './attributes.js';
