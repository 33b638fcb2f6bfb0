import type { IncomingHttpHeaders } from 'node:http';

/** The wire protocols the mock speaks. */
export type ProtocolName = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

/** What the server needs to know about one generation request, whatever its protocol. */
export interface ParsedCall {
  /** The model the request names. */
  model: string;
  /** Whether the client asked for a stream. */
  stream: boolean;
  /** Each message's text (system included), for prompt token counting. */
  promptTexts: string[];
  /** The last user message's text, answered by `reply: echo`. */
  lastUserText: string;
  /** The output token cap the request set, if any. */
  maxTokens: number | undefined;
  /** OpenAI chat streams: whether a usage chunk was asked for (`stream_options.include_usage`). */
  includeUsage: boolean;
}

/** One answer, the same for every protocol; the protocol only renders it. */
export interface Answer {
  /** Provider-style id (`chatcmpl-…`, `msg_…`, …) from a per-server counter, so it is deterministic. */
  id: string;
  /** Id of the answer's one output item (Responses API `msg_…`). */
  itemId: string;
  /** Unix seconds. */
  created: number;
  model: string;
  /** The whole text answered (after any `max_tokens` truncation). */
  text: string;
  promptTokens: number;
  completionTokens: number;
  /** The text was cut at the request's output token cap. */
  truncated: boolean;
  /** Numbers the events of one stream, for protocols that number them (Responses API `sequence_number`). */
  sequence: { next: number };
}

/** The provider-style HTTP errors the mock can answer with. */
export type ErrorKind =
  | 'missing_key'
  | 'unauthorized'
  | 'rate_limit'
  | 'server_error'
  | 'overloaded'
  | 'bad_request'
  | 'context_length'
  | 'not_found'
  | 'method_not_allowed'
  | 'too_large';

/** Facts an error message may mention. */
export interface ErrorFacts {
  /** Replaces the default message. */
  message?: string;
  /** `context_length`: the window claimed. */
  contextWindow?: number;
  /** `context_length`: the prompt size claimed. */
  promptTokens?: number;
  model?: string;
}

/** A rendered HTTP error. */
export interface ProtocolError {
  status: number;
  body: unknown;
}

/** How one provider's wire format looks. Implementations are stateless objects. */
export interface Protocol {
  readonly name: ProtocolName;
  /** The API key the request presents in this provider's way, if any. */
  presentedKey(headers: IncomingHttpHeaders, url: URL): string | undefined;
  /** Reads a request body; a string is a problem to answer with 400. */
  parse(body: unknown, url: URL, pathModel: string | undefined): ParsedCall | string;
  /** An error in this provider's shape. */
  error(kind: ErrorKind, facts?: ErrorFacts): ProtocolError;
  /** The non-streaming response body. */
  json(answer: Answer): unknown;
  /** Content type of the stream. */
  readonly streamContentType: string;
  /** SSE frames before the first text delta. */
  streamHead(answer: Answer): string[];
  /** The SSE frame carrying one text delta. */
  streamDelta(answer: Answer, delta: string): string;
  /** SSE frames after the last text delta. */
  streamTail(answer: Answer, call: ParsedCall): string[];
}

/** One SSE frame: `event:` (when named) and `data:` lines, then a blank line. */
export function sseFrame(data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`;
}

/** The value of a header that may repeat, as one string. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The token of an `Authorization: Bearer …` header. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const value = headerValue(headers, 'authorization');
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match?.[1];
}

/** A positive integer from a request field, or undefined. */
export function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
