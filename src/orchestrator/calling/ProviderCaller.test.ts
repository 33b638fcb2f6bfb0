import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ModelConfig, ProviderConfig } from '../../core/config/index.js';
import { LocalAgentError } from '../../core/errors/index.js';
import { Metrics } from '../../core/metrics/index.js';
import { Resilience, type ResilienceOptions } from '../../core/resilience/index.js';
import { ModelRegistry } from '../registry/index.js';
import type { CallRequest, StreamEvent } from '../types/index.js';
import { ProviderCaller, type ProviderCallerOptions } from './ProviderCaller.js';
import { shouldFailOver } from './shouldFailOver.js';
import { InstantClock, RecordingLogger, RecordingStats, until } from './test-support/fakes.js';
import { MockProviderServer } from './test-support/MockProviderServer.js';

let server: MockProviderServer;

beforeAll(async () => {
  server = await MockProviderServer.start();
  // The SDK prints warnings (e.g. unknown test model names) with console.warn unless told not to;
  // the app routes them to the log with routeAiSdkWarnings.
  (globalThis as { AI_SDK_LOG_WARNINGS?: unknown }).AI_SDK_LOG_WARNINGS = false;
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
});

const KEYS: Record<string, string> = { oa: 'sk-test-openai-0123456789abcdef', an: 'sk-ant-test-0123456789abcdef', ge: 'AIza-test-gemini-key-000000000000000' };

interface Setup {
  providers?: Record<string, Partial<ProviderConfig>>;
  models?: ModelConfig[];
  resilience?: ResilienceOptions;
  caller?: Partial<ProviderCallerOptions>;
  keys?: Record<string, string>;
}

function setup(options: Setup = {}) {
  const base: Record<string, ProviderConfig> = {
    oa: { type: 'openai', base_url: `${server.url}/v1` },
    an: { type: 'anthropic', base_url: `${server.url}/anthropic/v1` },
    ge: { type: 'gemini', base_url: `${server.url}/v1beta` },
    ollama: { type: 'ollama', base_url: `${server.url}/v1` },
    oc: { type: 'openai-compatible', base_url: `${server.url}/v1`, requires_key: false },
  };
  const providers: Record<string, ProviderConfig> = { ...base };
  for (const [name, extra] of Object.entries(options.providers ?? {})) providers[name] = { ...(base[name] ?? { type: 'openai' }), ...extra } as ProviderConfig;
  const registry = new ModelRegistry({
    providers,
    models: options.models ?? [
      { id: 'oa-m', provider: 'oa', model: 'gpt-test', price: { input: 1, output: 2 } },
      { id: 'an-m', provider: 'an', model: 'claude-test', price: { input: 3, output: 15 } },
      { id: 'ge-m', provider: 'ge', model: 'gemini-test', price: { input: 0.5, output: 1 } },
      { id: 'ol-m', provider: 'ollama', model: 'llama-test' },
      { id: 'oc-m', provider: 'oc', model: 'compat-test', price: { input: 1, output: 1 } },
    ],
    builtinModels: false,
  });
  const metrics = new Metrics();
  const clock = new InstantClock();
  const logger = new RecordingLogger();
  const resilience = new Resilience({
    retry: { max_attempts: 3, base_delay_ms: 1, max_delay_ms: 5, jitter: false },
    breaker: { failure_threshold: 10, half_open_after_ms: 60_000 },
    clock,
    metrics,
    logger,
    ...options.resilience,
  });
  const stats = new RecordingStats();
  const keys = options.keys ?? KEYS;
  const keyReads: string[] = [];
  const secrets: string[] = [];
  const caller = new ProviderCaller({
    registry,
    resilience,
    getKey: (provider) => {
      keyReads.push(provider);
      const key = keys[provider];
      return Promise.resolve(key === undefined ? undefined : Buffer.from(key));
    },
    onSecret: (value) => secrets.push(value),
    stats,
    metrics,
    logger,
    ...options.caller,
  });
  return { caller, registry, metrics, clock, logger, stats, resilience, keyReads, secrets };
}

async function collect(stream: AsyncIterable<StreamEvent>): Promise<{ texts: string[]; done?: StreamEvent & { type: 'done' }; error?: LocalAgentError }> {
  const texts: string[] = [];
  let done: (StreamEvent & { type: 'done' }) | undefined;
  try {
    for await (const event of stream) {
      if (event.type === 'text') texts.push(event.text);
      else done = event;
    }
  } catch (error) {
    return { texts, ...(done ? { done } : {}), error: error as LocalAgentError };
  }
  return { texts, ...(done ? { done } : {}) };
}

async function failure(promise: Promise<unknown>): Promise<LocalAgentError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LocalAgentError);
    return error as LocalAgentError;
  }
  throw new Error('expected the call to fail');
}

