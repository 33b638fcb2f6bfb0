import { isRecord, textOfContent } from '../text.js';
import { headerValue, positiveInt, sseFrame, type Answer, type ErrorFacts, type ErrorKind, type ParsedCall, type Protocol, type ProtocolError } from './Protocol.js';

/** Google's error body, `{ error: { code, message, status, details? } }`. */
export function geminiError(kind: ErrorKind, facts: ErrorFacts = {}): ProtocolError {
  const make = (status: number, rpcStatus: string, message: string, details?: unknown[]): ProtocolError => ({
    status,
    body: { error: { code: status, message: facts.message ?? message, status: rpcStatus, ...(details ? { details } : {}) } },
  });
  const keyInvalid = [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }];
  switch (kind) {
    case 'missing_key':
      // Google answers 403 PERMISSION_DENIED here; the mock uses 401 so "no key" and "bad key" look alike to clients.
      return make(401, 'UNAUTHENTICATED', "Method doesn't allow unregistered callers. Please use an API key.");
    case 'unauthorized':
      return make(401, 'UNAUTHENTICATED', 'API key not valid. Please pass a valid API key.', keyInvalid);
    case 'rate_limit':
      return make(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).');
    case 'server_error':
      return make(500, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
    case 'overloaded':
      return make(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
    case 'bad_request':
      return make(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.');
    case 'context_length': {
      const window = facts.contextWindow ?? 8192;
      const used = Math.max(facts.promptTokens ?? 0, window + 1);
      return make(400, 'INVALID_ARGUMENT', `The input token count (${used}) exceeds the maximum number of tokens allowed (${window}).`);
    }
    case 'not_found':
      return make(404, 'NOT_FOUND', 'Requested entity was not found.');
    case 'method_not_allowed':
      return make(405, 'UNIMPLEMENTED', 'Method not allowed on this path.');
    case 'too_large':
      return make(413, 'INVALID_ARGUMENT', 'Request payload size exceeds the limit.');
  }
}

function finishReason(answer: Answer): string {
  return answer.truncated ? 'MAX_TOKENS' : 'STOP';
}

function usage(answer: Answer): Record<string, unknown> {
  return {
    promptTokenCount: answer.promptTokens,
    candidatesTokenCount: answer.completionTokens,
    totalTokenCount: answer.promptTokens + answer.completionTokens,
  };
}

function chunk(answer: Answer, text: string, final: boolean): Record<string, unknown> {
  return {
    candidates: [{ content: { parts: [{ text }], role: 'model' }, ...(final ? { finishReason: finishReason(answer) } : {}), index: 0 }],
    ...(final ? { usageMetadata: usage(answer) } : {}),
    modelVersion: answer.model,
    responseId: answer.id,
  };
}

/** `POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent?alt=sse`, the Gemini API. */
export const geminiProtocol: Protocol = {
  name: 'gemini',
  streamContentType: 'text/event-stream',

  presentedKey: (headers, url) => headerValue(headers, 'x-goog-api-key') ?? url.searchParams.get('key') ?? undefined,

  parse(body, url, pathModel): ParsedCall | string {
    const stream = url.pathname.endsWith(':streamGenerateContent');
    if (stream && url.searchParams.get('alt') !== 'sse') {
      return 'The mock streams Gemini answers as server-sent events only; add ?alt=sse.';
    }
    if (!isRecord(body)) return 'Invalid JSON payload: the body must be a JSON object.';
    if (!Array.isArray(body.contents) || body.contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified';
    const contents = body.contents.filter(isRecord);
    const lastUser = contents.filter((c) => c.role === 'user' || c.role === undefined).at(-1);
    const system = isRecord(body.systemInstruction) ? textOfContent(body.systemInstruction.parts) : '';
    const texts = contents.map((c) => textOfContent(c.parts));
    return {
      model: pathModel ?? '',
      stream,
      promptTexts: system.length > 0 ? [system, ...texts] : texts,
      lastUserText: lastUser ? textOfContent(lastUser.parts) : '',
      maxTokens: isRecord(body.generationConfig) ? positiveInt(body.generationConfig.maxOutputTokens) : undefined,
      includeUsage: true,
    };
  },

  error: geminiError,

  json: (answer) => chunk(answer, answer.text, true),

  streamHead: () => [],

  streamDelta: (answer, delta) => sseFrame(chunk(answer, delta, false)),

  // Gemini marks the end with a chunk carrying finishReason and the usage; an empty text part adds nothing.
  streamTail: (answer) => [sseFrame(chunk(answer, '', true))],
};
