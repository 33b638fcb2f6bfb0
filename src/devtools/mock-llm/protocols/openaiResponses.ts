import { isRecord, textOfContent } from '../text.js';
import { openaiError } from './openaiChat.js';
import { bearerToken, positiveInt, sseFrame, type Answer, type ParsedCall, type Protocol } from './Protocol.js';

function usage(answer: Answer): Record<string, unknown> {
  return {
    input_tokens: answer.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: answer.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: answer.promptTokens + answer.completionTokens,
  };
}

function outputText(answer: Answer): Record<string, unknown> {
  return { type: 'output_text', text: answer.text, annotations: [], logprobs: [] };
}

function messageItem(answer: Answer, status: 'in_progress' | 'completed'): Record<string, unknown> {
  return {
    type: 'message',
    id: answer.itemId,
    status,
    role: 'assistant',
    content: status === 'completed' ? [outputText(answer)] : [],
  };
}

function responseObject(answer: Answer, phase: 'in_progress' | 'final'): Record<string, unknown> {
  const final = phase === 'final';
  return {
    id: answer.id,
    object: 'response',
    created_at: answer.created,
    status: final ? (answer.truncated ? 'incomplete' : 'completed') : 'in_progress',
    error: null,
    incomplete_details: final && answer.truncated ? { reason: 'max_output_tokens' } : null,
    model: answer.model,
    output: final ? [messageItem(answer, 'completed')] : [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: false,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: final ? usage(answer) : null,
    metadata: {},
  };
}

/** A named Responses API event with the next `sequence_number`. */
function event(answer: Answer, type: string, fields: Record<string, unknown>): string {
  const sequence_number = answer.sequence.next;
  answer.sequence.next += 1;
  return sseFrame({ type, sequence_number, ...fields }, type);
}

/**
 * `POST /v1/responses`, the OpenAI Responses API. `@ai-sdk/openai` v3 sends `openai(model)` here
 * (only `openai.chat(model)` uses Chat Completions), so the mock must speak it.
 */
export const openaiResponsesProtocol: Protocol = {
  name: 'openai-responses',
  streamContentType: 'text/event-stream; charset=utf-8',

  presentedKey: (headers) => bearerToken(headers),

  parse(body): ParsedCall | string {
    if (!isRecord(body)) return 'The request body must be a JSON object.';
    if (typeof body.model !== 'string' || body.model.length === 0) return 'You must provide a model parameter.';
    const input = body.input;
    let items: Record<string, unknown>[];
    if (typeof input === 'string') items = [{ role: 'user', content: input }];
    else if (Array.isArray(input)) items = input.filter(isRecord);
    else return "'input' is a required property (a string or a list of input items).";
    const texts = items.map((item) => (typeof item.output === 'string' ? item.output : textOfContent(item.content)));
    const lastUser = items.filter((item) => item.role === 'user').at(-1);
    return {
      model: body.model,
      stream: body.stream === true,
      promptTexts: typeof body.instructions === 'string' ? [body.instructions, ...texts] : texts,
      lastUserText: lastUser ? textOfContent(lastUser.content) : '',
      maxTokens: positiveInt(body.max_output_tokens),
      includeUsage: true,
    };
  },

  error: (kind, facts) => openaiError(kind, facts, 'input'),

  json: (answer) => responseObject(answer, 'final'),

  streamHead: (answer) => [
    event(answer, 'response.created', { response: responseObject(answer, 'in_progress') }),
    event(answer, 'response.in_progress', { response: responseObject(answer, 'in_progress') }),
    event(answer, 'response.output_item.added', { output_index: 0, item: messageItem(answer, 'in_progress') }),
    event(answer, 'response.content_part.added', {
      item_id: answer.itemId,
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    }),
  ],

  streamDelta: (answer, delta) =>
    event(answer, 'response.output_text.delta', { item_id: answer.itemId, output_index: 0, content_index: 0, delta, logprobs: [] }),

  streamTail: (answer) => [
    event(answer, 'response.output_text.done', { item_id: answer.itemId, output_index: 0, content_index: 0, text: answer.text, logprobs: [] }),
    event(answer, 'response.content_part.done', {
      item_id: answer.itemId,
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: answer.text, annotations: [] },
    }),
    event(answer, 'response.output_item.done', { output_index: 0, item: messageItem(answer, 'completed') }),
    event(answer, answer.truncated ? 'response.incomplete' : 'response.completed', { response: responseObject(answer, 'final') }),
  ],
};