const ask: CallRequest = { prompt: 'Say hello.' };

describe('ProviderCaller: each provider type', () => {
  it.each([
    ['oa-m', 'oa', 'openai', 1, 2],
    ['an-m', 'an', 'anthropic', 3, 15],
    ['ge-m', 'ge', 'gemini', 0.5, 1],
    ['ol-m', 'ollama', 'openai', 0, 0],
    ['oc-m', 'oc', 'openai', 1, 1],
  ] as const)('generates with %s: text, usage and cost', async (model, provider, protocol, pin, pout) => {
    const { caller, stats } = setup();
    server.enqueue({ kind: 'text', text: 'Hello there.', usage: { input: 1200, output: 300 } });
    const result = await caller.generate(model, { ...ask, system: 'Be brief.', temperature: 0.2, maxOutputTokens: 50, taskKind: 'summarize' });
    expect(result).toMatchObject({ text: 'Hello there.', model, provider, usage: { inputTokens: 1200, outputTokens: 300 }, attempts: 1, finishReason: 'stop' });
    expect(result.costUsd).toBeCloseTo((1200 * pin) / 1e6 + (300 * pout) / 1e6, 12);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(result.firstTokenMs).toBeUndefined();
    const [seen] = server.modelRequests;
    expect(seen?.protocol).toBe(protocol);
    expect(seen?.stream).toBe(false);
    expect(JSON.stringify(seen?.body)).toContain('Be brief.');
    expect(stats.observations).toEqual([expect.objectContaining({ model, taskKind: 'summarize', success: true, inputTokens: 1200, outputTokens: 300 })]);
  });

  it.each(['oa-m', 'an-m', 'ge-m', 'ol-m', 'oc-m'])('streams with %s: text events, then the result with usage and cost', async (model) => {
    const { caller, stats } = setup();
    server.enqueue({ kind: 'text', chunks: ['Hel', 'lo', ' there.'], usage: { input: 100, output: 20 } });
    const { texts, done, error } = await collect(caller.stream(model, ask));
    expect(error).toBeUndefined();
    expect(texts.join('')).toBe('Hello there.');
    expect(done?.result).toMatchObject({ text: 'Hello there.', model, usage: { inputTokens: 100, outputTokens: 20 }, attempts: 1 });
    expect(done?.result.firstTokenMs).toBeGreaterThanOrEqual(0);
    expect(done?.result.latencyMs).toBeGreaterThanOrEqual(done?.result.firstTokenMs ?? 0);
    expect(server.modelRequests[0]?.stream).toBe(true);
    expect(stats.observations[0]).toMatchObject({ model, success: true, firstTokenMs: expect.any(Number) });
  });

  it('sends each provider its own kind of credentials, and none for a keyless provider', async () => {
    const { caller } = setup();
    for (const model of ['oa-m', 'an-m', 'ge-m', 'oc-m']) await caller.generate(model, ask);
    const [openai, anthropic, gemini, compat] = server.modelRequests;
    expect(openai?.headers.authorization).toBe(`Bearer ${KEYS['oa']}`);
    expect(anthropic?.headers['x-api-key']).toBe(KEYS['an']);
    expect(gemini?.headers['x-goog-api-key']).toBe(KEYS['ge']);
    expect(gemini?.path).not.toContain('key=');
    expect(compat?.headers.authorization).toBeUndefined();
  });

  it('logs what the provider says it ignored, as generateText did', async () => {
    const { caller, logger } = setup({ models: [{ id: 'o3', provider: 'oa', model: 'o3-mini' }] });
    await caller.generate('o3', { ...ask, temperature: 0.5 });
    expect(logger.lines.filter((line) => line.includes('"msg":"AI SDK warning"')).join('\n')).toContain('temperature');
  });

  it('uses OpenAI Chat Completions and asks for usage in OpenAI-compatible streams', async () => {
    const { caller } = setup();
    await caller.generate('oa-m', ask);
    await collect(caller.stream('ol-m', ask));
    expect(server.modelRequests[0]?.path).toBe('/v1/chat/completions');
    expect(server.modelRequests[1]?.body['stream_options']).toEqual({ include_usage: true });
  });

  it('estimates usage when the provider reports none, so budgets still see a cost', async () => {
    const { caller } = setup();
    server.enqueue({ kind: 'text', text: 'x'.repeat(40), usage: null });
    const result = await caller.generate('oc-m', { prompt: 'y'.repeat(400) });
    expect(result.usage.outputTokens).toBe(10);
    expect(result.usage.inputTokens).toBeGreaterThanOrEqual(100);
    expect(result.costUsd).toBeGreaterThan(0);
  });

  it('turns system messages into the system prompt and keeps the conversation', async () => {
    const { caller } = setup();
    await caller.generate('an-m', {
      messages: [
        { role: 'system', content: 'Persona.' },
        { role: 'user', content: 'Q1' },
        { role: 'assistant', content: 'A1' },
      ],
      prompt: 'Q2',
    });
    const body = server.modelRequests[0]?.body as { system?: unknown; messages: { role: string }[] };
    expect(JSON.stringify(body.system)).toContain('Persona.');
    expect(body.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('refuses a request with nothing to ask', async () => {
    const { caller } = setup();
    expect((await failure(caller.generate('oa-m', {}))).code).toBe('LA_INPUT_INVALID');
    expect((await failure(caller.generate('nope', ask))).code).toBe('LA_MODEL_UNKNOWN');
    expect(server.modelRequests).toHaveLength(0);
  });
});

describe('ProviderCaller: retries, rate limits and the breaker', () => {
  it('retries a 500 and succeeds on the second attempt', async () => {
    const { caller, stats } = setup();
    server.enqueue({ kind: 'status', status: 500 }, { kind: 'text', text: 'ok' });
    const result = await caller.generate('oa-m', ask);
    expect(result.attempts).toBe(2);
    expect(server.modelRequests).toHaveLength(2);
    expect(stats.observations).toHaveLength(1);
  });

  it('retries a connection reset and a 529 overload', async () => {
    const { caller } = setup();
    server.enqueue({ kind: 'reset' }, { kind: 'status', status: 529 }, { kind: 'text', text: 'ok' });
    expect((await caller.generate('an-m', ask)).attempts).toBe(3);
  });

  it('waits what Retry-After asks (seconds, HTTP date, retry-after-ms)', async () => {
    const { caller, clock } = setup();
    server.enqueue(
      { kind: 'status', status: 429, headers: { 'retry-after': '2' } },
      { kind: 'status', status: 429, headers: { 'retry-after-ms': '150' } },
      { kind: 'text', text: 'ok' },
    );
    const result = await caller.generate('oa-m', ask);
    expect(result.attempts).toBe(3);
    expect(clock.sleeps).toEqual([2000, 150]);

    server.enqueue({ kind: 'status', status: 429, headers: { 'retry-after': new Date(Date.now() + 30_000).toUTCString() } }, { kind: 'text' });
    await caller.generate('oa-m', ask);
    expect(clock.sleeps[2]).toBeGreaterThan(25_000);
    expect(clock.sleeps[2]).toBeLessThanOrEqual(30_000);
  });

  it('fails with a rate-limit error carrying Retry-After when retries run out', async () => {
    const { caller } = setup({ resilience: { retry: { max_attempts: 1 } } });
    server.enqueue({ kind: 'status', status: 429, headers: { 'retry-after': '3' }, message: 'Slow down' });
    const error = await failure(caller.generate('oa-m', ask));
    expect(error).toMatchObject({ code: 'LA_PROVIDER_RATE_LIMITED', category: 'transient', retryAfterMs: 3000, status: 429 });
    expect(error.message).toContain('"oa" (model "oa-m")');
    expect(error.details).toMatchObject({ provider: 'oa', status: 429, model: 'oa-m' });
    expect(shouldFailOver(error)).toBe(true);
  });

  it('opens the breaker after repeated failures and then fails fast without calling', async () => {
    const { caller, resilience } = setup({ resilience: { retry: { max_attempts: 1 }, breaker: { failure_threshold: 2, half_open_after_ms: 60_000 } } });
    server.setDefault({ kind: 'status', status: 503 });
    expect((await failure(caller.generate('oa-m', ask))).code).toBe('LA_PROVIDER_UNAVAILABLE');
    expect((await failure(caller.generate('oa-m', ask))).code).toBe('LA_PROVIDER_UNAVAILABLE');
    const open = await failure(caller.generate('oa-m', ask));
    expect(open.code).toBe('LA_CIRCUIT_OPEN');
    expect(shouldFailOver(open)).toBe(true);
    const streamed = await collect(caller.stream('oa-m', ask));
    expect(streamed.error?.code).toBe('LA_CIRCUIT_OPEN');
    expect(server.modelRequests).toHaveLength(2);
    expect(resilience.breakers.find('oa')?.state).toBe('open');
    // Other providers have their own breakers.
    server.setDefault({ kind: 'text', text: 'ok' });
    expect((await caller.generate('an-m', ask)).text).toBe('ok');
  });

  it('does not retry permanent errors: bad request, context length, auth', async () => {
    const { caller } = setup();
    server.enqueue({ kind: 'status', status: 400, message: 'temperature must be at most 2' });
    const bad = await failure(caller.generate('oa-m', ask));
    expect(bad).toMatchObject({ code: 'LA_PROVIDER_BAD_REQUEST', category: 'permanent' });
    expect(shouldFailOver(bad)).toBe(false);

    server.enqueue({ kind: 'status', status: 400, code: 'context_length_exceeded', message: "This model's maximum context length is 8192 tokens." });
    const context = await failure(caller.generate('oa-m', ask));
    expect(context).toMatchObject({ code: 'LA_CONTEXT_LENGTH', category: 'permanent' });
    expect(shouldFailOver(context)).toBe(true);

    server.enqueue({ kind: 'status', status: 400, message: 'prompt is too long: 210000 tokens > 200000 maximum' });
    expect((await failure(caller.generate('an-m', ask))).code).toBe('LA_CONTEXT_LENGTH');

    server.enqueue({ kind: 'status', status: 401, message: 'invalid x-api-key', code: 'authentication_error' });
    const auth = await failure(caller.generate('an-m', ask));
    expect(auth).toMatchObject({ code: 'LA_PROVIDER_AUTH', status: 401 });
    expect(auth.suggestion).toContain('localagent config set-key an');
    expect(shouldFailOver(auth)).toBe(true);
    expect(server.modelRequests).toHaveLength(4);
  });

  it('reads the key again after the provider refused it', async () => {
    const { caller, keyReads } = setup();
    await caller.generate('oa-m', ask);
    await caller.generate('oa-m', ask);
    expect(keyReads).toEqual(['oa']);
    server.enqueue({ kind: 'status', status: 401 });
    await failure(caller.generate('oa-m', ask));
    await caller.generate('oa-m', ask);
    expect(keyReads).toEqual(['oa', 'oa']);
  });
});

describe('ProviderCaller: timeouts', () => {
  it('fails a stream that sends no text in time with LA_FIRST_TOKEN_TIMEOUT (transient, fails over)', async () => {
    const { caller, stats } = setup({ providers: { oa: { first_token_timeout_ms: 100 } }, resilience: { retry: { max_attempts: 1 } } });
    server.enqueue({ kind: 'hang-after-headers' });
    const { texts, error } = await collect(caller.stream('oa-m', ask));
    expect(texts).toEqual([]);
    expect(error).toMatchObject({ code: 'LA_FIRST_TOKEN_TIMEOUT', category: 'transient' });
    expect(error?.message).toContain('100 ms');
    expect(shouldFailOver(error)).toBe(true);
    expect(stats.observations[0]).toMatchObject({ success: false, errorCode: 'LA_FIRST_TOKEN_TIMEOUT' });
    await until(() => server.inFlight === 0);
  });

  it('retries a stream whose first token is late, and the retry answers', async () => {
    const { caller } = setup({ providers: { an: { first_token_timeout_ms: 100 } } });
    server.enqueue({ kind: 'hang' }, { kind: 'text', chunks: ['fine'] });
    const { texts, done } = await collect(caller.stream('an-m', ask));
    expect(texts).toEqual(['fine']);
    expect(done?.result.attempts).toBe(2);
  });

  it('aborts a request that runs past timeout_ms with LA_TIMEOUT', async () => {
    const { caller } = setup({ providers: { oa: { timeout_ms: 150 } }, resilience: { retry: { max_attempts: 1 } } });
    server.enqueue({ kind: 'hang' });
    const error = await failure(caller.generate('oa-m', ask));
    expect(error).toMatchObject({ code: 'LA_TIMEOUT', category: 'transient' });
    expect(error.message).toContain('150 ms');
    await until(() => server.inFlight === 0);
  });

  it('ends a stream that runs past timeout_ms after its first text, without retrying', async () => {
    const { caller } = setup({ providers: { oa: { timeout_ms: 300, first_token_timeout_ms: 300 } } });
    server.enqueue({ kind: 'text', chunks: ['a', 'b', 'c', 'd'], chunkDelayMs: 150 });
    const { texts, error } = await collect(caller.stream('oa-m', ask));
    expect(texts.length).toBeGreaterThan(0);
    expect(error?.code).toBe('LA_TIMEOUT');
    expect(server.modelRequests).toHaveLength(1);
  });
});

describe('ProviderCaller: cancellation and concurrency', () => {
  it('limits requests in flight per provider', async () => {
    const { caller } = setup({ providers: { oa: { max_concurrency: 2 } } });
    server.setDefault({ kind: 'text', text: 'ok', delayMs: 40 });
    const results = await Promise.all(Array.from({ length: 6 }, () => caller.generate('oa-m', ask)));
    expect(results.every((r) => r.text === 'ok')).toBe(true);
    expect(server.maxInFlight).toBe(2);
    expect(caller.load('oa')).toEqual({ active: 0, pending: 0 });
  });

  it('holds a slot for a whole stream, not just its start', async () => {
    const { caller } = setup({ providers: { oa: { max_concurrency: 1 } } });
    server.setDefault({ kind: 'text', chunks: ['a', 'b', 'c'], chunkDelayMs: 20 });
    const outcomes = await Promise.all([collect(caller.stream('oa-m', ask)), collect(caller.stream('oa-m', ask)), caller.generate('oa-m', ask)]);
    expect(outcomes[0].texts.join('')).toBe('abc');
    expect(server.maxInFlight).toBe(1);
  });

  it('cancels a call waiting for a slot without sending it', async () => {
    const { caller, stats, metrics } = setup({ providers: { oa: { max_concurrency: 1 } } });
    server.enqueue({ kind: 'hang' });
    const first = new AbortController();
    const running = failure(caller.generate('oa-m', { ...ask, signal: first.signal }));
    await until(() => server.inFlight === 1);
    const queued = new AbortController();
    const waiting = failure(caller.generate('oa-m', { ...ask, signal: queued.signal }));
    await until(() => caller.load('oa').pending === 1);
    queued.abort();
    expect((await waiting).code).toBe('LA_CANCELLED');
    expect(server.modelRequests).toHaveLength(1);
    first.abort();
    expect((await running).code).toBe('LA_CANCELLED');
    expect(stats.observations).toEqual([]);
    expect(await metrics.valueOf('localagent_model_calls_total', { model: 'oa-m', outcome: 'cancelled' })).toBe(2);
    // The slots came back: the next call runs.
    expect((await caller.generate('oa-m', ask)).text).toBe('ok');
  });

  it('cancels a request in flight, keeping the caller’s own reason', async () => {
    const { caller } = setup();
    server.setDefault({ kind: 'hang' });
    const controller = new AbortController();
    const pending = failure(caller.generate('oa-m', { ...ask, signal: controller.signal }));
    await until(() => server.inFlight === 1);
    controller.abort();
    const error = await pending;
    expect(error.code).toBe('LA_CANCELLED');
    expect(shouldFailOver(error)).toBe(false);
    expect(server.modelRequests).toHaveLength(1);
    await until(() => server.inFlight === 0);

    const already = new AbortController();
    already.abort();
    expect((await failure(caller.generate('oa-m', { ...ask, signal: already.signal }))).code).toBe('LA_CANCELLED');
  });

  it('cancels a stream mid-way', async () => {
    const { caller } = setup();
    server.enqueue({ kind: 'text', chunks: ['one ', 'two ', 'three ', 'four'], chunkDelayMs: 50 });
    const controller = new AbortController();
    const texts: string[] = [];
    let error: unknown;
    try {
      for await (const event of caller.stream('oa-m', { ...ask, signal: controller.signal })) {
        if (event.type === 'text') {
          texts.push(event.text);
          controller.abort();
        }
      }
    } catch (thrown) {
      error = thrown;
    }
    expect(texts).toEqual(['one ']);
    expect((error as LocalAgentError).code).toBe('LA_CANCELLED');
    await until(() => server.inFlight === 0);
  });

  it('ends the request when the consumer stops reading early', async () => {
    const { caller, metrics, stats } = setup({ providers: { oa: { max_concurrency: 1 } } });
    server.enqueue({ kind: 'text', chunks: ['a', 'b', 'c', 'd'], chunkDelayMs: 30 });
    for await (const event of caller.stream('oa-m', ask)) {
      expect(event).toEqual({ type: 'text', text: 'a' });
      break;
    }
    await until(() => caller.load('oa').active === 0);
    await until(() => server.inFlight === 0);
    expect(await metrics.valueOf('localagent_model_calls_total', { model: 'oa-m', outcome: 'cancelled' })).toBe(1);
    expect(stats.observations).toEqual([]);
  });

  it('never retries once text was yielded: a broken stream ends with the error', async () => {
    const { caller, stats } = setup();
    server.enqueue({ kind: 'reset-mid-stream', chunks: ['Hel', 'lo'] });
    const { texts, done, error } = await collect(caller.stream('oa-m', { ...ask, runId: 'run-broken' }));
    expect(texts.join('')).toBe('Hello');
    expect(done).toBeUndefined();
    expect(error).toMatchObject({ code: 'LA_NETWORK', category: 'transient' });
    expect(server.modelRequests).toHaveLength(1);
    // The broken stream was billed for what it produced; it is counted.
    expect(stats.observations[0]).toMatchObject({ success: false, errorCode: 'LA_NETWORK' });
    expect(stats.observations[0]?.outputTokens).toBeGreaterThan(0);
    expect(caller.spentUsd('run-broken')).toBeGreaterThan(0);
  });

  it('ends a stream on an error event after text, and retries one before text', async () => {
    const { caller } = setup();
    server.enqueue({ kind: 'error-mid-stream', chunks: ['partial '], type: 'overloaded_error', message: 'Overloaded' });
    const after = await collect(caller.stream('an-m', ask));
    expect(after.texts).toEqual(['partial ']);
    expect(after.error).toMatchObject({ code: 'LA_PROVIDER_UNAVAILABLE', category: 'transient' });
    expect(server.modelRequests).toHaveLength(1);

    server.enqueue({ kind: 'error-mid-stream', chunks: [], type: 'overloaded_error', message: 'Overloaded' }, { kind: 'text', chunks: ['fine'] });
    const before = await collect(caller.stream('an-m', ask));
    expect(before.texts).toEqual(['fine']);
    expect(before.done?.result.attempts).toBe(2);
  });

  it('streams an empty answer as a result without text events', async () => {
    const { caller } = setup();
    server.enqueue({ kind: 'text', chunks: [], usage: { input: 5, output: 0 } });
    const { texts, done, error } = await collect(caller.stream('oa-m', ask));
    expect(error).toBeUndefined();
    expect(texts).toEqual([]);
    expect(done?.result).toMatchObject({ text: '', usage: { inputTokens: 5, outputTokens: 0 }, finishReason: 'stop' });
    expect(done?.result.firstTokenMs).toBeUndefined();
  });

  it('retries a stream that fails before its first text', async () => {
    const { caller } = setup();
    server.enqueue({ kind: 'status', status: 502 }, { kind: 'reset' }, { kind: 'text', chunks: ['ok'] });
    const { texts, done } = await collect(caller.stream('ge-m', ask));
    expect(texts).toEqual(['ok']);
    expect(done?.result.attempts).toBe(3);
  });
});

describe('ProviderCaller: structured output', () => {
  const schema = { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name', 'age'], additionalProperties: false };

  it('parses and validates a JSON answer, using JSON mode where the provider has one', async () => {
    const { caller } = setup();
    server.enqueue({ kind: 'text', text: '{"name":"Ada","age":36}' }, { kind: 'text', text: '```json\n{"name":"Bob","age":7}\n```' });
    const openai = await caller.generate('oa-m', { ...ask, schema });
    expect(openai.json).toEqual({ name: 'Ada', age: 36 });
    expect(openai.attempts).toBe(1);
    const anthropic = await caller.generate('an-m', { ...ask, schema });
    expect(anthropic.json).toEqual({ name: 'Bob', age: 7 });
    const [first, second] = server.modelRequests;
    expect(first?.body['response_format']).toEqual({ type: 'json_object' });
    expect(JSON.stringify(first?.body)).toContain('JSON Schema');
    expect(second?.body).not.toHaveProperty('response_format');
    expect(JSON.stringify(second?.body['system'])).toContain('JSON Schema');
  });

  it('repairs an invalid answer once, sending the answer and the problems back', async () => {
    const { caller, stats } = setup();
    server.enqueue({ kind: 'text', text: '{"name":"Ada","age":"old"}', usage: { input: 100, output: 10 } }, { kind: 'text', text: '{"name":"Ada","age":36}', usage: { input: 150, output: 10 } });
    const result = await caller.generate('oa-m', { ...ask, schema });
    expect(result.json).toEqual({ name: 'Ada', age: 36 });
    expect(result.attempts).toBe(2);
    expect(result.usage).toEqual({ inputTokens: 250, outputTokens: 20 });
    expect(result.costUsd).toBeCloseTo((250 * 1 + 20 * 2) / 1e6, 12);
    const repair = server.modelRequests[1]?.body as { messages: { role: string; content: string }[] };
    expect(repair.messages.at(-2)).toMatchObject({ role: 'assistant', content: '{"name":"Ada","age":"old"}' });
    expect(repair.messages.at(-1)?.content).toContain('/age must be integer');
    expect(stats.observations).toHaveLength(1);
  });

  it('fails with LA_MODEL_OUTPUT_INVALID when the repair is invalid too, counting both requests', async () => {
    const { caller, stats } = setup({ caller: { maxCostUsdPerRun: 10 } });
    server.enqueue({ kind: 'text', text: 'Sure! Here it is: {name: Ada}' }, { kind: 'text', text: '{"name":"Ada"}' });
    const error = await failure(caller.generate('oa-m', { ...ask, schema, runId: 'r1' }));
    expect(error).toMatchObject({ code: 'LA_MODEL_OUTPUT_INVALID', category: 'permanent' });
    expect(error.message).toContain("must have required property 'age'");
    expect(shouldFailOver(error)).toBe(true);
    expect(server.modelRequests).toHaveLength(2);
    expect(stats.observations[0]).toMatchObject({ success: false, errorCode: 'LA_MODEL_OUTPUT_INVALID', inputTokens: 20, outputTokens: 10 });
    expect(caller.spentUsd('r1')).toBeCloseTo((20 * 1 + 10 * 2) / 1e6, 12);
  });

  it('validates streamed JSON at the end and repairs it without repeating text', async () => {
    const { caller } = setup();
    server.enqueue({ kind: 'text', chunks: ['{"name":', '"Ada"}'] }, { kind: 'text', text: '{"name":"Ada","age":1}' });
    const { texts, done } = await collect(caller.stream('ge-m', { ...ask, schema }));
    expect(texts.join('')).toBe('{"name":"Ada"}');
    expect(done?.result).toMatchObject({ text: '{"name":"Ada","age":1}', json: { name: 'Ada', age: 1 }, attempts: 2 });
    expect(server.modelRequests[0]?.body['generationConfig']).toMatchObject({ responseMimeType: 'application/json' });
  });

  it('refuses an invalid schema before calling', async () => {
    const { caller } = setup();
    const error = await failure(caller.generate('oa-m', { ...ask, schema: { type: 'nonsense' } }));
    expect(error).toMatchObject({ code: 'LA_SCHEMA_INVALID', category: 'user' });
    expect(shouldFailOver(error)).toBe(false);
    expect((await collect(caller.stream('oa-m', { ...ask, schema: { properties: 3 } }))).error?.code).toBe('LA_SCHEMA_INVALID');
    expect(server.modelRequests).toHaveLength(0);
  });
});

describe('ProviderCaller: budgets', () => {
  it('refuses a call whose worst case exceeds the request limit, before sending', async () => {
    const { caller, metrics, stats } = setup();
    // 4000 chars ≈ 1000 tokens at $1/M + 4096 default output tokens at $2/M ≈ $0.0092.
    const error = await failure(caller.generate('oa-m', { prompt: 'x'.repeat(4000), maxCostUsd: 0.005 }));
    expect(error).toMatchObject({ code: 'LA_BUDGET_EXCEEDED', category: 'user' });
    expect(error.details).toMatchObject({ scope: 'request', limit_usd: 0.005 });
    expect(error.details['worst_case_usd']).toBeCloseTo(0.009192, 6);
    expect(shouldFailOver(error)).toBe(true);
    expect(server.modelRequests).toHaveLength(0);
    expect(stats.observations).toEqual([]);
    expect(await metrics.valueOf('localagent_model_calls_total', { model: 'oa-m', outcome: 'refused' })).toBe(1);
    // A smaller output cap fits.
    expect((await caller.generate('oa-m', { prompt: 'x'.repeat(4000), maxCostUsd: 0.005, maxOutputTokens: 500 })).text).toBe('ok');
  });

  it('applies orchestrator.max_cost_usd_per_call; free models always fit', async () => {
    const { caller } = setup({ caller: { maxCostUsdPerCall: 0.001 } });
    const error = await failure(caller.generate('an-m', ask));
    expect(error.details['scope']).toBe('call');
    expect(error.message).toContain('max_cost_usd_per_call');
    expect((await caller.generate('ol-m', ask)).costUsd).toBe(0);
  });

  it('tracks spending per run and refuses calls once the run budget is used', async () => {
    const { caller } = setup({ caller: { maxCostUsdPerRun: 0.00003 } });
    server.setDefault({ kind: 'text', text: 'ok', usage: { input: 10, output: 5 } });
    await caller.generate('oa-m', { ...ask, runId: 'run-1' });
    expect(caller.spentUsd('run-1')).toBeCloseTo(0.00002, 12);
    await caller.generate('oa-m', { ...ask, runId: 'run-1' });
    const error = await failure(caller.generate('oa-m', { ...ask, runId: 'run-1' }));
    expect(error.details).toMatchObject({ scope: 'run', run_id: 'run-1' });
    expect(shouldFailOver(error)).toBe(false);
    const streamed = await collect(caller.stream('oa-m', { ...ask, runId: 'run-1' }));
    expect(streamed.error?.code).toBe('LA_BUDGET_EXCEEDED');
    // Other runs are unaffected, and a released run starts over.
    await caller.generate('oa-m', { ...ask, runId: 'run-2' });
    caller.releaseRun('run-1');
    expect(caller.spentUsd('run-1')).toBe(0);
    expect(server.modelRequests).toHaveLength(3);
  });
});

describe('ProviderCaller: keys and secrets', () => {
  it('refuses a provider without a key with LA_PROVIDER_NO_KEY and the exact command', async () => {
    const { caller, stats } = setup({ keys: {} });
    const error = await failure(caller.generate('oa-m', ask));
    expect(error).toMatchObject({ code: 'LA_PROVIDER_NO_KEY', category: 'user' });
    expect(error.message).toBe('Provider "oa" needs an API key and none is stored.');
    expect(error.suggestion).toBe('Store one with `localagent config set-key oa` or set LOCALAGENT_OA_API_KEY.');
    expect(shouldFailOver(error)).toBe(true);
    expect(server.modelRequests).toHaveLength(0);
    expect(stats.observations[0]).toMatchObject({ success: false, errorCode: 'LA_PROVIDER_NO_KEY' });
    // Keyless providers work without one.
    expect((await caller.generate('ol-m', ask)).text).toBe('ok');
  });

  it('picks up a key stored after a failed lookup', async () => {
    const keys: Record<string, string> = {};
    const { caller } = setup({ keys });
    await failure(caller.generate('oa-m', ask));
    keys['oa'] = 'sk-later-0123456789abcdefgh';
    expect((await caller.generate('oa-m', ask)).text).toBe('ok');
  });

  it.each([
    ['a key-shaped sentinel', 'sk-SENTINELSENTINEL0123456789'],
    ['a sentinel no pattern knows', 'PLANTED-SENTINEL-VALUE-42'],
  ])('never lets %s reach errors or logs, even when the server echoes it', async (_label, sentinel) => {
    const { caller, logger, secrets } = setup({ keys: { oa: sentinel, an: sentinel }, resilience: { retry: { max_attempts: 2 } } });
    const errors: LocalAgentError[] = [];
    server.enqueue({ kind: 'echo-auth', status: 401 });
    errors.push(await failure(caller.generate('oa-m', ask)));
    server.enqueue({ kind: 'echo-auth', status: 400 }, { kind: 'echo-auth', status: 500 }, { kind: 'echo-auth', status: 500 });
    errors.push(await failure(caller.generate('an-m', ask)));
    errors.push(await failure(caller.generate('an-m', ask)));
    expect(errors.map((e) => e.code)).toEqual(['LA_PROVIDER_AUTH', 'LA_PROVIDER_BAD_REQUEST', 'LA_PROVIDER_UNAVAILABLE']);
    for (const error of errors) {
      const everything = [error.message, error.suggestion, JSON.stringify(error.toJSON()), String(error.stack), String((error.cause as Error | undefined)?.message)].join('\n');
      expect(everything).not.toContain(sentinel);
      expect(everything).toContain('Incorrect API key provided');
    }
    expect(logger.lines.join('\n')).not.toContain(sentinel);
    expect(secrets).toContain(sentinel);
  });
});

describe('ProviderCaller: statistics and metrics', () => {
  it('records successes and failures and counts calls, tokens and cost', async () => {
    const { caller, stats, metrics } = setup({ resilience: { retry: { max_attempts: 1 } } });
    server.enqueue({ kind: 'text', text: 'ok', usage: { input: 1000, output: 500 } }, { kind: 'status', status: 500 });
    await caller.generate('oa-m', ask);
    await failure(caller.generate('oa-m', { ...ask, taskKind: 'plan' }));
    expect(stats.observations.map((o) => [o.taskKind, o.success, o.errorCode])).toEqual([
      ['ai', true, undefined],
      ['plan', false, 'LA_PROVIDER_UNAVAILABLE'],
    ]);
    expect(await metrics.valueOf('localagent_model_calls_total', { model: 'oa-m', provider: 'oa', outcome: 'success' })).toBe(1);
    expect(await metrics.valueOf('localagent_model_calls_total', { model: 'oa-m', provider: 'oa', outcome: 'failure' })).toBe(1);
    expect(await metrics.valueOf('localagent_tokens_total', { model: 'oa-m', direction: 'input' })).toBe(1000);
    expect(await metrics.valueOf('localagent_tokens_total', { model: 'oa-m', direction: 'output' })).toBe(500);
    expect(await metrics.valueOf('localagent_cost_usd_total', { model: 'oa-m' })).toBeCloseTo(0.002, 12);
    expect(await metrics.render()).toContain('localagent_model_call_seconds_count{model="oa-m"} 2');
  });

  it('calls detected Ollama models', async () => {
    const { caller, registry } = setup();
    server.tags = ['qwen2.5:0.5b'];
    const found = await registry.detectOllama();
    expect(found.map((m) => m.id)).toEqual(['ollama/qwen2.5:0.5b']);
    const result = await caller.generate('ollama/qwen2.5:0.5b', ask);
    expect(result).toMatchObject({ provider: 'ollama', costUsd: 0 });
    expect(server.modelRequests[0]?.body['model']).toBe('qwen2.5:0.5b');
  });
});
