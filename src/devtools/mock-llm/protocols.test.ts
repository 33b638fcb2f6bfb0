import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, Output, streamText, type LanguageModel } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startMockLlm, type MockLlmServer } from './index.js';
import { countTokens } from './text.js';

// The SDK warns about unknown model ids and compatibility modes; expected here, and noise in the output.
globalThis.AI_SDK_LOG_WARNINGS = false;

let server: MockLlmServer;

beforeAll(async () => {
  server = await startMockLlm({
    script: {
      models: {
        echo: {},
        fixed: { reply: 'The quick brown fox jumps over the lazy dog.', chunk_size: 5 },
        json: { reply: 'json', json: { answer: 42, tags: ['a', 'b'] } },
      },
    },
  });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

const PROMPT = 'Say hello to the mock server, please.';
const SYSTEM = 'You are terse.';

/** Every provider the mock stands in for, as a function from model name to AI SDK model. */
function providers(): Record<string, (model: string) => LanguageModel> {
  const compatible = createOpenAICompatible({ name: 'mock', baseURL: server.openaiBaseUrl, apiKey: 'sk-compat', includeUsage: true });
  const openai = createOpenAI({ baseURL: server.openaiBaseUrl, apiKey: 'sk-openai' });
  const anthropic = createAnthropic({ baseURL: server.anthropicBaseUrl, apiKey: 'sk-ant' });
  const google = createGoogleGenerativeAI({ baseURL: server.geminiBaseUrl, apiKey: 'goog-key' });
  return {
    'openai-compatible': (m) => compatible.chatModel(m),
    'openai chat': (m) => openai.chat(m),
    'openai responses (default)': (m) => openai(m),
    anthropic: (m) => anthropic(m),
    gemini: (m) => google(m),
  };
}

const expectedPath: Record<string, string> = {
  'openai-compatible': '/v1/chat/completions',
  'openai chat': '/v1/chat/completions',
  'openai responses (default)': '/v1/responses',
  anthropic: '/v1/messages',
  gemini: '/v1beta/models/echo:generateContent',
};

describe.each(Object.keys(expectedPath))('%s through the real AI SDK', (name) => {
  const model = (m: string): LanguageModel => {
    const make = providers()[name];
    if (!make) throw new Error(`no provider ${name}`);
    return make(m);
  };

  it('generates: echo, with deterministic usage', async () => {
    const result = await generateText({ model: model('echo'), system: SYSTEM, prompt: PROMPT, maxRetries: 0 });
    expect(result.text).toBe(PROMPT);
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBe(countTokens(SYSTEM) + countTokens(PROMPT));
    expect(result.usage.outputTokens).toBe(countTokens(PROMPT));
    expect(result.usage.totalTokens).toBe(countTokens(SYSTEM) + 2 * countTokens(PROMPT));
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', model: 'echo', stream: false });
    expect(request?.path).toBe(expectedPath[name]);
  });

  it('streams: fixed text in several deltas, with usage', async () => {
    const result = streamText({ model: model('fixed'), prompt: PROMPT, maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.join('')).toBe('The quick brown fox jumps over the lazy dog.');
    expect(deltas.length).toBeGreaterThanOrEqual(9);
    expect(await result.finishReason).toBe('stop');
    const usage = await result.usage;
    expect(usage.inputTokens).toBe(countTokens(PROMPT));
    expect(usage.outputTokens).toBe(countTokens('The quick brown fox jumps over the lazy dog.'));
    expect(server.requests[0]).toMatchObject({ model: 'fixed', stream: true });
  });

  it('answers structured output with JSON text', async () => {
    const result = await generateText({
      model: model('json'),
      prompt: 'Give me the answer as JSON.',
      output: Output.object({ schema: z.object({ answer: z.number(), tags: z.array(z.string()) }) }),
      maxRetries: 0,
    });
    expect(result.output).toEqual({ answer: 42, tags: ['a', 'b'] });
  });

  it('stops at the output token cap with finish reason length', async () => {
    const result = await generateText({ model: model('fixed'), prompt: PROMPT, maxOutputTokens: 2, maxRetries: 0 });
    expect(result.text).toBe('The quic');
    expect(result.finishReason).toBe('length');
    expect(result.usage.outputTokens).toBe(2);
  });

  it('stops a stream at the output token cap too', async () => {
    const result = streamText({ model: model('fixed'), prompt: PROMPT, maxOutputTokens: 2, maxRetries: 0 });
    expect(await result.text).toBe('The quic');
    expect(await result.finishReason).toBe('length');
  });
});

describe('wire details', () => {
  it('sends each provider key the provider way, and records it', async () => {
    const p = providers();
    for (const make of Object.values(p)) await generateText({ model: make('echo'), prompt: 'hi', maxRetries: 0 });
    const headers = server.requests.map((r) => r.headers);
    expect(headers[0]?.authorization).toBe('Bearer sk-compat');
    expect(headers[1]?.authorization).toBe('Bearer sk-openai');
    expect(headers[2]?.authorization).toBe('Bearer sk-openai');
    expect(headers[3]?.['x-api-key']).toBe('sk-ant');
    expect(headers[4]?.['x-goog-api-key']).toBe('goog-key');
  });

  it('echoes the last user message of a conversation', async () => {
    const result = await generateText({
      model: providers().anthropic?.('echo') as LanguageModel,
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'reply' },
        { role: 'user', content: [{ type: 'text', text: 'second' }] },
      ],
      maxRetries: 0,
    });
    expect(result.text).toBe('second');
    expect(result.usage.inputTokens).toBe(countTokens('first') + countTokens('reply') + countTokens('second'));
  });

  it('answers the OpenAI chat wire format field by field', async () => {
    const res = await fetch(`${server.openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fixed', messages: [{ role: 'user', content: 'x' }] }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'fixed',
      choices: [{ index: 0, message: { role: 'assistant', content: 'The quick brown fox jumps over the lazy dog.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 11, total_tokens: 12 },
    });
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(typeof body.created).toBe('number');
  });

  it('streams OpenAI chat SSE with a usage chunk only when asked, then [DONE]', async () => {
    const raw = async (includeUsage: boolean): Promise<string> => {
      const res = await fetch(`${server.openaiBaseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'fixed',
          stream: true,
          ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
          messages: [{ role: 'user', content: 'x' }],
        }),
      });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      return res.text();
    };
    const withUsage = await raw(true);
    const frames = withUsage.split('\n\n').filter(Boolean);
    expect(frames.at(-1)).toBe('data: [DONE]');
    const usageChunk = JSON.parse(frames.at(-2)?.slice('data: '.length) ?? '{}') as Record<string, unknown>;
    expect(usageChunk).toMatchObject({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 11 } });
    const finish = JSON.parse(frames.at(-3)?.slice('data: '.length) ?? '{}') as { choices: { finish_reason: string }[] };
    expect(finish.choices[0]?.finish_reason).toBe('stop');
    expect(await raw(false)).not.toContain('"usage"');
  });

  it('accepts a plain string as Responses API input', async () => {
    const res = await fetch(`${server.openaiBaseUrl}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'echo', input: 'plain string', instructions: 'be brief' }),
    });
    const body = (await res.json()) as { output: { content: { text: string }[] }[]; usage: Record<string, number> };
    expect(body.output[0]?.content[0]?.text).toBe('plain string');
    expect(body.usage.input_tokens).toBe(countTokens('be brief') + countTokens('plain string'));
  });

  it('lists models in each provider shape', async () => {
    const openai = (await (await fetch(`${server.openaiBaseUrl}/models`)).json()) as { object: string; data: { id: string; object: string }[] };
    expect(openai.object).toBe('list');
    expect(openai.data.map((m) => m.id)).toEqual(['echo', 'fixed', 'json']);
    expect(openai.data[0]?.object).toBe('model');
    const anthropic = (await (await fetch(`${server.anthropicBaseUrl}/models`, { headers: { 'anthropic-version': '2023-06-01' } })).json()) as {
      data: { type: string; id: string }[];
      has_more: boolean;
    };
    expect(anthropic.data[0]).toMatchObject({ type: 'model', id: 'echo' });
    expect(anthropic.has_more).toBe(false);
    const gemini = (await (await fetch(`${server.geminiBaseUrl}/models`)).json()) as { models: { name: string }[] };
    expect(gemini.models.map((m) => m.name)).toEqual(['models/echo', 'models/fixed', 'models/json']);
    expect(server.requests.map((r) => r.protocol)).toEqual(['models', 'models', 'models']);
  });
});
