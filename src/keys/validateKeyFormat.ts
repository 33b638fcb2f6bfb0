import { keyFormat } from './errors.js';
import type { ProviderKind } from './providers.js';

interface FormatRule {
  /** Public prefix every key of this kind starts with. */
  prefix?: string;
  min: number;
  max: number;
  /** `token`: letters, digits, `-`, `_`. `printable`: any visible ASCII character. */
  charset: 'token' | 'printable';
}

const RULES: Readonly<Record<ProviderKind, FormatRule>> = {
  openai: { prefix: 'sk-', min: 20, max: 512, charset: 'token' },
  anthropic: { prefix: 'sk-ant-', min: 40, max: 512, charset: 'token' },
  // Google API keys are exactly "AIza" + 35 characters.
  gemini: { prefix: 'AIza', min: 39, max: 39, charset: 'token' },
  openrouter: { prefix: 'sk-or-', min: 20, max: 512, charset: 'token' },
  // Ollama has no keys of its own; one is only needed behind an authenticating proxy.
  ollama: { min: 8, max: 512, charset: 'printable' },
  'openai-compatible': { min: 8, max: 512, charset: 'printable' },
};

/** Prefixes that identify a key as some other provider's, longest first, for a helpful "wrong provider" message. */
const TELLTALE_PREFIXES: ReadonlyArray<readonly [string, ProviderKind]> = [
  ['sk-ant-', 'anthropic'],
  ['sk-or-', 'openrouter'],
  ['AIza', 'gemini'],
  ['sk-', 'openai'],
];

const isToken = (byte: number): boolean =>
  (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x2d || byte === 0x5f;
const isPrintable = (byte: number): boolean => byte >= 0x21 && byte <= 0x7e;
const isWhitespace = (byte: number): boolean => byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);

function startsWith(key: Uint8Array, prefix: string): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i += 1) if (key[i] !== prefix.charCodeAt(i)) return false;
  return true;
}

/**
 * Checks a key's shape before it is stored: prefix, length and characters for the provider's kind.
 * Works on the bytes, so the key never becomes a string; the error (`LA_KEY_FORMAT`) says what is
 * wrong without repeating any part of the key beyond a public prefix.
 */
export function validateKeyFormat(kind: ProviderKind, key: Uint8Array, provider: string = kind): void {
  const rule = RULES[kind];
  for (let i = 0; i < key.length; i += 1) {
    if (isWhitespace(key[i] as number)) {
      const where = i === 0 ? 'at the start' : i === key.length - 1 ? 'at the end (a trailing newline?)' : `at position ${i + 1}`;
      throw keyFormat(provider, `it contains whitespace ${where}`);
    }
  }
  if (rule.prefix !== undefined && !startsWith(key, rule.prefix)) {
    const other = TELLTALE_PREFIXES.find(([prefix, otherKind]) => otherKind !== kind && startsWith(key, prefix));
    if (other) {
      throw keyFormat(
        provider,
        `it starts with "${other[0]}" as ${other[1]} keys do, but ${kind} keys start with "${rule.prefix}"`,
        `Store it under the right provider: \`localagent config set-key ${other[1]}\`.`,
      );
    }
    throw keyFormat(provider, `${kind} keys start with "${rule.prefix}"`);
  }
  if (key.length < rule.min || key.length > rule.max) {
    const expected = rule.min === rule.max ? `exactly ${rule.min}` : `${rule.min} to ${rule.max}`;
    throw keyFormat(provider, `it is ${key.length} characters long; ${kind} keys are ${expected}`);
  }
  // Keys of a token kind may not reach into another kind's prefix (e.g. "sk-ant-" given as openai).
  const clash = TELLTALE_PREFIXES.find(([prefix, otherKind]) => otherKind !== kind && prefix.length > (rule.prefix?.length ?? 0) && startsWith(key, prefix));
  if (clash && rule.prefix !== undefined) {
    throw keyFormat(
      provider,
      `it starts with "${clash[0]}" as ${clash[1]} keys do`,
      `Store it under the right provider: \`localagent config set-key ${clash[1]}\`.`,
    );
  }
  const allowed = rule.charset === 'token' ? isToken : isPrintable;
  const start = rule.prefix?.length ?? 0;
  for (let i = start; i < key.length; i += 1) {
    if (!allowed(key[i] as number)) {
      const what = rule.charset === 'token' ? 'letters, digits, "-" and "_"' : 'visible ASCII characters';
      throw keyFormat(provider, `character ${i + 1} is not allowed; ${kind} keys contain only ${what}`);
    }
  }
}
