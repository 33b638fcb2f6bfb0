import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprint, maskKey } from './fingerprint.js';

describe('fingerprint', () => {
  it('is the first 16 hex digits of the plain SHA-256, so it can be checked by hand', () => {
    const key = Buffer.from('sk-test-1234567890abcdef');
    expect(fingerprint(key)).toBe(`sha256:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`);
    expect(fingerprint(key)).not.toContain('1234567890');
  });

  it('differs for different keys and is stable for the same key', () => {
    expect(fingerprint(Buffer.from('a'.repeat(30)))).toBe(fingerprint(Buffer.from('a'.repeat(30))));
    expect(fingerprint(Buffer.from('a'.repeat(30)))).not.toBe(fingerprint(Buffer.from('a'.repeat(29) + 'b')));
  });
});

describe('maskKey', () => {
  it('shows the public prefix and the last four characters, like maskSecret', () => {
    expect(maskKey(Buffer.from(`sk-proj-${'x'.repeat(40)}wxyz`))).toBe('sk-proj-…wxyz');
    expect(maskKey(Buffer.from(`sk-ant-api03-${'x'.repeat(40)}1234`))).toBe('sk-ant-…1234');
    expect(maskKey(Buffer.from(`AIza${'y'.repeat(31)}abcd`))).toBe('AIza…abcd');
    expect(maskKey(Buffer.from('plainsecretvalue9876'))).toBe('…9876');
  });

  it('shows nothing of a short key', () => {
    expect(maskKey(Buffer.from('short'))).toBe('…');
  });

  it('works on a view into a larger buffer', () => {
    const big = Buffer.from(`XXXXsk-${'k'.repeat(20)}tailYYYY`);
    expect(maskKey(big.subarray(4, big.length - 4))).toBe('sk-…tail');
  });
});
