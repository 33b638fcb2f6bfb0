import { APICallError, AISDKError } from '@ai-sdk/provider';
import { RetryError } from 'ai';
import {
  AuthenticationError,
  InternalError,
  LocalAgentError,
  NetworkError,
  OperationCancelledError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitError,
  TimeoutError,
} from '../../core/errors/index.js';
import { who, type CallTarget } from './errors.js';
import { parseRetryAfterMs } from './retryAfter.js';

export interface MapErrorContext extends CallTarget {
  /** Removes secrets (the provider's key above all) from provider text repeated in messages. */
  scrub?: ((text: string) => string) | undefined;
  now?: (() => number) | undefined;
}

/** Socket-level failure codes (Node, undici) that mean "the connection failed or broke". */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'ConnectionRefused',
  'ConnectionClosed',
  'FailedToOpenSocket',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
/** What undici and Node say when a connection dies mid-response. */
const NETWORK_MESSAGES = /fetch failed|failed to fetch|terminated|other side closed|socket hang up|network error|connection (was )?(reset|closed|refused)/i;

/**
 * Context-window overflows as the big APIs word them: OpenAI ("maximum context length"), Anthropic
 * ("prompt is too long", "max_tokens … exceeds"), Gemini ("input token count … exceeds the maximum
 * number of tokens"), and the OpenAI-compatible servers that copy one of them.
 */
const CONTEXT_MESSAGES =
  /context[ _-]?(length|window)|maximum context|too long|too many tokens|max(imum)?[ _-]?tokens|token count .*exceeds|exceeds the (maximum|max) number of tokens|reduce the length/i;

const MAX_QUOTED = 300;

/**
 * Turns whatever a provider call threw into a `LocalAgentError` that says which provider and model,
 * what happened, and how to treat it:
 *
 * - 401/403 (and Gemini's "API key not valid" 400, 402 payment required) → `AuthenticationError` (permanent)
 * - 429 → `RateLimitError` (transient) with `retryAfterMs` from `retry-after-ms` / `retry-after`;
 *   OpenAI's `insufficient_quota` 429 is permanent (waiting does not refill a quota)
 * - 408 → `TimeoutError`; 409, 5xx, 529 → `ProviderUnavailableError` (transient)
 * - 404 → `LA_PROVIDER_NOT_FOUND`; context overflows → `LA_CONTEXT_LENGTH`; other 4xx →
 *   `LA_PROVIDER_BAD_REQUEST` (all permanent)
 * - connection failures and broken streams → `NetworkError` (socket timeouts → `TimeoutError`)
 * - malformed responses → `LA_PROVIDER_BAD_RESPONSE` (transient: usually a proxy or a cut-off body)
 * - an abort → `OperationCancelledError` (callers check their own signals first, to tell timeouts apart)
 *
 * Provider text is scrubbed of secrets and cut short; the raw SDK error is not kept as `cause`
 * (its response body may echo credentials) — a scrubbed summary is.
 */
export function toProviderError(thrown: unknown, ctx: MapErrorContext): LocalAgentError {
  if (thrown instanceof LocalAgentError) return thrown;
  const scrub = ctx.scrub ?? ((text: string) => text);
  const error = RetryError.isInstance(thrown) ? thrown.lastError : thrown;
  const cause = summarise(error, scrub);
  const base = { provider: ctx.provider, cause, details: { model: ctx.model } };

  if (APICallError.isInstance(error) && error.statusCode !== undefined && error.statusCode >= 400) {
    return fromStatus(error, error.statusCode, ctx, scrub, cause);
  }
  if (isAbort(error)) {
    return new OperationCancelledError({ message: `The call to ${who(ctx)} was cancelled.`, cause, details: { provider: ctx.provider, model: ctx.model } });
  }
  const network = findNetworkCode(error);
  const chain = error instanceof Error ? messageChain(error) : '';
  if (network !== undefined || NETWORK_MESSAGES.test(chain)) {
    if (network !== undefined && TIMEOUT_CODES.has(network)) {
      return new TimeoutError({ ...base, message: `The connection to ${who(ctx)} timed out (${network}).` });
    }
    return new NetworkError({
      ...base,
      message: `The connection to ${who(ctx)} failed${network ? ` (${network})` : ''}: ${quote(scrub(chain))}.`,
    });
  }
  const providerObject = providerErrorObject(error);
  if (providerObject) return fromProviderObject(providerObject, ctx, scrub, cause);
  if (AISDKError.isInstance(error)) {
    return new ProviderError({
      ...base,
      code: 'LA_PROVIDER_BAD_RESPONSE',
      category: 'transient',
      message: `${who(ctx)} sent a response LocalAgent could not read: ${quote(scrub(error.message))}.`,
      suggestion: 'Check that base_url points at the provider itself (not a login page or proxy error page); retry, or configure a fallback model.',
    });
  }
  return new InternalError({
    message: `Unexpected error calling ${who(ctx)}: ${quote(scrub(error instanceof Error ? error.message : String(error)))}`,
    cause,
    details: { provider: ctx.provider, model: ctx.model },
  });
}

