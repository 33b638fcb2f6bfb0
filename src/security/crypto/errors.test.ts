import { describe, expect, it } from 'vitest';
import { resultsCipherUnsupported, resultsEncrypted, resultsKeyMismatch, resultsTampered } from './errors.js';

describe('result cipher errors', () => {
  it('say what happened and what to do, with and without a source', () => {
    const encrypted = resultsEncrypted('out.last');
    expect(encrypted).toMatchObject({ code: 'LA_RESULTS_ENCRYPTED', category: 'user', details: { source: 'out.last' } });
    expect(encrypted.message).toContain('out.last');
    expect(encrypted.suggestion).toContain('encrypt_results');
    expect(resultsEncrypted().details).toEqual({});
    expect(resultsEncrypted().message).toMatch(/^The result is encrypted/);
    expect(resultsKeyMismatch('a'.repeat(16), ['b'.repeat(16)]).details).toEqual({ key_id: 'a'.repeat(16), known_key_ids: ['b'.repeat(16)] });
    expect(resultsTampered('why').details).toEqual({ reason: 'why' });
    expect(resultsCipherUnsupported('v9')).toMatchObject({ code: 'LA_RESULTS_CIPHER_UNSUPPORTED', details: { version: 'v9' } });
    expect(resultsCipherUnsupported('v9', 'x').details).toEqual({ version: 'v9', source: 'x' });
  });
});
