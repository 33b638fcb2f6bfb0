import { isRecord, textOfContent } from '../text.js';
import { bearerToken, headerValue, positiveInt, sseFrame, type Answer, type ErrorFacts, type ErrorKind, type ParsedCall, type Protocol, type ProtocolError } from './Protocol.js';

/** Anthropic's error body, `{ type: 'error', error: { type, message } }`, with its status codes (529 = overloaded). */
export function anthropicError(kind: ErrorKind, facts: ErrorFacts = {}): ProtocolError {
  const make = (status: number, type: string, message: string): ProtocolError => ({
    status,
    body: { type: 'error', error: { type, message: facts.message ?? message } },
  });
  switch (kind) {
    case 'missing_key':
      return make(401, 'authentication_error', 'x-api-key header is required');
    case 'unauthorized':
      return make(401, 'authentication_error', 'invalid x-api-key');
    case 'rate_limit':
      return make(429, 'rate_limit_error', 'This request would exceed the rate limit for your organization. Please try again later.');
    case 'server_error':
      return make(500, 'api_error', 'Internal server error');
    case 'overloaded':
      return make(529, 'overloaded_error', 'Overloaded');
    case 'bad_request':
      return make(400, 'invalid_request_error', 'The request is invalid.');
    case 'context_length': {
      const window = facts.contextWindow ?? 8192;
      const used = Math.max(facts.promptTokens ?? 0, window + 1);
      return make(400, 'invalid_request_error', `prompt is too long: ${used} tokens > ${window} maximum`);
    }
    case 'not_found':
      return make(404, 'not_found_error', 'Not found: this path does not exist on the mock server.');
    case 'method_not_allowed':
      return make(405, 'invalid_request_error', 'Method not allowed on this path.');
    case 'too_large':
      return make(413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.');
  }
}

function stopReason(answer: Answer): string {
  return answer.truncated ? 'max_tokens' : 'end_turn';
}

function usage(answer: Answer, outputTokens: number): Record<string, unknown> {
  return { input_tokens: answer.promptTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outputTokens };
}

/** `POST /v1/messages`, Anthropic's Messages API. */
export const anthropicProtocol: Protocol = {
  name: 'anthropic',
  streamContentType: 'text/event-stream; charset=utf-8',

  // `x-api-key` normally; `Authorization: Bearer` is Anthropic's OAuth token form (`authToken` in the AI SDK).
  presentedKey: (headers) => headerValue(headers, 'x-api-key') ?? bearerToken(headers),

  parse(body): ParsedCall | string {
    if (!isRecord(body)) return 'The request body must be a JSON object.';
    if (typeof body.model !== 'string' || body.model.length === 0) return 'model: Field required';
    if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: Field required (at least one message)';
    const messages = body.messages.filter(isRecord);
    const lastUser = messages.filter((m) => m.role === 'user').at(-1);
    const system = textOfContent(body.system);
    const texts = messages.map((m) => textOfContent(m.content));
    return {
      model: body.model,
      stream: body.stream === true,
      promptTexts: system.length > 0 ? [system, ...texts] : texts,
      lastUserText: lastUser ? textOfContent(lastUser.content) : '',
      maxTokens: positiveInt(body.max_tokens),
      includeUsage: true,
    };
  },

  error: anthropicError,

  json(answer) {
    return {
      id: answer.id,
      type: 'message',
      role: 'assistant',
      model: answer.model,
      content: [{ type: 'text', text: answer.text }],
      stop_reason: stopReason(answer),
      stop_sequence: null,
      usage: usage(answer, answer.completionTokens),
    };
  },

  streamHead: (answer) => [
    sseFrame(
      {
        type: 'message_start',
        message: {
          id: answer.id,
          type: 'message',
          role: 'assistant',
          model: answer.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: usage(answer, 1),
        },
      },
      'message_start',
    ),
    sseFrame({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'),
    sseFrame({ type: 'ping' }, 'ping'),
  ],

  streamDelta: (_answer, delta) => sseFrame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: delta } }, 'content_block_delta'),

  streamTail: (answer) => [
    sseFrame({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
    sseFrame(
      { type: 'message_delta', delta: { stop_reason: stopReason(answer), stop_sequence: null }, usage: usage(answer, answer.completionTokens) },
      'message_delta',
    ),
    sseFrame({ type: 'message_stop' }, 'message_stop'),
  ],
};
