import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createResultCipher, KeylessCipher } from './index.js';

describe('KeylessCipher (encryption off)', () => {
  const keyless = new KeylessCipher();

  it('keeps plain text as it is, both ways', () => {
    expect(keyless.seal('{"a":1}')).toBe('{"a":1}');
    expect(keyless.open('{"a":1}')).toBe('{"a":1}');
    expect(keyless.isSealed('{"a":1}')).toBe(false);
  });

  it('recognises a value sealed while encryption was on, and says it needs the key', () => {
    const sealed = createResultCipher({ key: randomBytes(32) }).seal('secret result');
    expect(keyless.isSealed(sealed)).toBe(true);
    expect(() => keyless.open(sealed, 'the stored result of run-1')).toThrow(expect.objectContaining({ code: 'LA_RESULTS_ENCRYPTED', message: expect.stringContaining('run-1') }));
  });
});