function fromStatus(error: APICallError, status: number, ctx: MapErrorContext, scrub: (t: string) => string, cause: Error): LocalAgentError {
  const body = parseBody(error);
  const said = quote(scrub(body.message ?? error.message));
  const base = { provider: ctx.provider, status, cause, details: { model: ctx.model, ...(body.code ? { provider_code: scrub(body.code) } : {}) } };
  const name = ctx.provider;

  if (status === 401 || status === 403 || (status === 400 && /API[_ ]KEY[_ ]INVALID|API key not valid/i.test(`${body.code ?? ''} ${body.message ?? ''}`))) {
    return new AuthenticationError({
      ...base,
      message: `${who(ctx)} refused the API key (HTTP ${status}): ${said}.`,
      suggestion: `Check that the key for "${name}" is valid and allowed to use this model; store a new one with \`localagent config set-key ${name}\`.`,
    });
  }
  if (status === 402) {
    return new AuthenticationError({
      ...base,
      message: `${who(ctx)} refused the request for the account's billing (HTTP 402): ${said}.`,
      suggestion: `Check the billing and credits of the "${name}" account, or configure a fallback model.`,
    });
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(error.responseHeaders, ctx.now?.());
    if (body.code === 'insufficient_quota') {
      return new RateLimitError({
        ...base,
        category: 'permanent',
        message: `${who(ctx)} refused the request: the account's quota is used up (HTTP 429): ${said}.`,
        suggestion: `Check the plan and billing of the "${name}" account, or configure a fallback model.`,
      });
    }
    return new RateLimitError({
      ...base,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      message: `${who(ctx)} is rate limiting requests (HTTP 429${retryAfterMs !== undefined ? `, retry after ${retryAfterMs} ms` : ''}): ${said}.`,
    });
  }
  if (status === 408) {
    return new TimeoutError({ ...base, message: `${who(ctx)} timed out handling the request (HTTP 408): ${said}.` });
  }
  if (status === 409 || status >= 500) {
    return new ProviderUnavailableError({
      ...base,
      message: `${who(ctx)} failed with HTTP ${status}${status === 529 || body.code === 'overloaded_error' ? ' (overloaded)' : ''}: ${said}.`,
    });
  }
  if (status === 413 || body.code === 'context_length_exceeded' || CONTEXT_MESSAGES.test(body.message ?? error.message)) {
    return contextLength(ctx, status, said, base);
  }
  if (status === 404) {
    return new ProviderError({
      ...base,
      code: 'LA_PROVIDER_NOT_FOUND',
      message: `${who(ctx)} answered HTTP 404: ${said}.`,
      suggestion: `Check the model name in config and providers.${name}.base_url (including its version path); for Ollama, pull the model first (\`ollama pull <model>\`).`,
    });
  }
  return new ProviderError({
    ...base,
    code: 'LA_PROVIDER_BAD_REQUEST',
    message: `${who(ctx)} rejected the request (HTTP ${status}): ${said}.`,
    suggestion: 'Check the request settings (temperature, maximum output tokens, schema) against what this model accepts; retrying the same request will not help.',
  });
}

function contextLength(
  ctx: MapErrorContext,
  status: number | undefined,
  said: string,
  base: { provider: string; cause: Error; details: Record<string, unknown> },
): ProviderError {
  return new ProviderError({
    ...base,
    ...(status !== undefined ? { status } : {}),
    code: 'LA_CONTEXT_LENGTH',
    category: 'permanent',
    message: `The request is too long for ${who(ctx)}${status !== undefined ? ` (HTTP ${status})` : ''}: ${said}.`,
    suggestion: 'Shorten the prompt or the conversation, lower the maximum output tokens, or use a model with a larger context window.',
  });
}

