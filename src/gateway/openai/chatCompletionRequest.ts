import { z } from 'zod';
import type { CallRequest, ChatMessage } from '../../orchestrator/index.js';
import { requestInvalid } from '../errors.js';

const textPart = z.strictObject({ type: z.literal('text'), text: z.string() });
const content = z.union([z.string(), z.array(z.union([textPart, z.looseObject({ type: z.string() })]))]);

const messageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: content.nullable().optional(),
  name: z.string().max(256).optional(),
});

/**
 * The Chat Completions request, as far as LocalAgent serves it. Sampling fields it cannot pass on
 * (top_p, penalties, seed, stop…) are accepted and ignored so unchanged clients keep working;
 * tools and several choices are refused with a clear error; anything else unknown is refused.
 */
export const chatCompletionRequestSchema = z.strictObject({
  model: z.string().min(1).max(1000).describe('A configured model id, or a strategy: `auto`, `fastest`, `cheapest`, `best`, `fallback:a,b`, `race:a,b`.'),
  messages: z.array(messageSchema).min(1).max(10_000),
  stream: z.boolean().nullable().optional(),
  stream_options: z.strictObject({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() }).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  max_tokens: z.number().int().min(1).nullable().optional(),
  max_completion_tokens: z.number().int().min(1).nullable().optional(),
  response_format: z
    .union([
      z.strictObject({ type: z.literal('text') }),
      z.strictObject({ type: z.literal('json_object') }),
      z.strictObject({ type: z.literal('json_schema'), json_schema: z.looseObject({ name: z.string(), schema: z.record(z.string(), z.unknown()).optional() }) }),
    ])
    .optional(),
  n: z.number().int().min(1).nullable().optional(),
  tools: z.array(z.unknown()).optional(),
  tool_choice: z.unknown().optional(),
  functions: z.array(z.unknown()).optional(),
  function_call: z.unknown().optional(),
  parallel_tool_calls: z.boolean().optional(),
  // Accepted and ignored (see above).
  top_p: z.number().nullable().optional(),
  frequency_penalty: z.number().nullable().optional(),
  presence_penalty: z.number().nullable().optional(),
  seed: z.number().int().nullable().optional(),
  stop: z.union([z.string(), z.array(z.string())]).nullable().optional(),
  user: z.string().max(256).optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  store: z.boolean().nullable().optional(),
  logprobs: z.boolean().nullable().optional(),
  top_logprobs: z.number().int().nullable().optional(),
  service_tier: z.string().nullable().optional(),
  reasoning_effort: z.string().nullable().optional(),
  prompt_cache_key: z.string().optional(),
  safety_identifier: z.string().optional(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

function textOf(value: z.infer<typeof content> | null | undefined, index: number): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return value
    .map((part) => {
      if (part.type !== 'text' || typeof part.text !== 'string') throw requestInvalid(`messages[${index}] has a ${part.type} part; only text is supported.`, { field: `messages[${index}].content` });
      return part.text;
    })
    .join('');
}

/** The call the orchestrator makes for an OpenAI request (without the model selection). */
export function toCallRequest(body: ChatCompletionRequest, signal: AbortSignal): CallRequest {
  if (body.tools?.length || body.functions?.length || body.tool_choice !== undefined || body.function_call !== undefined) {
    throw requestInvalid('Tool and function calling are not supported by LocalAgent\'s chat endpoint.', { field: 'tools' });
  }
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw requestInvalid('Only one choice per request is supported (n = 1).', { field: 'n' });
  if (body.logprobs) throw requestInvalid('Log probabilities are not supported.', { field: 'logprobs' });
  const messages: ChatMessage[] = body.messages.map((message, index) => {
    if (message.role === 'tool' || message.role === 'function') throw requestInvalid(`messages[${index}] has role ${message.role}; tool results are not supported.`, { field: `messages[${index}].role` });
    return { role: message.role === 'developer' ? 'system' : message.role, content: textOf(message.content, index) };
  });
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  const format = body.response_format;
  const schema = format?.type === 'json_object' ? { type: 'object' } : format?.type === 'json_schema' ? (format.json_schema.schema ?? { type: 'object' }) : undefined;
  return {
    messages,
    signal,
    taskKind: 'chat',
    ...(body.temperature !== undefined && body.temperature !== null ? { temperature: body.temperature } : {}),
    ...(maxTokens !== undefined ? { maxOutputTokens: maxTokens } : {}),
    ...(schema ? { schema } : {}),
  };
}
