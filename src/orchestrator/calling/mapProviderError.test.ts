import { APICallError, EmptyResponseBodyError } from '@ai-sdk/provider';
import { RetryError } from 'ai';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, InternalError, NetworkError, OperationCancelledError, RateLimitError, TimeoutError } from '../../core/errors/index.js';
import { toProviderError } from './mapProviderError.js';

const ctx = { provider: 'prov', model: 'mod' };

function apiError(statusCode: number | undefined, body: unknown, headers: Record<string, string> = {}, extra: Partial<{ cause: unknown; message: string }> = {}): APICallError {
  return new APICallError({
    message: extra.message ?? `status ${statusCode ?? '-'}`,
    url: 'http://x.test/v1/chat/completions',
    requestBodyValues: {},
    ...(statusCode !== undefined ? { statusCode } : {}),
    responseHeaders: headers,
    responseBody: typeof body === 'string' ? body : JSON.stringify(body),
    ...(extra.cause !== undefined ? { cause: extra.cause } : {}),
  });
}

describe('toProviderError', () => {
  it.each([
    [401, { error: { message: 'bad key' } }, 'LA_PROVIDER_AUTH', 'permanent'],
    [403, { error: { message: 'forbidden' } }, 'LA_PROVIDER_AUTH', 'permanent'],
    [400, { error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }] } }, 'LA_PROVIDER_AUTH', 'permanent'],
    [402, { error: { message: 'Insufficient credits' } }, 'LA_PROVIDER_AUTH', 'permanent'],
    [429, { error: { message: 'slow down' } }, 'LA_PROVIDER_RATE_LIMITED', 'transient'],
    [429, { error: { message: 'You exceeded your current quota', code: 'insufficient_quota' } }, 'LA_PROVIDER_RATE_LIMITED', 'permanent'],
    [408, 'timeout', 'LA_TIMEOUT', 'transient'],
    [409, 'conflict', 'LA_PROVIDER_UNAVAILABLE', 'transient'],
    [500, { error: { message: 'boom' } }, 'LA_PROVIDER_UNAVAILABLE', 'transient'],
    [502, '<html>bad gateway</html>', 'LA_PROVIDER_UNAVAILABLE', 'transient'],
    [503, { error: { message: 'down' } }, 'LA_PROVIDER_UNAVAILABLE', 'transient'],
    [504, '', 'LA_PROVIDER_UNAVAILABLE', 'transient'],
    [529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'LA_PROVIDER_UNAVAILABLE', 'transient'],
    [400, { error: { message: "This model's maximum context length is 8192 tokens", code: 'context_length_exceeded' } }, 'LA_CONTEXT_LENGTH', 'permanent'],
    [400, { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' } }, 'LA_CONTEXT_LENGTH', 'permanent'],
    [400, { error: { code: 400, message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).', status: 'INVALID_ARGUMENT' } }, 'LA_CONTEXT_LENGTH', 'permanent'],
    [413, 'payload too large', 'LA_CONTEXT_LENGTH', 'permanent'],
    [404, { error: { message: 'model "x" not found, try pulling it first' } }, 'LA_PROVIDER_NOT_FOUND', 'permanent'],
    [400, { error: { message: 'temperature must be between 0 and 2' } }, 'LA_PROVIDER_BAD_REQUEST', 'permanent'],
    [422, { detail: 'unprocessable' }, 'LA_PROVIDER_BAD_REQUEST', 'permanent'],
  ])('maps HTTP %i (%j) to %s', (status, body, code, category) => {
    const error = toProviderError(apiError(status, body), ctx);
    expect(error).toMatchObject({ code, category });
    expect(error.message).toContain('"prov" (model "mod")');
    expect(error.details).toMatchObject({ provider: 'prov', status, model: 'mod' });
  });

  it('quotes what the provider said, cut short', () => {
    const error = toProviderError(apiError(400, { error: { message: `bad ${'x'.repeat(1000)}` } }), ctx);
    expect(error.message).toContain('bad xxx');
    expect(error.message.length).toBeLessThan(500);
    expect(toProviderError(apiError(401, { error: { message: 'Invalid key' } }), ctx)).toBeInstanceOf(AuthenticationError);
  });

  it('reads Retry-After into the rate-limit error', () => {
    const now = Date.UTC(2025, 0, 1);
    const seconds = toProviderError(apiError(429, {}, { 'retry-after': '7' }), ctx) as RateLimitError;
    expect(seconds).toBeInstanceOf(RateLimitError);
    expect(seconds.retryAfterMs).toBe(7000);
    expect(seconds.message).toContain('retry after 7000 ms');
    const date = toProviderError(apiError(429, {}, { 'retry-after': new Date(now + 4000).toUTCString() }), { ...ctx, now: () => now }) as RateLimitError;
    expect(date.retryAfterMs).toBe(4000);
    expect((toProviderError(apiError(429, {}), ctx) as RateLimitError).retryAfterMs).toBeUndefined();
  });

  it('maps connection failures and broken streams to NetworkError, socket timeouts to TimeoutError', () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(toProviderError(apiError(undefined, '', {}, { message: 'Cannot connect to API: other side closed', cause: reset }), ctx)).toBeInstanceOf(NetworkError);
    const broken = apiError(200, '', {}, { message: 'Failed to process successful response', cause: new TypeError('terminated') });
    expect(toProviderError(broken, ctx)).toMatchObject({ code: 'LA_NETWORK' });
    expect(toProviderError(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }), ctx).message).toContain(
      'ECONNREFUSED',
    );
    expect(toProviderError(Object.assign(new Error('timed out'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), ctx)).toBeInstanceOf(TimeoutError);
  });

  it('unwraps the SDK RetryError', () => {
    const retry = new RetryError({ message: 'failed after 3 attempts', reason: 'maxRetriesExceeded', errors: [apiError(503, {})] });
    expect(toProviderError(retry, ctx).code).toBe('LA_PROVIDER_UNAVAILABLE');
  });

  it('maps an abort to cancellation and keeps our own errors', () => {
    expect(toProviderError(new DOMException('aborted', 'AbortError'), ctx)).toBeInstanceOf(OperationCancelledError);
    const own = new TimeoutError({ message: 'x' });
    expect(toProviderError(own, ctx)).toBe(own);
  });

  it('maps errors reported inside a stream by their type', () => {
    expect(toProviderError({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, ctx).code).toBe('LA_PROVIDER_UNAVAILABLE');
    expect(toProviderError({ type: 'rate_limit_error', message: 'slow' }, ctx).code).toBe('LA_PROVIDER_RATE_LIMITED');
    expect(toProviderError({ type: 'authentication_error', message: 'bad' }, ctx).code).toBe('LA_PROVIDER_AUTH');
    expect(toProviderError({ type: 'invalid_request_error', message: 'prompt is too long' }, ctx).code).toBe('LA_CONTEXT_LENGTH');
    expect(toProviderError({ type: 'invalid_request_error', message: 'nope' }, ctx).code).toBe('LA_PROVIDER_BAD_REQUEST');
  });

  it('calls unreadable responses LA_PROVIDER_BAD_RESPONSE (transient) and anything else internal', () => {
    expect(toProviderError(new EmptyResponseBodyError(), ctx)).toMatchObject({ code: 'LA_PROVIDER_BAD_RESPONSE', category: 'transient' });
    const odd = toProviderError(new RangeError('weird'), ctx);
    expect(odd).toBeInstanceOf(InternalError);
    expect(odd.message).toContain('weird');
    expect(toProviderError('text', ctx)).toBeInstanceOf(InternalError);
    expect(toProviderError(123n, ctx).message).toContain('123');
  });

  it('removes secrets from everything it repeats and keeps no raw SDK error', () => {
    const key = 'PLAIN-SECRET-VALUE-1';
    const scrub = (text: string): string => text.split(key).join('[REDACTED]');
    const error = toProviderError(apiError(401, { error: { message: `Incorrect API key provided: ${key}`, code: key } }, {}, { message: `Incorrect API key provided: ${key}` }), {
      ...ctx,
      scrub,
    });
    const everything = JSON.stringify(error.toJSON()) + String((error.cause as Error).message);
    expect(everything).not.toContain(key);
    expect(everything).toContain('[REDACTED]');
    expect(error.cause).not.toBeInstanceOf(APICallError);
  });
});