/**
 * An error reported inside a stream (Anthropic sends `event: error` with `{ type: 'overloaded_error' }`
 * after a 200) arrives as the provider's plain error object, not as an HTTP error.
 */
function fromProviderObject(
  object: { type: string; message?: string },
  ctx: MapErrorContext,
  scrub: (t: string) => string,
  cause: Error,
): LocalAgentError {
  const said = quote(scrub(object.message ?? object.type));
  const base = { provider: ctx.provider, cause, details: { model: ctx.model, provider_code: object.type } };
  switch (object.type) {
    case 'overloaded_error':
    case 'api_error':
    case 'server_error':
      return new ProviderUnavailableError({ ...base, message: `${who(ctx)} failed mid-response (${object.type}): ${said}.` });
    case 'rate_limit_error':
      return new RateLimitError({ ...base, message: `${who(ctx)} is rate limiting requests: ${said}.` });
    case 'authentication_error':
    case 'permission_error':
      return new AuthenticationError({ ...base, message: `${who(ctx)} refused the API key: ${said}.` });
    default:
      if (CONTEXT_MESSAGES.test(object.message ?? '')) return contextLength(ctx, undefined, said, base);
      return new ProviderError({
        ...base,
        code: 'LA_PROVIDER_BAD_REQUEST',
        message: `${who(ctx)} reported an error (${object.type}): ${said}.`,
        suggestion: 'Check the request settings against what this model accepts; retrying the same request will not help.',
      });
  }
}

/** The message and code inside an error body, whichever API's shape it has. */
function parseBody(error: APICallError): { message?: string; code?: string } {
  let body: unknown = error.data;
  if (body === undefined && typeof error.responseBody === 'string') {
    try {
      body = JSON.parse(error.responseBody) as unknown;
    } catch {
      return { message: error.responseBody.trim() || error.message };
    }
  }
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  const inner = typeof record['error'] === 'object' && record['error'] !== null ? (record['error'] as Record<string, unknown>) : record;
  const message = typeof inner['message'] === 'string' ? inner['message'] : typeof record['error'] === 'string' ? record['error'] : undefined;
  // OpenAI: error.code; Anthropic: error.type; Gemini: error.status plus details[].reason.
  const reason = Array.isArray(inner['details'])
    ? (inner['details'] as unknown[]).map((d) => (typeof d === 'object' && d !== null ? (d as Record<string, unknown>)['reason'] : undefined)).find((r) => typeof r === 'string')
    : undefined;
  const codeCandidate = [inner['code'], inner['type'], reason, inner['status']].find((c) => typeof c === 'string');
  return { ...(message !== undefined ? { message } : {}), ...(typeof codeCandidate === 'string' ? { code: codeCandidate } : {}) };
}

function providerErrorObject(error: unknown): { type: string; message?: string } | undefined {
  if (typeof error !== 'object' || error === null || error instanceof Error) return undefined;
  const record = error as Record<string, unknown>;
  const inner = typeof record['error'] === 'object' && record['error'] !== null ? (record['error'] as Record<string, unknown>) : record;
  if (typeof inner['type'] !== 'string') return undefined;
  return { type: inner['type'], ...(typeof inner['message'] === 'string' ? { message: inner['message'] } : {}) };
}

function isAbort(error: unknown): boolean {
  return (error instanceof Error || (typeof DOMException !== 'undefined' && error instanceof DOMException)) && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

function findNetworkCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = current.cause;
  }
  return undefined;
}

/** "outer: inner: innermost" — undici hides the useful part ("other side closed") in causes. */
function messageChain(error: Error): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current) && parts.length < 4) {
    seen.add(current);
    if (current.message && !parts.includes(current.message)) parts.push(current.message);
    current = current.cause;
  }
  return parts.join(': ');
}

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_QUOTED ? `${flat.slice(0, MAX_QUOTED)}…` : flat;
}

/** A secret-free stand-in for the SDK error, kept as `cause` for `--debug`. */
function summarise(error: unknown, scrub: (t: string) => string): Error {
  const text = error instanceof Error ? messageChain(error) : typeof error === 'string' ? error : safeJson(error);
  const summary = new Error(scrub(text));
  summary.name = error instanceof Error ? error.name : 'ProviderError';
  return summary;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
