import type { LocalAgentError } from '../../core/errors/index.js';
import { ATTR, type Span, type Tracer } from '../../core/telemetry/index.js';
import type { CallAttempt, CallRequest, ModelSpec, ProviderSpec, Usage } from '../types/index.js';

/** What a call span is started from. */
export interface CallSpanStart {
  spec: ModelSpec;
  provider: ProviderSpec;
  request: CallRequest;
  attempt: CallAttempt | undefined;
  stream: boolean;
}

/** How a call ended, for its span. */
export interface CallSpanEnd {
  outcome: 'success' | 'failure' | 'cancelled' | 'refused';
  error: LocalAgentError | undefined;
  usage: Usage;
  costUsd: number;
  /** Requests sent, retries and the JSON repair included. */
  tries: number;
  /** Whether a request left at all (a refused call sent none, so it has no usage to tell). */
  sent: boolean;
  finishReason: string | undefined;
  responseModel: string | undefined;
  responseId: string | undefined;
  /** Streams: from sending the request to the first text, in milliseconds. */
  firstChunkMs: number | undefined;
}

/**
 * `gen_ai.provider.name` for a provider: the well-known value for the APIs LocalAgent speaks, and
 * the configured name for other OpenAI-compatible servers (OpenRouter, vLLM, a local mock…).
 */
export function genAiProviderName(provider: ProviderSpec): string {
  switch (provider.type) {
    case 'openai':
      return 'openai';
    case 'anthropic':
      return 'anthropic';
    case 'gemini':
      return 'gcp.gemini';
    case 'ollama':
      return 'ollama';
    case 'openai-compatible':
      return provider.name;
  }
}

/** Host and port of the provider's base URL; never its path or credentials. */
function serverOf(baseUrl: string): { address?: string; port?: number } {
  try {
    const url = new URL(baseUrl);
    const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : url.protocol === 'http:' ? 80 : undefined;
    return { address: url.hostname, ...(port !== undefined ? { port } : {}) };
  } catch {
    return {};
  }
}

/**
 * Starts the span of one model call, named `chat <model>` as the GenAI conventions ask, with what
 * was requested: provider, model, limits, strategy and place among its candidates. Never the prompt,
 * the system text or the schema. Undefined when tracing is off.
 */
export function startCallSpan(tracer: Tracer, call: CallSpanStart): Span | undefined {
  if (!tracer.enabled) return undefined;
  const { spec, provider, request, attempt } = call;
  const providerName = genAiProviderName(provider);
  const server = serverOf(provider.baseUrl);
  return tracer.startSpan(`chat ${spec.model}`, {
    kind: 'client',
    attributes: {
      [ATTR.genAiOperationName]: 'chat',
      [ATTR.genAiProviderName]: providerName,
      [ATTR.genAiSystem]: providerName,
      [ATTR.genAiRequestModel]: spec.model,
      [ATTR.genAiRequestMaxTokens]: request.maxOutputTokens,
      [ATTR.genAiRequestTemperature]: request.temperature,
      [ATTR.genAiRequestStream]: call.stream,
      [ATTR.genAiOutputType]: request.schema ? 'json' : 'text',
      [ATTR.serverAddress]: server.address,
      [ATTR.serverPort]: server.port,
      [ATTR.model]: spec.id,
      [ATTR.provider]: provider.name,
      [ATTR.strategy]: attempt?.strategy,
      [ATTR.attempt]: attempt?.attempt,
      [ATTR.taskKindOfCall]: request.taskKind,
      [ATTR.runId]: request.runId,
    },
  });
}

/** Ends a call span with what came back: usage, cost, finish reason, or the error's code. */
export function endCallSpan(span: Span | undefined, end: CallSpanEnd): void {
  if (span === undefined) return;
  if (span.recording) {
    span.setAttributes({
      [ATTR.outcome]: end.outcome,
      [ATTR.tries]: end.tries,
      [ATTR.costUsd]: end.costUsd,
      // A failed request reports no usage; a 0 there would read as a measured one.
      [ATTR.genAiUsageInputTokens]: end.sent && (end.outcome === 'success' || end.usage.inputTokens > 0) ? end.usage.inputTokens : undefined,
      [ATTR.genAiUsageOutputTokens]: end.sent && (end.outcome === 'success' || end.usage.outputTokens > 0) ? end.usage.outputTokens : undefined,
      [ATTR.genAiResponseModel]: end.responseModel,
      [ATTR.genAiResponseId]: end.responseId,
      // The SDK's `content-filter` is the conventions' `content_filter`.
      [ATTR.genAiResponseFinishReasons]: end.finishReason !== undefined ? [end.finishReason.replaceAll('-', '_')] : undefined,
      [ATTR.genAiResponseTimeToFirstChunk]: end.firstChunkMs !== undefined ? end.firstChunkMs / 1000 : undefined,
    });
    // A cancellation (the caller gave up, or lost a race) is a decision, not a failure of the call.
    if (end.error !== undefined && end.outcome !== 'cancelled') span.fail(end.error.code);
  }
  span.end();
}

/** Marks a failed request inside a call that may be retried (`error.type` and the try's number). */
export function noteFailedTry(span: Span | undefined, error: LocalAgentError, tryNumber: number): void {
  if (span?.recording) span.addEvent('request failed', { [ATTR.errorType]: error.code, [ATTR.tries]: tryNumber });
}
