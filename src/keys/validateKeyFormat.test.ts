import { describe, expect, it } from 'vitest';
import { KEYS } from './test-support/testHome.js';
import { validateKeyFormat } from './validateKeyFormat.js';

const fails = (kind: Parameters<typeof validateKeyFormat>[0], key: string): { message: string; suggestion: string; code: string } => {
  try {
    validateKeyFormat(kind, Buffer.from(key));
  } catch (error) {
    const e = error as { message: string; suggestion: string; code: string };
    // Whatever is wrong, the message never repeats the key.
    if (key.length >= 20) expect(e.message).not.toContain(key.slice(8, 20));
    return e;
  }
  throw new Error('expected a format error');
};

describe('validateKeyFormat', () => {
  it('accepts well-formed keys of every kind', () => {
    expect(() => validateKeyFormat('openai', Buffer.from(KEYS.openai))).not.toThrow();
    expect(() => validateKeyFormat('openai', Buffer.from(`sk-${'a'.repeat(48)}`))).not.toThrow();
    expect(() => validateKeyFormat('anthropic', Buffer.from(KEYS.anthropic))).not.toThrow();
    expect(() => validateKeyFormat('gemini', Buffer.from(KEYS.gemini))).not.toThrow();
    expect(() => validateKeyFormat('openrouter', Buffer.from(KEYS.openrouter))).not.toThrow();
    expect(() => validateKeyFormat('openai-compatible', Buffer.from('any.Visible~chars!'))).not.toThrow();
    expect(() => validateKeyFormat('ollama', Buffer.from('proxy-token-123'))).not.toThrow();
  });

  it('checks the prefix', () => {
    expect(fails('openai', `pk-${'a'.repeat(40)}`)).toMatchObject({ code: 'LA_KEY_FORMAT', message: expect.stringContaining('start with "sk-"') });
    expect(fails('gemini', `AIzb${'a'.repeat(35)}`).message).toContain('"AIza"');
  });

  it('says when a key belongs to another provider', () => {
    expect(fails('openai', KEYS.anthropic)).toMatchObject({ message: expect.stringContaining('as anthropic keys do'), suggestion: expect.stringContaining('set-key anthropic') });
    expect(fails('openai', KEYS.openrouter).suggestion).toContain('set-key openrouter');
    expect(fails('anthropic', KEYS.openai).suggestion).toContain('set-key openai');
    expect(fails('openrouter', KEYS.gemini).suggestion).toContain('set-key gemini');
  });

  it('checks the length', () => {
    expect(fails('openai', 'sk-short').message).toContain('8 characters long; openai keys are 20 to 512');
    expect(fails('gemini', `AIza${'a'.repeat(36)}`).message).toContain('exactly 39');
    expect(fails('openai-compatible', 'seven77').message).toContain('8 to 512');
    expect(fails('openai-compatible', 'x'.repeat(513)).message).toContain('513');
  });

  it('checks the characters', () => {
    expect(fails('openai', `sk-${'a'.repeat(30)}$${'b'.repeat(5)}`).message).toContain('character 34');
    expect(fails('openai-compatible', `abcdefgh${'\u00e9'}`).message).toContain('visible ASCII');
    expect(fails('openai-compatible', 'abc\u0000defghi').message).toContain('character 4');
  });

  it('names whitespace and where it is', () => {
    expect(fails('openai', `${KEYS.openai}\n`).message).toContain('at the end (a trailing newline?)');
    expect(fails('openai', ` ${KEYS.openai}`).message).toContain('at the start');
    expect(fails('openai-compatible', 'abcd efghijk').message).toContain('at position 5');
  });

  it('uses the provider name given in messages', () => {
    expect(() => validateKeyFormat('openai', Buffer.from('nope'), 'work-openai')).toThrowError(/work-openai/);
  });
});
