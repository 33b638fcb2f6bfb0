import { isRecord, textOfContent } from '../text.js';
import {
  bearerToken,
  positiveInt,
  sseFrame,
  type Answer,
  type ErrorFacts,
  type ErrorKind,
  type ParsedCall,
  type Protocol,
  type ProtocolError,
} from './Protocol.js';

/**
 * OpenAI's error body, `{ error: { message, type, param, code } }`, with the status codes and
 * messages the real API uses. Shared by Chat Completions, the Responses API and `/v1/models`.
 */
export function openaiError(kind: ErrorKind, facts: ErrorFacts = {}, contextParam = 'messages'): ProtocolError {
  const make = (status: number, message: string, type: string, code: string | null, param: string | null = null): ProtocolError => ({
    status,
    body: { error: { message: facts.message ?? message, type, param, code } },
  });
  switch (kind) {
    case 'missing_key':
      return make(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        'invalid_request_error',
        null,
      );
    case 'unauthorized':
      return make(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    case 'rate_limit':
      return make(429, `Rate limit reached for ${facts.model ?? 'this model'}. Please try again later.`, 'requests', 'rate_limit_exceeded');
    case 'server_error':
      return make(500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null);
    case 'overloaded':
      return make(503, 'The engine is currently overloaded, please try again later.', 'server_error', 'overloaded');
    case 'bad_request':
      return make(400, 'The request is invalid.', 'invalid_request_error', null);
    case 'context_length': {
      const window = facts.contextWindow ?? 8192;
      const used = Math.max(facts.promptTokens ?? 0, window + 1);
      const message =
        contextParam === 'input'
          ? `Your input exceeds the context window of this model (${window} tokens; the input has ${used}). Please adjust your input and try again.`
          : `This model's maximum context length is ${window} tokens. However, your messages resulted in ${used} tokens. Please reduce the length of the messages.`;
      return make(400, message, 'invalid_request_error', 'context_length_exceeded', contextParam);
    }
    case 'not_found':
      return make(404, 'Invalid URL: this path does not exist on the mock server.', 'invalid_request_error', null);
    case 'method_not_allowed':
      return make(405, 'Method not allowed on this path.', 'invalid_request_error', null);
    case 'too_large':
      return make(413, 'The request body is too large.', 'invalid_request_error', null);
  }
}

function finishReason(answer: Answer): string {
  return answer.truncated ? 'length' : 'stop';
}

function usage(answer: Answer): Record<string, unknown> {
  return {
    prompt_tokens: answer.promptTokens,
    completion_tokens: answer.completionTokens,
    total_tokens: answer.promptTokens + answer.completionTokens,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

function chunk(answer: Answer, choices: unknown[], extra: Record<string, unknown> = {}): string {
  return sseFrame({
    id: answer.id,
    object: 'chat.completion.chunk',
    created: answer.created,
    model: answer.model,
    system_fingerprint: 'fp_mock',
    choices,
    ...extra,
  });
}

/** `POST /v1/chat/completions`, as OpenAI and every OpenAI-compatible server speak it. */
export const openaiChatProtocol: Protocol = {
  name: 'openai-chat',
  streamContentType: 'text/event-stream; charset=utf-8',

  presentedKey: (headers) => bearerToken(headers),

  parse(body): ParsedCall | string {
    if (!isRecord(body)) return 'The request body must be a JSON object.';
    if (typeof body.model !== 'string' || body.model.length === 0) return 'You must provide a model parameter.';
    if (!Array.isArray(body.messages) || body.messages.length === 0) return "'messages' is a required property and must not be empty.";
    const messages = body.messages.filter(isRecord);
    const lastUser = messages.filter((m) => m.role === 'user').at(-1);
    return {
      model: body.model,
      stream: body.stream === true,
      promptTexts: messages.map((m) => textOfContent(m.content)),
      lastUserText: lastUser ? textOfContent(lastUser.content) : '',
      maxTokens: positiveInt(body.max_completion_tokens) ?? positiveInt(body.max_tokens),
      includeUsage: isRecord(body.stream_options) && body.stream_options.include_usage === true,
    };
  },

  error: (kind, facts) => openaiError(kind, facts),

  json(answer) {
    return {
      id: answer.id,
      object: 'chat.completion',
      created: answer.created,
      model: answer.model,
      system_fingerprint: 'fp_mock',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: answer.text, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: finishReason(answer),
        },
      ],
      usage: usage(answer),
    };
  },

  streamHead: (answer) => [chunk(answer, [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }])],

  streamDelta: (answer, delta) => chunk(answer, [{ index: 0, delta: { content: delta }, logprobs: null, finish_reason: null }]),

  streamTail(answer, call) {
    const frames = [chunk(answer, [{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason(answer) }])];
    if (call.includeUsage) frames.push(chunk(answer, [], { usage: usage(answer) }));
    frames.push(sseFrame('[DONE]'));
    return frames;
  },
};
