import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, generateText, Output, streamText, type LanguageModel } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_INVALID_JSON_TEXT, startMockLlm, type MockLlmServer, type ModelBehaviour } from './index.js';

// The SDK warns about unknown model ids and compatibility modes; expected here, and noise in the output.
globalThis.AI_SDK_LOG_WARNINGS = false;

let server: MockLlmServer;

const models: Record<string, ModelBehaviour> = {
  'rate-limited': { fault: { kind: 'rate_limit', retry_after_s: 7 } },
  broken: { fault: { kind: 'server_error' } },
  busy: { fault: { kind: 'overloaded', retry_after_s: 3 } },
  picky: { fault: { kind: 'bad_request', message: 'temperature is out of range' } },
  small: { fault: { kind: 'context_length', context_window: 4096 } },
  locked: { fault: { kind: 'unauthorized' } },
  hang: { fault: { kind: 'hang' } },
  reset: { fault: { kind: 'reset' } },
  'reset-mid': { reply: 'one two three four five six seven eight', chunk_size: 4, fault: { kind: 'reset_mid_stream', after_chunks: 2 } },
  garbled: { reply: 'all fine here', fault: { kind: 'malformed_json' } },
  sloppy: { fault: { kind: 'invalid_json_output' } },
  flaky: { reply: 'finally', fault: { kind: 'server_error', times: 2 } },
};

