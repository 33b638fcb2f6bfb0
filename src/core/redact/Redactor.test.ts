import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor, maskSecret } from './index.js';

const openai = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
const anthropic = 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
const google = 'AIzaSyA1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6Q';
const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

describe('Redactor', () => {
  const redactor = new Redactor();

  it.each([
    ['OpenAI key', `using ${openai} now`],
    ['Anthropic key', `key=${anthropic}`],
    ['Google key', `?key=${google}&x=1`],
    ['JWT', `token ${jwt}`],
    ['bearer header', 'Authorization: Bearer abcdefghijklmnop123'],
    ['LocalAgent token', 'la_tok_0123456789abcdefghij'],
  ])('hides a %s in text', (_label, text) => {
    const out = redactor.text(text);
    expect(out).toContain(REDACTED);
    for (const secret of [openai, anthropic, google, jwt, 'abcdefghijklmnop123', 'la_tok_0123456789abcdefghij']) {
      expect(out).not.toContain(secret);
    }
  });

  it('leaves ordinary text alone', () => {
    const text = 'Task sk-1 failed: skipped 3 steps; see https://example.com/docs?page=2';
    expect(redactor.text(text)).toBe(text);
  });

  it('hides secret fields whatever they look like, at any depth, without touching the input', () => {
    const input = { provider: 'x', apiKey: 'plain', nested: [{ headers: { Authorization: 'Basic x', 'x-api-key': 'abc' } }], password: 'hunter2', max_tokens: 5, ok: true };
    const out = redactor.value(input);
    expect(out).toEqual({
      provider: 'x',
      apiKey: REDACTED,
      nested: [{ headers: { Authorization: REDACTED, 'x-api-key': REDACTED } }],
      password: REDACTED,
      max_tokens: 5,
      ok: true,
    });
    expect(input.apiKey).toBe('plain');
  });

  it('hides secret-looking values in any field and inside errors', () => {
    const error = new Error(`provider said no to ${openai}`);
    const out = redactor.value({ note: `k=${openai}`, error }) as { note: string; error: { message: string; name: string } };
    expect(out.note).toBe(`k=${REDACTED}`);
    expect(out.error.message).toBe(`provider said no to ${REDACTED}`);
    expect(out.error.name).toBe('Error');
  });

  it('hides the credentials of a URL that carries a password, keeping where it points', () => {
    expect(redactor.text('database postgres://bob:s3cret@db.example:5432/la is down')).toBe(`database ${REDACTED}db.example:5432/la is down`);
    expect(redactor.value({ database: { url: 'postgresql://bob:pw@127.0.0.1/test' } })).toEqual({ database: { url: `${REDACTED}127.0.0.1/test` } });
    const plain = 'see https://example.com/a:b@c, postgres://bob@db/la and postgres://bob:***@db/la';
    expect(redactor.text(plain)).toBe(plain);
  });

  it('hides exact values it was told about, and forgets them on request', () => {
    const own = new Redactor();
    own.addSecret('correct-horse-battery');
    own.addSecret('short');
    expect(own.text('pw is correct-horse-battery!')).toBe(`pw is ${REDACTED}!`);
    expect(own.text('short stays')).toBe('short stays');
    own.removeSecret('correct-horse-battery');
    expect(own.text('correct-horse-battery')).toBe('correct-horse-battery');
  });

  it('copes with cycles, buffers and dates', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    const date = new Date(0);
    expect(redactor.value({ cyclic, buf: Buffer.from('secret'), date })).toEqual({ cyclic: { name: 'a', self: '[Circular]' }, buf: REDACTED, date });
  });

  it('accepts extra patterns and field names', () => {
    const own = new Redactor({ extraPatterns: [/corp-[0-9]{6}/], extraFieldNames: ['session_id'] });
    expect(own.text('id corp-123456')).toBe(`id ${REDACTED}`);
    expect(own.value({ sessionId: 'abc' })).toEqual({ sessionId: REDACTED });
    expect(own.isSecretField('SESSION-ID')).toBe(true);
  });
});

describe('maskSecret', () => {
  it('shows the public prefix and the last four characters only', () => {
    expect(maskSecret(openai)).toBe('sk-proj-…6789');
    expect(maskSecret(anthropic)).toBe('sk-ant-…6789');
    expect(maskSecret(google)).toBe('AIza…O5P6Q'.replace('O5P6Q', '5P6Q'));
    expect(maskSecret('abcdefghijklmnop')).toBe('…mnop');
    expect(maskSecret('short')).toBe('…');
  });
});

describe('Redactor.mayContainSecret', () => {
  it('is false for ordinary text and true whenever text() would change something', () => {
    const redactor = new Redactor();
    redactor.addSecret('plain-but-registered');
    const samples = [
      'GET /v1/runs 200 in 3 ms',
      'Task sk-1 failed: skipped',
      `key ${openai}`,
      `bearer abcdefghijklmnop`,
      jwt,
      google,
      'the plain-but-registered value',
    ];
    for (const sample of samples) {
      const changes = redactor.text(sample) !== sample;
      if (changes) expect(redactor.mayContainSecret(sample), sample).toBe(true);
    }
    expect(redactor.mayContainSecret('GET /v1/runs 200 in 3 ms')).toBe(false);
    expect(redactor.mayContainSecret('the plain-but-registered value')).toBe(true);
  });
});

describe('Redactor verdict cache', () => {
  it('forgets cached verdicts when a secret is added or removed', () => {
    const redactor = new Redactor();
    const text = 'value is hunter2-hunter2';
    expect(redactor.mayContainSecret(text)).toBe(false);
    redactor.addSecret('hunter2-hunter2');
    expect(redactor.mayContainSecret(text)).toBe(true);
    redactor.removeSecret('hunter2-hunter2');
    expect(redactor.mayContainSecret(text)).toBe(false);
  });

  it('stays bounded and correct for many distinct strings', () => {
    const redactor = new Redactor();
    for (let i = 0; i < 12_000; i++) expect(redactor.mayContainSecret(`line number ${i}`)).toBe(false);
    expect(redactor.mayContainSecret(`x ${'a'.repeat(300)} sk-proj-abcdefghijklmnopqrstuvwx`)).toBe(true);
  });
});

describe('Redactor.strings', () => {
  it('hides secret shapes and known secrets in every string and key, but leaves field names alone', () => {
    const redactor = new Redactor();
    redactor.addSecret('plain-registered-secret');
    const input = { key: 'a label', token: 3, nested: [{ text: `use ${openai} here` }, 'plain-registered-secret'], [openai]: 'as a key' };
    const out = redactor.strings(input);
    expect(out).toEqual({ key: 'a label', token: 3, nested: [{ text: `use ${REDACTED} here` }, REDACTED], [REDACTED]: 'as a key' });
    expect(input.key).toBe('a label');
    const cyclic: Record<string, unknown> = { a: 'x' };
    cyclic.self = cyclic;
    expect(redactor.strings(cyclic)).toEqual({ a: 'x', self: '[Circular]' });
    expect(redactor.strings('short')).toBe('short');
  });
});
