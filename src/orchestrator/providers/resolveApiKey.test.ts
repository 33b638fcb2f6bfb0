import { describe, expect, it } from 'vitest';
import { SecretStoreError } from '../../core/errors/index.js';
import type { ProviderSpec } from '../types/index.js';
import { keySourceFromStore } from './KeySource.js';
import { missingKeyError, providerKeyEnvVar, resolveApiKey } from './resolveApiKey.js';

const spec = (name: string, requiresKey = true): ProviderSpec => ({
  name,
  type: 'openai',
  baseUrl: 'https://example.test/v1',
  requiresKey,
  timeoutMs: 1000,
  firstTokenTimeoutMs: 1000,
  maxConcurrency: 1,
});

describe('resolveApiKey', () => {
  it('returns the key as a string, zero-fills the buffer and reports the secret', async () => {
    const buffer = Buffer.from(' sk-abcdefghijklmnop \n');
    const secrets: string[] = [];
    const key = await resolveApiKey(spec('openai'), { getKey: () => Promise.resolve(buffer), onSecret: (s) => secrets.push(s) });
    expect(key).toBe('sk-abcdefghijklmnop');
    expect(secrets).toEqual(['sk-abcdefghijklmnop']);
    expect(buffer.every((b) => b === 0)).toBe(true);
  });

  it('refuses a provider that needs a key and has none, naming the exact commands', async () => {
    for (const getKey of [() => Promise.resolve(undefined), () => Promise.resolve(Buffer.from('  '))]) {
      let error: unknown;
      try {
        await resolveApiKey(spec('my-llm'), { getKey });
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toMatchObject({
        code: 'LA_PROVIDER_NO_KEY',
        category: 'user',
        provider: 'my-llm',
        suggestion: 'Store one with `localagent config set-key my-llm` or set LOCALAGENT_MY_LLM_API_KEY.',
      });
    }
  });

  it('lets keyless providers go without a key, even when the key store fails', async () => {
    expect(await resolveApiKey(spec('ollama', false), { getKey: () => Promise.resolve(undefined) })).toBeUndefined();
    expect(await resolveApiKey(spec('ollama', false), { getKey: () => Promise.reject(new Error('keyring locked')) })).toBeUndefined();
    expect(await resolveApiKey(spec('local', false), { getKey: () => Promise.resolve(Buffer.from('optional-key-123')) })).toBe('optional-key-123');
  });

  it('passes on key store failures for providers that need a key', async () => {
    const failure = new SecretStoreError({ code: 'LA_KEYRING_UNAVAILABLE', message: 'locked' });
    await expect(resolveApiKey(spec('openai'), { getKey: () => Promise.reject(failure) })).rejects.toBe(failure);
  });

  it('names the LocalAgent variable for any provider name', () => {
    expect(providerKeyEnvVar('openai')).toBe('LOCALAGENT_OPENAI_API_KEY');
    expect(providerKeyEnvVar('my.llm-2')).toBe('LOCALAGENT_MY_LLM_2_API_KEY');
    expect(missingKeyError(spec('x'), new Error('why')).cause).toBeInstanceOf(Error);
  });
});

describe('keySourceFromStore', () => {
  const notFound = new SecretStoreError({ code: 'LA_KEY_NOT_FOUND', category: 'user', message: 'No API key is stored.' });

  it('returns the stored key, undefined when none is stored, and other failures as they are', async () => {
    const store = {
      get: (provider: string) => {
        if (provider === 'openai') return Promise.resolve({ value: Buffer.from('sk-1') });
        if (provider === 'anthropic') return Promise.reject(notFound);
        return Promise.reject(new Error('vault corrupt'));
      },
    };
    const getKey = keySourceFromStore(store);
    expect((await getKey('openai'))?.toString()).toBe('sk-1');
    expect(await getKey('anthropic')).toBeUndefined();
    await expect(getKey('gemini')).rejects.toThrow('vault corrupt');
  });

  it('opens a lazily created store on first use only', async () => {
    let opened = 0;
    const getKey = keySourceFromStore(() => {
      opened += 1;
      return Promise.resolve({ get: () => Promise.resolve({ value: Buffer.from('k') }) });
    });
    expect(opened).toBe(0);
    await getKey('openai');
    expect(opened).toBe(1);
  });
});
