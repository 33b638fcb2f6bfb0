import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, generateText, streamText } from 'ai';
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalAgentError } from '../../core/errors/index.js';
import { startMockLlm, type MockLlmServer } from './index.js';

// The SDK warns about unknown model ids and compatibility modes; expected here, and noise in the output.
globalThis.AI_SDK_LOG_WARNINGS = false;

let server: MockLlmServer;

beforeAll(async () => {
  server = await startMockLlm({ script: { models: { fixed: { reply: 'fixed answer' } } } });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const chat = (model: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model,
  messages: [{ role: 'user', content: 'hi there' }],
  ...extra,
});

describe('the control API', () => {
  afterEach(() => server.setScript({ models: { fixed: { reply: 'fixed answer' } } }));

  it('replaces the script, and the new behaviour applies at once', async () => {
    const res = await post('/_mock/script', { models: { scripted: { reply: 'from the control API' } } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, models: ['scripted'] });
    const answer = (await (await post('/v1/chat/completions', chat('scripted'))).json()) as { choices: { message: { content: string } }[] };
    expect(answer.choices[0]?.message.content).toBe('from the control API');
    const current = (await (await fetch(`${server.url}/_mock/script`)).json()) as { models: Record<string, { reply: string; chunk_size: number }> };
    expect(current.models.scripted).toMatchObject({ reply: 'from the control API', chunk_size: 8 });
  });

  it('refuses a bad script with every problem listed, and keeps the old one', async () => {
    const res = await post('/_mock/script', { models: { a: { reply: 'json', latency_ms: -1, fault: { kind: 'explode' } } }, extra: 1 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; problems: string[] } };
    expect(body.error.code).toBe('LA_INPUT_INVALID');
    expect(body.error.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^models\.a\.latency_ms: /),
        expect.stringMatching(/^models\.a\.fault\.kind: /),
        expect.stringMatching(/^\(top level\): .*extra/),
      ]),
    );
    expect(server.script.models.fixed?.reply).toBe('fixed answer');
    expect((await post('/_mock/script', 'not json')).status).toBe(400);
  });

  it('lists and resets the request log; control calls are not logged', async () => {
    await post('/v1/chat/completions', chat('fixed'), { authorization: 'Bearer sk-test' });
    const listed = (await (await fetch(`${server.url}/_mock/requests`)).json()) as { requests: { path: string; model: string; headers: Record<string, string>; body: unknown }[] };
    expect(listed.requests).toHaveLength(1);
    expect(listed.requests[0]).toMatchObject({ path: '/v1/chat/completions', model: 'fixed', headers: { authorization: 'Bearer sk-test' } });
    expect(listed.requests[0]?.body).toEqual(chat('fixed'));
    expect((await post('/_mock/reset', {})).status).toBe(200);
    expect(server.requests).toEqual([]);
    expect((await fetch(`${server.url}/_mock/nope`)).status).toBe(404);
  });

  it('says where everything is on GET /', async () => {
    const info = (await (await fetch(`${server.url}/`)).json()) as Record<string, string>;
    expect(info.openai_base_url).toBe(server.openaiBaseUrl);
    expect(info.gemini_base_url).toBe(server.geminiBaseUrl);
  });

  it('setScript() validates like the control API', () => {
    expect(() => server.setScript({ models: { x: { reply: 'json' } } })).toThrow(LocalAgentError);
    expect(() => server.setScript({ models: { x: { reply: 'json' } } })).toThrow(/models\.x\.json: reply 'json' needs a `json` value/);
  });
});

