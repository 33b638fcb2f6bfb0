import { describe, expect, it } from 'vitest';
import { providerNameSchema } from '../core/config/index.js';
import { dataKeyName, envVarsFor, isDataKeyName, kindOf, localAgentEnvVar, normaliseProvider, PROVIDER_NAME_PATTERN, providerForEnvVar, STORED_NAME_PATTERN } from './providers.js';

describe('providers', () => {
  it('normalises names to lower case and refuses anything else', () => {
    expect(normaliseProvider(' OpenAI ')).toBe('openai');
    expect(normaliseProvider('my-llm_v2')).toBe('my-llm_v2');
    for (const bad of ['', '-x', '__proto__', 'a b', 'a.b', 'x'.repeat(64), 'über', 42 as unknown as string]) {
      expect(() => normaliseProvider(bad)).toThrowError(expect.objectContaining({ code: 'LA_KEY_PROVIDER_INVALID' }));
    }
  });

  it('accepts exactly the provider names the config accepts', () => {
    const names = ['openai', 'my-llm_2', 'a', '9x', 'x'.repeat(63), 'x'.repeat(64), 'a.b', '-a', '_a', 'A', 'a b', ''];
    for (const name of names) {
      const ours = (() => {
        try {
          return normaliseProvider(name) === name;
        } catch {
          return false;
        }
      })();
      expect(ours, name).toBe(providerNameSchema.safeParse(name).success);
    }
  });

  it('lists the override variables, LocalAgent-specific first', () => {
    expect(envVarsFor('openai')).toEqual(['LOCALAGENT_OPENAI_API_KEY', 'OPENAI_API_KEY']);
    expect(envVarsFor('anthropic')).toEqual(['LOCALAGENT_ANTHROPIC_API_KEY', 'ANTHROPIC_API_KEY']);
    expect(envVarsFor('gemini')).toEqual(['LOCALAGENT_GEMINI_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_GENERATIVE_AI_API_KEY']);
    expect(envVarsFor('openrouter')).toEqual(['LOCALAGENT_OPENROUTER_API_KEY', 'OPENROUTER_API_KEY']);
    expect(envVarsFor('my-llm-v2')).toEqual(['LOCALAGENT_MY_LLM_V2_API_KEY']);
    expect(localAgentEnvVar('a_b-c')).toBe('LOCALAGENT_A_B_C_API_KEY');
  });

  it('infers the kind from the name', () => {
    expect(kindOf('openai')).toBe('openai');
    expect(kindOf('google')).toBe('gemini');
    expect(kindOf('ollama')).toBe('ollama');
    expect(kindOf('ollama-box')).toBe('openai-compatible');
  });

  it('maps environment variables back to providers', () => {
    expect(providerForEnvVar('OPENAI_API_KEY')).toBe('openai');
    expect(providerForEnvVar('GOOGLE_GENERATIVE_AI_API_KEY')).toBe('gemini');
    expect(providerForEnvVar('LOCALAGENT_MY_LLM_API_KEY')).toBe('my_llm');
    expect(providerForEnvVar('LOCALAGENT_MY_LLM_API_KEY', ['other', 'my-llm'])).toBe('my-llm');
    expect(providerForEnvVar('LOCALAGENT_MASTER_PASSWORD')).toBeUndefined();
    expect(providerForEnvVar('LOCALAGENT_API_KEY')).toBeUndefined();
    expect(providerForEnvVar('LOCALAGENT___API_KEY')).toBeUndefined();
    expect(providerForEnvVar('PATH')).toBeUndefined();
  });
});

describe('stored names', () => {
  it('are provider names or data-key names, and nothing else', () => {
    expect(dataKeyName('results')).toBe('data-key:results');
    for (const name of ['openai', 'my-llm_2', 'data-key:results']) expect(STORED_NAME_PATTERN.test(name), name).toBe(true);
    for (const name of ['', 'OpenAI', 'data-key:', 'data-key:Results', 'data-key:results:x', 'key:results', 'a'.repeat(64)]) expect(STORED_NAME_PATTERN.test(name), name).toBe(false);
    // No provider name can be a data key name.
    expect(PROVIDER_NAME_PATTERN.test('data-key:results')).toBe(false);
    expect(isDataKeyName('data-key-results')).toBe(false);
  });
});
