import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../core/config/index.js';
import { ConfigurationError, LocalAgentError, UserInputError } from '../../core/errors/index.js';
import { RecordingLogger } from '../calling/test-support/fakes.js';
import type { ModelCatalog } from '../selection/index.js';
import { MockProviderServer } from '../calling/test-support/MockProviderServer.js';
import { BUILTIN_MODELS } from './builtins.js';
import { fetchOllamaModels } from './fetchOllamaModels.js';
import { ModelRegistry } from './ModelRegistry.js';

function thrown(fn: () => unknown): LocalAgentError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LocalAgentError);
    return error as LocalAgentError;
  }
  throw new Error('expected an error');
}

describe('ModelRegistry: providers', () => {
  it('knows the built-in providers with defaults', () => {
    const registry = new ModelRegistry();
    expect(registry.providers().map((p) => p.name)).toEqual(['anthropic', 'gemini', 'ollama', 'openai', 'openrouter']);
    expect(registry.provider('openai')).toEqual({
      name: 'openai',
      type: 'openai',
      baseUrl: 'https://api.openai.com/v1',
      requiresKey: true,
      timeoutMs: 60_000,
      firstTokenTimeoutMs: 15_000,
      maxConcurrency: 8,
    });
    expect(registry.provider('anthropic').baseUrl).toBe('https://api.anthropic.com/v1');
    expect(registry.provider('gemini').baseUrl).toBe('https://generativelanguage.googleapis.com/v1beta');
    expect(registry.provider('openrouter')).toMatchObject({ type: 'openai-compatible', baseUrl: 'https://openrouter.ai/api/v1', requiresKey: true });
    expect(registry.provider('ollama')).toMatchObject({ type: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1', requiresKey: false });
  });

  it('merges configured providers over built-in ones, config winning field by field', () => {
    const registry = new ModelRegistry({
      providers: {
        openai: { type: 'openai', timeout_ms: 5_000, max_concurrency: 2 },
        ollama: { type: 'ollama', base_url: 'http://10.0.0.5:11434/v1/' },
        work: { type: 'anthropic' },
        local: { type: 'openai-compatible', base_url: 'http://127.0.0.1:8080/v1', first_token_timeout_ms: 500 },
        keyed: { type: 'ollama', requires_key: true },
      },
    });
    expect(registry.provider('openai')).toMatchObject({ baseUrl: 'https://api.openai.com/v1', timeoutMs: 5_000, maxConcurrency: 2, firstTokenTimeoutMs: 15_000 });
    expect(registry.provider('ollama').baseUrl).toBe('http://10.0.0.5:11434/v1');
    expect(registry.provider('work')).toMatchObject({ type: 'anthropic', baseUrl: 'https://api.anthropic.com/v1', requiresKey: true });
    expect(registry.provider('local')).toMatchObject({ requiresKey: true, firstTokenTimeoutMs: 500 });
    expect(registry.provider('keyed').requiresKey).toBe(true);
  });

  it('does not lend a built-in URL to a provider whose type was changed', () => {
    const error = thrown(() => new ModelRegistry({ providers: { openai: { type: 'openai-compatible' } } }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('providers.openai has type "openai-compatible" but no base_url');
  });

  it('names an unknown provider with a did-you-mean', () => {
    const error = thrown(() => new ModelRegistry().provider('opneai'));
    expect(error).toBeInstanceOf(UserInputError);
    expect(error.code).toBe('LA_PROVIDER_UNKNOWN');
    expect(error.message).toBe('There is no provider "opneai". Did you mean "openai"?');
  });

  it('hands out copies', () => {
    const registry = new ModelRegistry();
    registry.provider('openai').timeoutMs = 1;
    expect(registry.provider('openai').timeoutMs).toBe(60_000);
  });
});

describe('ModelRegistry: models', () => {
  it('takes configured models with defaults for price and capabilities', () => {
    const registry = new ModelRegistry({
      models: [
        { id: 'fast', provider: 'openai', model: 'gpt-4o-mini', price: { input: 0.15, output: 0.6 }, context_window: 128_000, capabilities: ['text', 'vision'] },
        { id: 'local', provider: 'ollama', model: 'llama3.1:8b' },
      ],
    });
    expect(registry.model('fast')).toEqual({
      id: 'fast',
      provider: 'openai',
      model: 'gpt-4o-mini',
      contextWindow: 128_000,
      price: { input: 0.15, output: 0.6 },
      capabilities: ['text', 'vision'],
    });
    expect(registry.model('local')).toEqual({ id: 'local', provider: 'ollama', model: 'llama3.1:8b', price: { input: 0, output: 0 }, capabilities: ['text', 'json'] });
    expect(registry.get('local')?.id).toBe('local');
    expect(registry.get('nope')).toBeUndefined();
  });

  it('claims json only where the provider has a JSON mode LocalAgent uses', () => {
    const registry = new ModelRegistry({
      providers: { compat: { type: 'openai-compatible', base_url: 'http://127.0.0.1:1/v1' } },
      models: [
        { id: 'o', provider: 'openai', model: 'm' },
        { id: 'g', provider: 'gemini', model: 'm' },
        { id: 'a', provider: 'anthropic', model: 'm' },
        { id: 'c', provider: 'compat', model: 'm' },
      ],
    });
    expect(['o', 'g', 'a', 'c'].map((id) => registry.model(id).capabilities)).toEqual([['text', 'json'], ['text', 'json'], ['text'], ['text']]);
  });

  it('offers built-in models only for providers that have a key', async () => {
    const registry = new ModelRegistry({ models: [{ id: 'mine', provider: 'anthropic', model: 'x' }] });
    const asked: string[] = [];
    const available = await registry.availableModels((provider) => {
      asked.push(provider);
      if (provider === 'gemini') return Promise.reject(new Error('keyring locked'));
      return Promise.resolve(provider === 'openai');
    });
    expect(asked.sort()).toEqual(['anthropic', 'gemini', 'openai']);
    expect(available[0]?.id).toBe('mine');
    expect(new Set(available.slice(1).map((m) => m.provider))).toEqual(new Set(['openai']));
  });

  it('lists configured models first, then built-in ones that no configured id replaces', () => {
    const registry = new ModelRegistry({
      models: [
        { id: 'openai/gpt-4o-mini', provider: 'openai', model: 'gpt-4o-mini', price: { input: 9, output: 9 } },
        { id: 'mine', provider: 'anthropic', model: 'claude-x' },
      ],
    });
    const ids = registry.list().map((m) => m.id);
    expect(ids.slice(0, 2)).toEqual(['openai/gpt-4o-mini', 'mine']);
    expect(ids.filter((id) => id === 'openai/gpt-4o-mini')).toHaveLength(1);
    expect(registry.model('openai/gpt-4o-mini').price).toEqual({ input: 9, output: 9 });
    expect(ids).toContain('anthropic/claude-sonnet-4-5');
    expect(registry.model('gemini/gemini-2.5-flash').price.input).toBeGreaterThan(0);
    expect(new ModelRegistry({ builtinModels: false }).list()).toEqual([]);
  });

  it('gives every built-in model a price and a built-in provider', () => {
    const registry = new ModelRegistry();
    for (const model of BUILTIN_MODELS) {
      expect(registry.provider(model.provider).name).toBe(model.provider);
      expect(model.price.input + model.price.output).toBeGreaterThan(0);
    }
  });

  it('rejects unknown providers and duplicate ids together, clearly', () => {
    const error = thrown(
      () =>
        new ModelRegistry({
          models: [
            { id: 'a', provider: 'openai', model: 'x' },
            { id: 'a', provider: 'openai', model: 'y' },
            { id: 'b', provider: 'antropic', model: 'z' },
          ],
        }),
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.code).toBe('LA_CONFIG_INVALID');
    expect(error.message).toContain('2 problems');
    expect(error.message).toContain('models[1] ("a"): the id "a" is already used by models[0]');
    expect(error.message).toContain('models[2] ("b") names the provider "antropic", which is neither built in nor configured under providers:. Did you mean "anthropic"?');
    expect(error.details['problems']).toHaveLength(2);
    const single = thrown(() => new ModelRegistry({ models: [{ id: 'c', provider: 'nowhere', model: 'z' }] }));
    expect(single.message).toMatch(/^Invalid model configuration: models\[0\] \("c"\)/);
  });

  it('explains an unknown model id with a did-you-mean and the list command', () => {
    const registry = new ModelRegistry({ models: [{ id: 'fast', provider: 'openai', model: 'x' }] });
    const error = thrown(() => registry.model('fsat'));
    expect(error).toBeInstanceOf(UserInputError);
    expect(error.code).toBe('LA_MODEL_UNKNOWN');
    expect(error.message).toBe('There is no model "fsat". Did you mean "fast"?');
    expect(error.suggestion).toContain('localagent models list');
    expect(registry.findModel('fsat')).toBeUndefined();
  });

  it('is the catalog selection reads', () => {
    const catalog: ModelCatalog = new ModelRegistry();
    expect(catalog.get('openai/gpt-4o')?.provider).toBe('openai');
  });

  it('builds from a parsed config', () => {
    const config = configSchema.parse({
      providers: { local: { type: 'openai-compatible', base_url: 'http://127.0.0.1:1234/v1', requires_key: false } },
      models: [{ id: 'l', provider: 'local', model: 'm' }],
      orchestrator: { default_model: 'l' },
    });
    const registry = ModelRegistry.fromConfig(config);
    expect(registry.defaultModel()?.id).toBe('l');
    expect(registry.provider('local').requiresKey).toBe(false);
  });

  it('resolves the configured default model; an unknown default is an error', () => {
    expect(new ModelRegistry().defaultModel()).toBeUndefined();
    expect(new ModelRegistry({ models: [{ id: 'x', provider: 'openai', model: 'm' }] }).defaultModel()).toBeUndefined();
    expect(new ModelRegistry({ orchestrator: { default_model: 'openai/gpt-4o' } }).defaultModel()?.id).toBe('openai/gpt-4o');
    expect(thrown(() => new ModelRegistry({ orchestrator: { default_model: 'gone' } }).defaultModel()).code).toBe('LA_MODEL_UNKNOWN');
  });
});

describe('ModelRegistry: Ollama detection', () => {
  let server: MockProviderServer;
  beforeAll(async () => {
    server = await MockProviderServer.start();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  it('offers the models a running Ollama has, as ollama/<name> at price 0', async () => {
    server.tags = ['llama3.1:8b', 'qwen2.5:0.5b', 'bad name!', 'llama3.1:8b'];
    const logger = new RecordingLogger();
    const registry = new ModelRegistry({ providers: { ollama: { type: 'ollama', base_url: `${server.url}/v1` } }, logger });
    const found = await registry.detectOllama();
    expect(found.map((m) => m.id)).toEqual(['ollama/llama3.1:8b', 'ollama/qwen2.5:0.5b']);
    expect(registry.model('ollama/qwen2.5:0.5b')).toEqual({ id: 'ollama/qwen2.5:0.5b', provider: 'ollama', model: 'qwen2.5:0.5b', price: { input: 0, output: 0 }, capabilities: ['text', 'json'] });
    expect(server.requests[0]?.path).toBe('/api/tags');
    expect(logger.lines.some((l) => l.includes('found a local Ollama'))).toBe(true);
  });

  it('never shadows configured models', async () => {
    server.tags = ['llama3.1:8b', 'phi3', 'mistral'];
    const registry = new ModelRegistry({
      models: [
        { id: 'ollama/phi3', provider: 'openai', model: 'not-ollama' },
        { id: 'my-mistral', provider: 'ollama', model: 'mistral' },
      ],
    });
    const found = await registry.detectOllama({ baseUrl: server.url });
    expect(found.map((m) => m.id)).toEqual(['ollama/llama3.1:8b']);
    expect(registry.model('ollama/phi3').provider).toBe('openai');
    expect(registry.list().map((m) => m.id).slice(0, 3)).toEqual(['ollama/phi3', 'my-mistral', 'ollama/llama3.1:8b']);
  });

  it('offers nothing, without throwing, when Ollama is absent, not Ollama, slow, or switched off', async () => {
    const registry = new ModelRegistry({ providers: { ollama: { type: 'ollama', base_url: `${server.url}/v1` } } });
    server.tags = null;
    expect(await registry.detectOllama()).toEqual([]);
    // Nothing listens on port 9 of loopback.
    expect(await registry.detectOllama({ baseUrl: 'http://127.0.0.1:9' })).toEqual([]);
    expect(await registry.detectOllama({ baseUrl: `${server.url}/nothing-here` })).toEqual([]);

    const hanging: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const slowUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    expect(await registry.detectOllama({ baseUrl: slowUrl, timeoutMs: 50 })).toEqual([]);
    hanging.closeAllConnections();
    hanging.close();

    server.tags = ['llama3'];
    const off = new ModelRegistry({ providers: { ollama: { type: 'ollama', base_url: `${server.url}/v1` } }, orchestrator: { detect_ollama: false } });
    expect(await off.detectOllama()).toEqual([]);
    expect(server.requests.filter((r) => r.protocol === 'tags')).toHaveLength(1);
  });

  it('forgets models when Ollama goes away', async () => {
    server.tags = ['llama3'];
    const registry = new ModelRegistry({ providers: { ollama: { type: 'ollama', base_url: `${server.url}/v1` } } });
    await registry.detectOllama();
    expect(registry.findModel('ollama/llama3')).toBeDefined();
    server.tags = null;
    await registry.detectOllama();
    expect(registry.findModel('ollama/llama3')).toBeUndefined();
  });
});

describe('fetchOllamaModels', () => {
  const respond = (body: unknown, status = 200): typeof fetch => () => Promise.resolve(new Response(typeof body === 'string' ? body : JSON.stringify(body), { status }));

  it('reads names and ignores anything that is not an Ollama answer', async () => {
    const base = { baseUrl: 'http://ollama.test', timeoutMs: 100 };
    expect(await fetchOllamaModels({ ...base, fetch: respond({ models: [{ name: 'a' }, { name: '' }, {}, 'x', null] }) })).toEqual(['a']);
    expect(await fetchOllamaModels({ ...base, fetch: respond({ nope: true }) })).toBeUndefined();
    expect(await fetchOllamaModels({ ...base, fetch: respond('null') })).toBeUndefined();
    expect(await fetchOllamaModels({ ...base, fetch: respond('<html>') })).toBeUndefined();
    expect(await fetchOllamaModels({ ...base, fetch: respond({}, 500) })).toBeUndefined();
    expect(await fetchOllamaModels({ ...base, fetch: () => Promise.reject(new TypeError('fetch failed')) })).toBeUndefined();
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const hang: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const pending = fetchOllamaModels({ baseUrl: 'http://ollama.test', timeoutMs: 10_000, fetch: hang, signal: controller.signal });
    controller.abort();
    expect(await pending).toBeUndefined();
  });
});
