import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createResultCipher } from '../../security/crypto/index.js';
import { decodeLastFile, encodeLastFile, LAST_ENCRYPTED_VERSION } from './lastFileFormat.js';

const cipher = createResultCipher({ key: randomBytes(32) });
const json = JSON.stringify({ last: 1, run_id: 'run-x', secret_output: 'SENTINEL-7f3a' });

describe('.last file format', () => {
  it('is the JSON itself without a cipher, one line ending in a newline', () => {
    expect(encodeLastFile(json)).toBe(`${json}\n`);
    expect(decodeLastFile(encodeLastFile(json), 'f')).toEqual(JSON.parse(json));
  });

  it('is a small envelope that holds nothing in the clear with a cipher, and opens back to the same value', () => {
    const text = encodeLastFile(json, cipher);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).not.toContain('SENTINEL');
    expect(text).not.toContain('run-x');
    const envelope = JSON.parse(text) as { last_encrypted: number; cipher: string };
    expect(Object.keys(envelope)).toEqual(['last_encrypted', 'cipher']);
    expect(envelope.last_encrypted).toBe(LAST_ENCRYPTED_VERSION);
    expect(envelope.cipher).toMatch(/^la-enc:v1:/);
    expect(decodeLastFile(text, 'f', cipher)).toEqual(JSON.parse(json));
  });

  it('also opens bare sealed text (a value copied out of the database)', () => {
    expect(decodeLastFile(`${cipher.seal(json)}\n`, 'f', cipher)).toEqual(JSON.parse(json));
  });

  it('reads plain files with a cipher too (results written before encryption was turned on)', () => {
    expect(decodeLastFile(`${json}\n`, 'f', cipher)).toEqual(JSON.parse(json));
  });

  it('says the result is encrypted when there is no cipher, for an envelope and for bare sealed text', () => {
    expect(() => decodeLastFile(encodeLastFile(json, cipher), 'out.last')).toThrow(expect.objectContaining({ code: 'LA_RESULTS_ENCRYPTED', details: { source: 'out.last' } }));
    expect(() => decodeLastFile(cipher.seal(json), 'out.last')).toThrow(expect.objectContaining({ code: 'LA_RESULTS_ENCRYPTED' }));
  });

  it('reports text that is not JSON as LA_LAST_INVALID, and an altered envelope as tampered', () => {
    expect(() => decodeLastFile('{ not json', 'bad.last', cipher)).toThrow(expect.objectContaining({ code: 'LA_LAST_INVALID' }));
    const text = encodeLastFile(json, cipher);
    const envelope = JSON.parse(text) as { cipher: string };
    const payload = envelope.cipher.slice(envelope.cipher.lastIndexOf(':') + 1);
    const changed = envelope.cipher.replace(payload, `${payload[0] === 'A' ? 'B' : 'A'}${payload.slice(1)}`);
    expect(() => decodeLastFile(JSON.stringify({ ...envelope, cipher: changed }), 'x.last', cipher)).toThrow(expect.objectContaining({ code: 'LA_RESULTS_TAMPERED' }));
    // Sealed text that is not JSON once opened (sealed by hand) is not a result either.
    expect(() => decodeLastFile(cipher.seal('not json'), 'y.last', cipher)).toThrow(expect.objectContaining({ code: 'LA_LAST_INVALID' }));
  });
});
