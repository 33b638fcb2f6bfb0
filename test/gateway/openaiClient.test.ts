import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockLlmServer } from '../../src/devtools/mock-llm/index.js';
import { MOCK_SCRIPT, startHarness, startMockLlm, type Harness } from './support/gatewayHarness.js';

/**
 * The official `openai` npm client, unchanged, pointed at LocalAgent's server, which routes each
 * request through the orchestrator to the mock model server on loopback.
 */
let h: Harness;
let mock: MockLlmServer;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockLlm({ script: MOCK_SCRIPT });
  h = await startHarness({ mock });
  client = new OpenAI({ apiKey: h.tokens.operator, baseURL: `${h.gateway.url}/v1`, maxRetries: 0, timeout: 10_000 });
});
afterAll(async () => {
  await h?.close();
  await mock?.close();
});
beforeEach(() => mock.reset());

describe('the OpenAI-compatible endpoint with the official client', () => {
  it('answers a chat completion from a configured model', async () => {
    const completion = await client.chat.completions.create({ model: 'mock-fast', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi there' }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('mock-fast');
    expect(completion.choices[0]?.message.content).toBe('hello from the fast mock');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    // The system message reached the model.
    expect(JSON.stringify(mock.requests.at(-1)?.body)).toContain('Be brief.');
  });

  it('streams, with the usage chunk when asked', async () => {
    const stream = await client.chat.completions.create({ model: 'mock-slow', messages: [{ role: 'user', content: 'stream please' }], stream: true, stream_options: { include_usage: true } });
    const pieces: string[] = [];
    let finish: string | null | undefined;
    let usage: number | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      const choice = chunk.choices[0];
      if (choice?.delta.content) pieces.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage.total_tokens;
    }
    expect(pieces.join('')).toBe('slow answer');
    expect(pieces.length).toBeGreaterThan(1);
    expect(finish).toBe('stop');
    expect(usage).toBeGreaterThan(0);
  });

  it('takes strategies as model names: fallback past a failing model, race, auto', async () => {
    const fallback = await client.chat.completions.create({ model: 'fallback:mock-down,mock-fast', messages: [{ role: 'user', content: 'x' }] });
    expect(fallback.model).toBe('mock-fast');
    expect((fallback as unknown as { localagent: { tried: { model: string; ok: boolean }[] } }).localagent.tried.map((t) => [t.model, t.ok])).toEqual([
      ['mock-down', false],
      ['mock-fast', true],
    ]);
    const raced = await client.chat.completions.create({ model: 'race:mock-fast,mock-other', messages: [{ role: 'user', content: 'x' }] });
    expect(['mock-fast', 'mock-other']).toContain(raced.model);
    const streamedFallback = await client.chat.completions.create({ model: 'fallback:mock-down,mock-other', messages: [{ role: 'user', content: 'x' }], stream: true });
    let text = '';
    for await (const chunk of streamedFallback) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('hello from the other mock');
    const auto = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'x' }] });
    expect(auto.choices[0]?.message.content).toMatch(/^hello from|slow answer/);
  });

  it('streams a race as one chunk, and reports a failure after the first token inside the stream', async () => {
    const raced = await client.chat.completions.create({ model: 'race:mock-fast,mock-other', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage = 0;
    for await (const chunk of raced) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage?.total_tokens ?? usage;
    }
    expect(text).toMatch(/^hello from the (fast|other) mock$/);
    expect(usage).toBeGreaterThan(0);

    mock.setScript({ models: { ...MOCK_SCRIPT.models, 'mock-fast': { reply: 'partial answer that breaks off here', chunk_size: 4, chunk_delay_ms: 5, fault: { kind: 'reset_mid_stream' } } } });
    const broken = await client.chat.completions.create({ model: 'mock-fast', messages: [{ role: 'user', content: 'x' }], stream: true });
    let partial = '';
    const failure = await (async () => {
      for await (const chunk of broken) partial += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(partial.length).toBeGreaterThan(0);
    mock.setScript(MOCK_SCRIPT);
  });

  it('plans with the llm planner, falling back to rules when the model gives no plan', async () => {
    const planned = await h.call('/v1/plans', { role: 'operator', method: 'POST', body: JSON.stringify({ command: 'read notes.txt and summarize it', planner: 'llm', model: 'mock-fast' }) });
    expect(planned.status).toBe(200);
    const body = (await planned.json()) as { planner: string; warnings: string[]; plan: { tasks: unknown[] } };
    expect(body.planner).toBe('rules');
    expect(body.warnings.length).toBeGreaterThan(0);
    expect(body.plan.tasks.length).toBeGreaterThan(0);
  });

  it('lists models in OpenAI\'s shape, strategies included', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['mock-fast', 'mock-other', 'auto', 'fastest']));
  });

  it('reports errors the way the client expects: status, message and code', async () => {
    await expect(client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 404, code: 'LA_MODEL_UNKNOWN' });
    await expect(client.chat.completions.create({ model: 'mock-down', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.APIError);
    await expect(client.chat.completions.create({ model: 'mock-fast', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] })).rejects.toMatchObject({ status: 400, code: 'LA_REQUEST_INVALID' });
    const wrongKey = new OpenAI({ apiKey: 'la_tok_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', baseURL: `${h.gateway.url}/v1`, maxRetries: 0 }); // secret-scan: allow (fake value for a test or benchmark)
    const error = await wrongKey.chat.completions.create({ model: 'mock-fast', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).message).toContain('not valid');
    const viewer = new OpenAI({ apiKey: h.tokens.viewer, baseURL: `${h.gateway.url}/v1`, maxRetries: 0 });
    await expect(viewer.chat.completions.create({ model: 'mock-fast', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
  });

  it('asks for JSON when response_format says so', async () => {
    mock.setScript({ models: { ...MOCK_SCRIPT.models, 'mock-fast': { reply: 'json', json: { answer: 42 } } } });
    const completion = await client.chat.completions.create({ model: 'mock-fast', messages: [{ role: 'user', content: 'json please' }], response_format: { type: 'json_object' } });
    expect(JSON.parse(completion.choices[0]?.message.content ?? 'null')).toEqual({ answer: 42 });
  });
});