describe('requests the providers would refuse', () => {
  it('answers unknown paths and wrong methods in the right provider shape', async () => {
    const openai = await fetch(`${server.url}/v1/nothing`);
    expect(openai.status).toBe(404);
    expect(await openai.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    const anthropic = await fetch(`${server.url}/v1/nothing`, { headers: { 'anthropic-version': '2023-06-01' } });
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    const gemini = await fetch(`${server.url}/v1beta/models/fixed:explode`, { method: 'POST', body: '{}' });
    expect(gemini.status).toBe(404);
    expect(await gemini.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    expect((await fetch(`${server.url}/v1beta/models/%E0%A4%A:generateContent`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${server.url}/v1beta/other`)).status).toBe(404);
    expect((await fetch(`${server.url}/v1/chat/completions`)).status).toBe(405);
    expect((await post('/v1/models', {})).status).toBe(405);
    expect((await post('/v1/models', {}, { 'x-api-key': 'k' })).status).toBe(405);
    expect((await post('/v1beta/models', {})).status).toBe(405);
    const geminiGet = await fetch(`${server.url}/v1beta/models/fixed:generateContent`);
    expect(geminiGet.status).toBe(405);
    expect(await geminiGet.json()).toMatchObject({ error: { status: 'UNIMPLEMENTED' } });
  });

  it('answers bad bodies with 400 in the provider shape', async () => {
    const notJson = await post('/v1/chat/completions', '{"model": ');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { message: 'We could not parse the JSON body of your request.' } });
    const cases: [string, unknown, RegExp][] = [
      ['/v1/chat/completions', [], /JSON object/],
      ['/v1/chat/completions', { messages: [] }, /model/],
      ['/v1/chat/completions', { model: 'm' }, /messages/],
      ['/v1/responses', 'null', /JSON object/],
      ['/v1/responses', { input: 'x' }, /model/],
      ['/v1/responses', { model: 'm' }, /input/],
      ['/v1/messages', 'null', /JSON object/],
      ['/v1/messages', { messages: [] }, /model/],
      ['/v1/messages', { model: 'm', messages: [] }, /messages/],
      ['/v1beta/models/m:generateContent', 'null', /JSON object/],
      ['/v1beta/models/m:generateContent', { contents: [] }, /contents/],
      ['/v1beta/models/m:streamGenerateContent', { contents: [{ parts: [{ text: 'x' }] }] }, /alt=sse/],
    ];
    for (const [path, body, message] of cases) {
      const res = await post(path, body);
      expect(res.status, path).toBe(400);
      expect(JSON.stringify(await res.json()), path).toMatch(message);
    }
    const anthropic = await post('/v1/messages', { model: 'm', messages: [] });
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('refuses bodies over 16 MiB with 413', async () => {
    const res = await post('/v1/chat/completions', JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(17 * 1024 * 1024) }] }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { message: 'The request body is too large.' } });
    expect(server.requests[0]?.body).toBeUndefined();
    const script = await post('/_mock/script', 'x'.repeat(17 * 1024 * 1024));
    expect(script.status).toBe(413);
  });

  it('answers a request target that is not a URL with 400', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '//', method: 'GET' }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
  });

  it('records a body that is not JSON as text', async () => {
    await post('/v1/chat/completions', 'plain words');
    expect(server.requests[0]).toMatchObject({ body: 'plain words', model: undefined, protocol: 'openai-chat' });
  });
});

describe('requireKey', () => {
  let locked: MockLlmServer;
  beforeAll(async () => {
    locked = await startMockLlm({ requireKey: 'right-key' });
  });
  afterAll(async () => {
    await locked.close();
  });

  const clients = (key: string | undefined) => ({
    compatible: createOpenAICompatible({ name: 'mock', baseURL: locked.openaiBaseUrl, ...(key ? { apiKey: key } : {}) }).chatModel('m'),
    responses: createOpenAI({ baseURL: locked.openaiBaseUrl, apiKey: key ?? '' })('m'),
    anthropic: createAnthropic({ baseURL: locked.anthropicBaseUrl, apiKey: key ?? '' })('m'),
    anthropicBearer: createAnthropic({ baseURL: locked.anthropicBaseUrl, authToken: key ?? '' })('m'),
    gemini: createGoogleGenerativeAI({ baseURL: locked.geminiBaseUrl, apiKey: key ?? '' })('m'),
  });

  it('accepts the right key the provider way', async () => {
    for (const [name, model] of Object.entries(clients('right-key'))) {
      const result = await generateText({ model, prompt: 'let me in', maxRetries: 0 });
      expect(result.text, name).toBe('let me in');
    }
    const query = await fetch(`${locked.geminiBaseUrl}/models/m:generateContent?key=right-key`, {
      method: 'POST',
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'via query' }] }] }),
    });
    expect(query.status).toBe(200);
    expect(locked.requests.at(-1)?.query).toEqual({ key: 'right-key' });
  });

  it('answers a wrong key with 401 in each provider shape', async () => {
    const messages: Record<string, RegExp> = {
      compatible: /Incorrect API key/,
      responses: /Incorrect API key/,
      anthropic: /invalid x-api-key/,
      anthropicBearer: /invalid x-api-key/,
      gemini: /API key not valid/,
    };
    for (const [name, model] of Object.entries(clients('wrong-key'))) {
      const error = await generateText({ model, prompt: 'x', maxRetries: 0 }).catch((e: unknown) => e);
      expect(APICallError.isInstance(error), name).toBe(true);
      expect((error as APICallError).statusCode, name).toBe(401);
      expect((error as APICallError).message, name).toMatch(messages[name] as RegExp);
    }
  });

  it('answers a missing key with 401 too', async () => {
    const openai = await fetch(`${locked.openaiBaseUrl}/chat/completions`, { method: 'POST', body: JSON.stringify(chat('m')) });
    expect(openai.status).toBe(401);
    expect(JSON.stringify(await openai.json())).toMatch(/didn't provide an API key/);
    const anthropic = await fetch(`${locked.anthropicBaseUrl}/messages`, { method: 'POST', body: JSON.stringify(chat('m')) });
    expect(JSON.stringify(await anthropic.json())).toMatch(/x-api-key header is required/);
    const gemini = await fetch(`${locked.geminiBaseUrl}/models`);
    expect(gemini.status).toBe(401);
    expect(await gemini.json()).toMatchObject({ error: { status: 'UNAUTHENTICATED' } });
  });

  it('guards the model lists, which key checks use', async () => {
    expect((await fetch(`${locked.openaiBaseUrl}/models`, { headers: { authorization: 'Bearer right-key' } })).status).toBe(200);
    expect((await fetch(`${locked.openaiBaseUrl}/models`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const anthropic = await fetch(`${locked.anthropicBaseUrl}/models`, { headers: { 'x-api-key': 'nope', 'anthropic-version': '2023-06-01' } });
    expect(anthropic.status).toBe(401);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect((await fetch(`${locked.geminiBaseUrl}/models`, { headers: { 'x-goog-api-key': 'right-key' } })).status).toBe(200);
    const listed = (await (await fetch(`${locked.openaiBaseUrl}/models`, { headers: { authorization: 'Bearer right-key' } })).json()) as { data: { id: string }[] };
    expect(listed.data.map((m) => m.id)).toEqual(['mock']);
  });
});

describe('timing knobs', () => {
  // Tests never assert durations; they check what has (not) happened while a long delay is pending.
  it('latency_ms holds the whole answer back', async () => {
    server.setScript({ models: { slow: { latency_ms: 60_000 } } });
    const controller = new AbortController();
    const pending = fetch(`${server.openaiBaseUrl}/chat/completions`, { method: 'POST', body: JSON.stringify(chat('slow')), signal: controller.signal });
    const raced = await Promise.race([pending.then(() => 'answered'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 100))]);
    expect(raced).toBe('waiting');
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
  });

  it('ttft_ms sends the headers at once and holds the first chunk; chunk_delay_ms spaces the rest', async () => {
    server.setScript({ models: { ttft: { reply: 'abc', ttft_ms: 60_000 }, spaced: { reply: 'abcdef', chunk_size: 2, chunk_delay_ms: 60_000 } } });
    const controller = new AbortController();
    const res = await fetch(`${server.openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify(chat('ttft', { stream: true })),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body?.getReader();
    const first = await Promise.race([reader?.read().then(() => 'chunk'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 100))]);
    expect(first).toBe('waiting');
    controller.abort();

    const spacedController = new AbortController();
    const result = streamText({
      model: createOpenAICompatible({ name: 'mock', baseURL: server.openaiBaseUrl }).chatModel('spaced'),
      prompt: 'x',
      maxRetries: 0,
      abortSignal: spacedController.signal,
      onError: () => undefined,
    });
    const iterator = result.textStream[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe('ab');
    const second = await Promise.race([iterator.next().then(() => 'chunk'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 100))]);
    expect(second).toBe('waiting');
    spacedController.abort();
  });
});

describe('startMockLlm', () => {
  it('refuses anything but loopback and a valid port', async () => {
    await expect(startMockLlm({ host: '0.0.0.0' as '127.0.0.1' })).rejects.toThrow(/127\.0\.0\.1 only/);
    await expect(startMockLlm({ port: 70_000 })).rejects.toThrow(/0 to 65535/);
    await expect(startMockLlm({ port: 1.5 })).rejects.toThrow(/0 to 65535/);
  });

  it('says so when the port is taken', async () => {
    const error = await startMockLlm({ port: server.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalAgentError);
    expect((error as LocalAgentError).message).toBe(`Port ${server.port} on 127.0.0.1 is already in use.`);
  });

  it('refuses a bad script up front', async () => {
    await expect(startMockLlm({ script: { models: { x: { chunk_size: 0 } } } })).rejects.toThrow(/models\.x\.chunk_size/);
  });

  it('exposes the base URLs the AI SDK providers need', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.openaiBaseUrl).toBe(`${server.url}/v1`);
    expect(server.anthropicBaseUrl).toBe(`${server.url}/v1`);
    expect(server.geminiBaseUrl).toBe(`${server.url}/v1beta`);
  });

  it('closes idle keep-alive sockets on close()', async () => {
    const own = await startMockLlm();
    const model = createOpenAICompatible({ name: 'mock', baseURL: own.openaiBaseUrl }).chatModel('m');
    await generateText({ model, prompt: 'keep me alive', maxRetries: 0 });
    await own.close();
    await expect(fetch(`${own.url}/`)).rejects.toThrow();
  });
});

describe('large answers', () => {
  it('stream intact through a full socket buffer (writes wait for drain)', async () => {
    const big = 'x'.repeat(300_000);
    server.setScript({ models: { big: { reply: big, chunk_size: 100_000, chunk_delay_ms: 1 } } });
    const model = createOpenAICompatible({ name: 'mock', baseURL: server.openaiBaseUrl }).chatModel('big');
    const result = streamText({ model, prompt: 'x', maxRetries: 0 });
    expect((await result.text).length).toBe(big.length);
  });

  it('stop writing when a slow reader goes away', async () => {
    server.setScript({ models: { big: { reply: 'y'.repeat(400_000), chunk_size: 200_000, chunk_delay_ms: 1 } } });
    const controller = new AbortController();
    const res = await fetch(`${server.openaiBaseUrl}/chat/completions`, { method: 'POST', body: JSON.stringify(chat('big', { stream: true })), signal: controller.signal });
    expect(res.status).toBe(200);
    // Never read the body: the server's writes fill the socket and wait for a drain that never comes.
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    const after = await post('/v1/chat/completions', chat('fixed'));
    expect(after.status).toBe(200);
  });
});

describe('concurrency', () => {
  it('serves 200 parallel streams, all complete and correct', async () => {
    server.setScript({ default: { reply: 'echo', chunk_size: 3, chunk_delay_ms: 2 } });
    const model = createOpenAICompatible({ name: 'mock', baseURL: server.openaiBaseUrl, includeUsage: true }).chatModel('many');
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const result = streamText({ model, prompt: `stream number ${i}`, maxRetries: 0 });
        return { i, text: await result.text, usage: await result.usage };
      }),
    );
    for (const { i, text, usage } of results) {
      expect(text).toBe(`stream number ${i}`);
      expect(usage.outputTokens).toBeGreaterThan(0);
    }
    expect(server.requests).toHaveLength(200);
  });
});