beforeAll(async () => {
  server = await startMockLlm({ script: { models } });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

type Family = 'openai-compatible' | 'openai responses' | 'anthropic' | 'gemini';

function modelFor(family: Family, name: string): LanguageModel {
  switch (family) {
    case 'openai-compatible':
      return createOpenAICompatible({ name: 'mock', baseURL: server.openaiBaseUrl, includeUsage: true }).chatModel(name);
    case 'openai responses':
      return createOpenAI({ baseURL: server.openaiBaseUrl, apiKey: 'k' })(name);
    case 'anthropic':
      return createAnthropic({ baseURL: server.anthropicBaseUrl, apiKey: 'k' })(name);
    case 'gemini':
      return createGoogleGenerativeAI({ baseURL: server.geminiBaseUrl, apiKey: 'k' })(name);
  }
}

/** The error a call fails with; for streams, the one `onError` sees (the stream itself only says "no output"). */
async function callError(family: Family, name: string, stream = false): Promise<unknown> {
  try {
    if (stream) {
      let streamError: unknown;
      const result = streamText({
        model: modelFor(family, name),
        prompt: 'hello',
        maxRetries: 0,
        onError: ({ error }) => {
          streamError = error;
        },
      });
      await result.consumeStream();
      if (streamError !== undefined) return streamError;
    } else {
      await generateText({ model: modelFor(family, name), prompt: 'hello', maxRetries: 0 });
    }
  } catch (error) {
    return error;
  }
  throw new Error(`${family} ${name}: expected the call to fail`);
}

const families: Family[] = ['openai-compatible', 'openai responses', 'anthropic', 'gemini'];

const statusByFamily: Record<string, Record<Family, number>> = {
  'rate-limited': { 'openai-compatible': 429, 'openai responses': 429, anthropic: 429, gemini: 429 },
  broken: { 'openai-compatible': 500, 'openai responses': 500, anthropic: 500, gemini: 500 },
  busy: { 'openai-compatible': 503, 'openai responses': 503, anthropic: 529, gemini: 503 },
  picky: { 'openai-compatible': 400, 'openai responses': 400, anthropic: 400, gemini: 400 },
  small: { 'openai-compatible': 400, 'openai responses': 400, anthropic: 400, gemini: 400 },
  locked: { 'openai-compatible': 401, 'openai responses': 401, anthropic: 401, gemini: 401 },
};

describe.each(families)('faults through %s', (family) => {
  it.each(Object.keys(statusByFamily))('%s answers its HTTP error, streaming or not', async (name) => {
    for (const stream of [false, true]) {
      const error = await callError(family, name, stream);
      expect(APICallError.isInstance(error), String(error)).toBe(true);
      const apiError = error as APICallError;
      expect(apiError.statusCode).toBe(statusByFamily[name]?.[family]);
      if (name === 'rate-limited') expect(apiError.responseHeaders?.['retry-after']).toBe('7');
      if (name === 'busy') expect(apiError.responseHeaders?.['retry-after']).toBe('3');
      if (name === 'picky') expect(apiError.message).toBe('temperature is out of range');
      if (name === 'small') expect(apiError.message).toMatch(/4096/);
    }
  });

  it('reset: a network error, no status', async () => {
    for (const stream of [false, true]) {
      const error = await callError(family, 'reset', stream);
      expect(APICallError.isInstance(error), String(error)).toBe(true);
      expect((error as APICallError).statusCode).toBeUndefined();
      expect((error as APICallError).isRetryable).toBe(true);
    }
  });

  it('hang: only the caller’s AbortSignal ends it', async () => {
    for (const stream of [false, true]) {
      const signal = AbortSignal.timeout(150);
      const started = stream
        ? streamText({ model: modelFor(family, 'hang'), prompt: 'x', maxRetries: 0, abortSignal: signal, onError: () => undefined }).text
        : generateText({ model: modelFor(family, 'hang'), prompt: 'x', maxRetries: 0, abortSignal: signal });
      await expect(started).rejects.toThrow(/abort|timeout/i);
    }
  });

  it('reset_mid_stream: some text arrives, then the stream fails', async () => {
    const result = streamText({ model: modelFor(family, 'reset-mid'), prompt: 'x', maxRetries: 0, onError: () => undefined });
    let text = '';
    let failure: unknown;
    try {
      for await (const part of result.fullStream) {
        if (part.type === 'text-delta') text += part.text;
        if (part.type === 'error') failure = part.error;
      }
    } catch (error) {
      failure = error;
    }
    expect(text).toBe('one two ');
    expect(APICallError.isInstance(failure), String(failure)).toBe(true);
    expect(String((failure as APICallError).cause)).toMatch(/terminated/);
  });

  it('reset_mid_stream without streaming: the body is cut off', async () => {
    const error = await callError(family, 'reset-mid');
    expect(error).toBeInstanceOf(Error);
  });

  it('malformed_json: a 200 whose body is not JSON', async () => {
    const error = await callError(family, 'garbled');
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBe(200);
    expect((error as APICallError).message).toBe('Invalid JSON response');
  });

  it('malformed_json while streaming: a broken data line becomes a stream error', async () => {
    const result = streamText({ model: modelFor(family, 'garbled'), prompt: 'x', maxRetries: 0, onError: () => undefined });
    const types: string[] = [];
    for await (const part of result.fullStream) types.push(part.type);
    expect(types).toContain('error');
  });

  it('invalid_json_output: the protocol is fine but the text is not JSON', async () => {
    const plain = await generateText({ model: modelFor(family, 'sloppy'), prompt: 'x', maxRetries: 0 });
    expect(plain.text).toBe(DEFAULT_INVALID_JSON_TEXT);
    expect(() => JSON.parse(plain.text) as unknown).toThrow();
    await expect(
      generateText({ model: modelFor(family, 'sloppy'), prompt: 'x', maxRetries: 0, output: Output.object({ schema: z.object({ answer: z.number() }) }) }),
    ).rejects.toThrow(/parse|JSON|No object/i);
  });

  it('times: only the first N calls fail, and reset() starts the count again', async () => {
    const statuses: (number | 'ok')[] = [];
    for (let i = 0; i < 4; i += 1) {
      if (i === 3) server.reset();
      try {
        await generateText({ model: modelFor(family, 'flaky'), prompt: 'x', maxRetries: 0 });
        statuses.push('ok');
      } catch (error) {
        statuses.push((error as APICallError).statusCode ?? -1);
      }
    }
    expect(statuses).toEqual([500, 500, 'ok', 500]);
  });
});

describe('the server after faults', () => {
  it('is not left with work in flight: a hung request is cleaned up when the client aborts', async () => {
    const controller = new AbortController();
    const pending = fetch(`${server.openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'hang', messages: [{ role: 'user', content: 'x' }] }),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow();
    const ok = await generateText({ model: modelFor('openai-compatible', 'anything'), prompt: 'still alive', maxRetries: 0 });
    expect(ok.text).toBe('still alive');
  });

  it('close() ends hung requests instead of waiting for them', async () => {
    const own = await startMockLlm({ script: { default: { fault: { kind: 'hang' } } } });
    const pending = fetch(`${own.openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true }),
    }).then(
      () => 'answered',
      () => 'failed',
    );
    while (own.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await own.close();
    await own.close();
    expect(await pending).toBe('failed');
  });
});
