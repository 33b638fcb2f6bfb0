import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LocalAgentError } from '../../core/errors/index.js';
import { createResultCipher, dataKeyId, ResultCipher } from './index.js';

const PREFIX = /^la-enc:v1:[0-9a-f]{16}:[A-Za-z0-9_-]+$/;

function thrown(fn: () => unknown): LocalAgentError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LocalAgentError);
    return error as LocalAgentError;
  }
  throw new Error('expected a throw');
}

/** Flips one bit of the payload byte at `index` (negative: from the end) and re-encodes it. */
function flip(sealed: string, index: number): string {
  const at = sealed.lastIndexOf(':') + 1;
  const bytes = Buffer.from(sealed.slice(at), 'base64url');
  const i = index < 0 ? bytes.length + index : index;
  bytes[i] = (bytes[i] as number) ^ 0x01;
  return sealed.slice(0, at) + bytes.toString('base64url');
}

describe('ResultCipher', () => {
  const key = randomBytes(32);

  it('round-trips text of any size and script, as a printable envelope that names the key', () => {
    const cipher = createResultCipher({ key });
    for (const plain of ['', 'x', '{"last":1,"tasks":[]}', 'ünïcödé · 日本語 · 🙂', 'y'.repeat(1_000_000)]) {
      const sealed = cipher.seal(plain);
      expect(sealed).toMatch(PREFIX);
      expect(cipher.isSealed(sealed)).toBe(true);
      expect(cipher.open(sealed)).toBe(plain);
    }
    expect(cipher.seal('abc').split(':')[2]).toBe(createHash('sha256').update(key).digest('hex').slice(0, 16));
    expect(cipher.keyId).toBe(dataKeyId(key));
  });

  it('uses a fresh nonce each time, so equal plain texts give different envelopes', () => {
    const cipher = createResultCipher({ key });
    // More than two pools of pre-drawn nonces: no nonce comes back after a refill.
    const sealed = Array.from({ length: 2100 }, () => cipher.seal('same text'));
    expect(new Set(sealed).size).toBe(2100);
    const nonces = new Set(sealed.map((s) => Buffer.from(s.slice(s.lastIndexOf(':') + 1), 'base64url').subarray(0, 12).toString('hex')));
    expect(nonces.size).toBe(2100);
    expect(sealed.every((s) => cipher.open(s) === 'same text')).toBe(true);
  });

  it('never contains the plain text or the key', () => {
    const cipher = createResultCipher({ key });
    const sealed = cipher.seal('SENTINEL-PLAIN-TEXT');
    expect(sealed).not.toContain('SENTINEL');
    expect(Buffer.from(sealed).includes(key)).toBe(false);
    expect(sealed).not.toContain(key.toString('base64url'));
    expect(sealed).not.toContain(key.toString('hex'));
  });

  it('passes plain text through open unchanged, and says it is not sealed', () => {
    const cipher = createResultCipher({ key });
    for (const plain of ['{"a":1}', '', 'la-enc', 'LA-ENC:v1:x', 'plain la-enc:v1: inside']) {
      expect(cipher.isSealed(plain)).toBe(false);
      expect(cipher.open(plain)).toBe(plain);
    }
  });

  it('detects a flipped bit anywhere: nonce, ciphertext or tag → LA_RESULTS_TAMPERED', () => {
    const cipher = createResultCipher({ key });
    const sealed = cipher.seal('the result of a run');
    for (const index of [0, 11, 12, 20, -16, -1]) {
      const error = thrown(() => cipher.open(flip(sealed, index), 'run-1.last.json'));
      expect(error.code).toBe('LA_RESULTS_TAMPERED');
      expect(error.message).toContain('run-1.last.json');
      expect(error.message).not.toContain('the result of a run');
    }
  });

  it('binds the version and key id: a header edited to another key id fails, it is never opened with that key', () => {
    const other = randomBytes(32);
    const cipher = createResultCipher({ key, previousKeys: [other] });
    const sealed = cipher.seal('bound');
    const moved = sealed.replace(cipher.keyId, dataKeyId(other));
    expect(thrown(() => cipher.open(moved)).code).toBe('LA_RESULTS_TAMPERED');
  });

  it('refuses malformed envelopes as tampered, and unknown versions as unsupported', () => {
    const cipher = createResultCipher({ key });
    const sealed = cipher.seal('x');
    const [, , id, payload] = sealed.split(':');
    const cases: [string, string][] = [
      ['la-enc:', 'LA_RESULTS_TAMPERED'],
      ['la-enc:v1', 'LA_RESULTS_TAMPERED'],
      [`la-enc:v1:${id}`, 'LA_RESULTS_TAMPERED'],
      [`la-enc:v1:${id}:${payload}:extra`, 'LA_RESULTS_TAMPERED'],
      [`la-enc:v1:NOTHEX0000000000:${payload}`, 'LA_RESULTS_TAMPERED'],
      [`la-enc:v1:${id}:not base64!`, 'LA_RESULTS_TAMPERED'],
      [`la-enc:v1:${id}:AAAA`, 'LA_RESULTS_TAMPERED'],
      [`la-enc:v1:${id}:${(payload as string).slice(0, -8)}`, 'LA_RESULTS_TAMPERED'],
      [`la-enc:v2:${id}:${payload}`, 'LA_RESULTS_CIPHER_UNSUPPORTED'],
      [`la-enc:xyz:${id}:${payload}`, 'LA_RESULTS_TAMPERED'],
    ];
    for (const [value, code] of cases) expect(thrown(() => cipher.open(value)).code, value).toBe(code);
    // A trailing newline (a file read as is) is tolerated.
    expect(cipher.open(`${sealed}\n`)).toBe('x');
  });

  it('names the key it would need when another key sealed the value → LA_RESULTS_KEY_MISMATCH', () => {
    const lost = createResultCipher({ key: randomBytes(32) });
    const sealed = lost.seal('sealed with a lost key');
    const error = thrown(() => createResultCipher({ key }).open(sealed, 'the database'));
    expect(error.code).toBe('LA_RESULTS_KEY_MISMATCH');
    expect(error.category).toBe('user');
    expect(error.message).toContain(lost.keyId);
    expect(error.message).toContain(dataKeyId(key));
    expect(error.suggestion).toMatch(/backup/);
    expect(error.details).toMatchObject({ key_id: lost.keyId, source: 'the database' });
  });

  it('opens what an earlier key sealed after a rotation, and seals with the new one', () => {
    const old = randomBytes(32);
    const before = createResultCipher({ key: old }).seal('before rotation');
    const rotated = createResultCipher({ key, previousKeys: [old, old] });
    expect(rotated.keyIds).toEqual([dataKeyId(key), dataKeyId(old)]);
    expect(rotated.open(before)).toBe('before rotation');
    expect(rotated.seal('after').split(':')[2]).toBe(dataKeyId(key));
  });

  it('does not depend on the caller keeping its key buffer', () => {
    const mine = Buffer.from(key);
    const cipher = createResultCipher({ key: mine });
    const sealed = cipher.seal('still opens');
    mine.fill(0);
    expect(cipher.open(sealed)).toBe('still opens');
    expect(createResultCipher({ key }).open(sealed)).toBe('still opens');
  });

  it('refuses keys that are not 32 bytes, and any use after dispose', () => {
    expect(thrown(() => new ResultCipher(randomBytes(16))).code).toBe('LA_INTERNAL');
    expect(thrown(() => createResultCipher({ key, previousKeys: [randomBytes(31)] })).code).toBe('LA_INTERNAL');
    const cipher = createResultCipher({ key });
    const sealed = cipher.seal('x');
    cipher.dispose();
    expect(thrown(() => cipher.seal('y')).code).toBe('LA_INTERNAL');
    expect(thrown(() => cipher.open(sealed)).code).toBe('LA_INTERNAL');
    expect(cipher.open('plain still passes')).toBe('plain still passes');
  });
});
