import { randomUUID } from 'node:crypto';
import type { CallResult } from '../../orchestrator/index.js';

/** OpenAI's finish reasons from the AI SDK's. */
export function finishReasonOf(reason: string | undefined): 'stop' | 'length' | 'content_filter' | 'tool_calls' {
  switch (reason) {
    case 'length':
      return 'length';
    case 'content-filter':
      return 'content_filter';
    case 'tool-calls':
      return 'tool_calls';
    default:
      return 'stop';
  }
}

/** A unique id; randomUUID draws from a pooled buffer, a fresh randomBytes call per request did not. */
export function completionId(): string {
  return `chatcmpl-${randomUUID().replaceAll('-', '')}`;
}

export function usageOf(result: CallResult): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  return { prompt_tokens: result.usage.inputTokens, completion_tokens: result.usage.outputTokens, total_tokens: result.usage.inputTokens + result.usage.outputTokens };
}

/** A `chat.completion` object, with LocalAgent's facts (provider, cost, how the model was chosen) under `localagent`. */
export function chatCompletion(result: CallResult, extra: Record<string, unknown>): { id: string; object: 'chat.completion'; [field: string]: unknown } {
  return {
    id: completionId(),
    object: 'chat.completion' as const,
    created: Math.floor(Date.now() / 1000),
    model: result.model,
    choices: [{ index: 0, message: { role: 'assistant', content: result.text, refusal: null }, logprobs: null, finish_reason: finishReasonOf(result.finishReason) }],
    usage: usageOf(result),
    system_fingerprint: null,
    localagent: { provider: result.provider, cost_usd: result.costUsd, latency_ms: Math.round(result.latencyMs), attempts: result.attempts, ...extra },
  };
}

/** One `chat.completion.chunk` as an SSE line. */
export function chunkLine(id: string, created: number, model: string, choice: Record<string, unknown> | undefined, usage?: ReturnType<typeof usageOf>): string {
  const chunk = {
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: choice ? [{ index: 0, logprobs: null, ...choice }] : [],
    system_fingerprint: null,
    ...(usage ? { usage } : {}),
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}
