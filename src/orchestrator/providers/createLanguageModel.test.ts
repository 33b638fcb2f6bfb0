import { describe, expect, it } from 'vitest';
import { RecordingLogger } from '../calling/test-support/fakes.js';
import type { ProviderSpec, ProviderType } from '../types/index.js';
import { createLanguageModel, supportsJsonMode } from './createLanguageModel.js';
import { routeAiSdkWarnings } from './routeAiSdkWarnings.js';

const spec = (type: ProviderType): ProviderSpec => ({
  name: `p-${type}`,
  type,
  baseUrl: 'http://127.0.0.1:1/v1',
  requiresKey: type !== 'ollama',
  timeoutMs: 1000,
  firstTokenTimeoutMs: 1000,
  maxConcurrency: 1,
});

describe('createLanguageModel', () => {
  it.each([
    ['openai', 'p-openai.chat'],
    ['anthropic', 'anthropic.messages'],
    ['gemini', 'google.generative-ai'],
    ['ollama', 'p-ollama.chat'],
    ['openai-compatible', 'p-openai-compatible.chat'],
  ] as const)('makes a %s model speaking the right API', (type, provider) => {
    const model = createLanguageModel({ provider: spec(type), model: 'm-1', apiKey: type === 'ollama' ? undefined : 'k' });
    expect(model.specificationVersion).toBe('v3');
    expect(model.modelId).toBe('m-1');
    expect(model.provider).toBe(provider);
  });

  it('uses JSON mode only where the provider honours it', () => {
    expect(['openai', 'anthropic', 'gemini', 'ollama', 'openai-compatible'].filter((t) => supportsJsonMode(t as ProviderType))).toEqual(['openai', 'gemini', 'ollama']);
  });
});

describe('routeAiSdkWarnings', () => {
  it('sends SDK warnings to the logger', () => {
    const slot = globalThis as { AI_SDK_LOG_WARNINGS?: unknown };
    const before = slot.AI_SDK_LOG_WARNINGS;
    const logger = new RecordingLogger();
    routeAiSdkWarnings(logger);
    (slot.AI_SDK_LOG_WARNINGS as (o: unknown) => void)({ warnings: [{ type: 'other', message: 'x' }], provider: 'p', model: 'm' });
    expect(logger.lines).toEqual([expect.stringContaining('"msg":"AI SDK warning"')]);
    slot.AI_SDK_LOG_WARNINGS = before;
  });
});
