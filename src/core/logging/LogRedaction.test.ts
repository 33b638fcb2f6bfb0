import { describe, expect, it, vi } from 'vitest';
import { AuthenticationError, LocalAgentError } from '../errors/index.js';
import { Redactor } from '../redact/index.js';
import { LogRedaction, type LogRedactor } from './LogRedaction.js';

const OPENAI = 'sk-proj-abcdefghijklmnopqrstuvwx';
const ANTHROPIC = 'sk-ant-api03-abcdefghijklmnopqrstuvwx';
const GOOGLE = 'AIzaSyA1234567890abcdefghijklmnopqrstu';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlLXBhcnQ';

function redaction(options: { stack?: boolean } = {}): { redaction: LogRedaction; redactor: Redactor } {
  const redactor = new Redactor();
  return { redactor, redaction: new LogRedaction(redactor, { includeStack: () => options.stack ?? false }) };
}

describe('LogRedaction.value', () => {
  it('hides secret fields at any depth and under any spelling', () => {
    const { redaction: r } = redaction();
    const out = r.value({
      apiKey: 'plain-looking-value',
      api_key: 'another-value',
      password: 'hunter2',
      config: { provider: { token: 'abc', 'X-Api-Key': 'x', headers: { Authorization: 'whatever', accept: '*/*' } } },
      list: [{ access_token: 'a' }, { name: 'kept' }],
      empty: { password: '', token: null, secret: false },
    });
    expect(out).toEqual({
      apiKey: '[REDACTED]',
      api_key: '[REDACTED]',
      password: '[REDACTED]',
      config: { provider: { token: '[REDACTED]', 'X-Api-Key': '[REDACTED]', headers: { Authorization: '[REDACTED]', accept: '*/*' } } },
      list: [{ access_token: '[REDACTED]' }, { name: 'kept' }],
      empty: { password: '', token: null, secret: false },
    });
  });

  it('hides secret-shaped values wherever they are', () => {
    const { redaction: r } = redaction();
    const out = r.value({
      note: `keys ${OPENAI} and ${ANTHROPIC}`,
      nested: { deeper: [`google=${GOOGLE}`, `jwt ${JWT}`, 'Bearer abcdefgh12345678'] },
    });
    expect(JSON.stringify(out)).not.toMatch(/sk-proj|sk-ant|AIza|eyJ|abcdefgh12345678/);
    expect(out).toEqual({
      note: 'keys [REDACTED] and [REDACTED]',
      nested: { deeper: ['google=[REDACTED]', 'jwt [REDACTED]', '[REDACTED]'] },
    });
  });

  it('hides the exact secrets registered with the Redactor, whatever they look like', () => {
    const { redaction: r, redactor } = redaction();
    redactor.addSecret('correct horse battery');
    expect(r.value({ said: 'my password is correct horse battery!' })).toEqual({ said: 'my password is [REDACTED]!' });
  });

  it('returns clean values as they are, and never changes the caller’s objects', () => {
    const { redaction: r } = redaction();
    const clean = { a: 1, b: { c: ['x', 'a longer plain string'] }, d: new Date(0) };
    expect(r.value(clean)).toBe(clean);
    const dirty = { keep: { same: true }, token: 'abc', list: ['fine', OPENAI] };
    const out = r.value(dirty) as typeof dirty;
    expect(out).not.toBe(dirty);
    expect(out.keep).toBe(dirty.keep);
    expect(dirty.token).toBe('abc');
    expect(dirty.list[1]).toBe(OPENAI);
  });

  it('redacts object keys that are secrets', () => {
    const { redaction: r } = redaction();
    expect(r.value({ [OPENAI]: 'openai' })).toEqual({ '[REDACTED]': 'openai' });
  });

  it('cuts cycles and very deep values, and describes binary data instead of writing it', () => {
    const { redaction: r } = redaction();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(r.value(cyclic)).toEqual({ name: 'loop', self: '[Circular]' });
    let deep: Record<string, unknown> = { token: 'abc' };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    expect(JSON.stringify(r.value(deep))).toContain('[Truncated]');
    expect(r.value({ body: Buffer.from('secret bytes') })).toEqual({ body: '[Binary 12 bytes]' });
    expect(r.value([1, 'two'])).toEqual([1, 'two']);
  });

  it('redacts what toJSON returns (a URL carrying a key in its query)', () => {
    const { redaction: r } = redaction();
    const out = r.value({ url: new URL(`https://api.example.com/v1?key=${GOOGLE}`) });
    expect(out).toEqual({ url: 'https://api.example.com/v1?key=[REDACTED]' });
  });

  it('redacts class instances by their enumerable fields', () => {
    const { redaction: r } = redaction();
    class Request {
      constructor(
        readonly url: string,
        readonly headers: Record<string, string>,
      ) {}
    }
    expect(r.value(new Request('/v1', { authorization: `Bearer ${OPENAI}` }))).toEqual({ url: '/v1', headers: { authorization: '[REDACTED]' } });
  });
});

describe('LogRedaction.error', () => {
  it('serialises a LocalAgentError with code, category, suggestion and redacted details', () => {
    const { redaction: r } = redaction();
    const error = new AuthenticationError({ message: `Key ${OPENAI} was refused`, provider: 'openai', status: 401, details: { api_key: 'x' } });
    expect(r.error(error)).toEqual({
      type: 'AuthenticationError',
      kind: 'AuthenticationError',
      message: 'Key [REDACTED] was refused',
      code: 'LA_PROVIDER_AUTH',
      category: 'permanent',
      suggestion: AuthenticationError.defaultSuggestion,
      details: { provider: 'openai', status: 401, api_key: '[REDACTED]' },
    });
  });

  it('follows the cause chain, redacting every message, and adds stacks only when asked', () => {
    const root = new Error(`upstream said: invalid key ${ANTHROPIC}`);
    const middle = new Error('request failed', { cause: root });
    const top = new LocalAgentError({ message: 'Could not reach the model', cause: middle });
    const without = redaction({ stack: false }).redaction.error(top);
    expect(without.stack).toBeUndefined();
    expect(without.cause).toMatchObject({ type: 'Error', message: 'request failed', cause: { message: 'upstream said: invalid key [REDACTED]' } });

    const withStack = redaction({ stack: true }).redaction.error(top);
    expect(withStack.stack).toContain('LocalAgentError: Could not reach the model');
    const causeStack = ((withStack.cause as { cause: { stack: string } }).cause).stack;
    expect(causeStack).toContain('upstream said: invalid key [REDACTED]');
    expect(JSON.stringify(withStack)).not.toContain(ANTHROPIC);
  });

  it('keeps the code and other fields of system errors, redacted', () => {
    const { redaction: r } = redaction();
    const error = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', errno: -2, path: `/tmp/${OPENAI}`, password: 'p' });
    expect(r.error(error)).toMatchObject({ type: 'Error', code: 'ENOENT', errno: -2, path: '/tmp/[REDACTED]', password: '[REDACTED]' });
  });

  it('serialises aggregated errors and non-error causes, and stops an error that causes itself', () => {
    const { redaction: r } = redaction();
    const aggregate = new AggregateError([new Error('one'), `two ${OPENAI}`], 'several failed');
    expect(r.error(aggregate).errors).toEqual([{ type: 'Error', kind: 'Error', message: 'one' }, 'two [REDACTED]']);
    expect(r.error(new Error('x', { cause: { token: 'abc' } })).cause).toEqual({ token: '[REDACTED]' });
    const loop = new Error('loop');
    (loop as { cause?: unknown }).cause = loop;
    expect(JSON.stringify(r.error(loop))).toContain('[Truncated]');
  });
});

describe('LogRedaction.args', () => {
  it('redacts the message, format arguments and the merge object in place', () => {
    const { redaction: r } = redaction();
    const args: unknown[] = [{ headers: { authorization: `Bearer ${OPENAI}` } }, `using ${OPENAI}`, GOOGLE, { token: 't' }, 42];
    r.args(args);
    expect(args).toEqual([{ headers: { authorization: '[REDACTED]' } }, 'using [REDACTED]', '[REDACTED]', { token: '[REDACTED]' }, 42]);
    const single = [`only ${JWT}`];
    r.args(single);
    expect(single).toEqual(['only [REDACTED]']);
  });

  it('turns an Error given first into { error } with its message as the line message', () => {
    const { redaction: r } = redaction();
    const args: unknown[] = [new Error(`bad key ${OPENAI}`)];
    r.args(args);
    expect(args).toEqual([{ error: { type: 'Error', kind: 'Error', message: 'bad key [REDACTED]' } }, 'bad key [REDACTED]']);
    const withMessage: unknown[] = [new Error('x'), 'custom'];
    r.args(withMessage);
    expect(withMessage[1]).toBe('custom');
  });

  it('renames err to error and makes error always an object (one mapping in Elasticsearch)', () => {
    const { redaction: r } = redaction();
    const renamed: unknown[] = [{ err: new Error('boom'), task: 't1' }];
    r.args(renamed);
    expect(renamed[0]).toEqual({ task: 't1', error: { type: 'Error', kind: 'Error', message: 'boom' } });
    const text: unknown[] = [{ error: 'just text' }];
    r.args(text);
    expect(text[0]).toEqual({ error: { type: 'NonError', kind: 'NonError', message: 'just text' } });
    const numeric: unknown[] = [{ error: 404 }];
    r.args(numeric);
    expect(numeric[0]).toEqual({ error: { type: 'NonError', kind: 'NonError', message: '404' } });
  });

  it('survives a getter that throws, without writing the unread object', () => {
    const { redaction: r } = redaction();
    const hostile = {
      get boom(): string {
        throw new Error('no');
      },
    };
    const args: unknown[] = [hostile, 'msg', hostile];
    r.args(args);
    expect(args).toEqual([{ unserializable: '[object Object]' }, 'msg', { unserializable: '[object Object]' }]);
    // The walk state was reset: later values are redacted normally.
    expect(r.value({ deep: { token: 'x' } })).toEqual({ deep: { token: '[REDACTED]' } });
  });
});

describe('LogRedaction with a pre-checking redactor', () => {
  it('skips text() for strings the pre-check clears, and still redacts the others', () => {
    const base = new Redactor();
    const text = vi.fn((input: string) => base.text(input));
    const redactor: LogRedactor = {
      text,
      isSecretField: (name) => base.isSecretField(name),
      mayContainSecret: (input) => input.includes('sk-'),
    };
    const r = new LogRedaction(redactor);
    expect(r.value({ a: 'an ordinary sentence', b: `with ${OPENAI}` })).toEqual({ a: 'an ordinary sentence', b: 'with [REDACTED]' });
    expect(text).toHaveBeenCalledTimes(1);
  });

  it('without a pre-check, asks the Redactor about every string long enough to hold a secret', () => {
    const base = new Redactor();
    const text = vi.fn((input: string) => base.text(input));
    const r = new LogRedaction({ text, isSecretField: (name) => base.isSecretField(name) });
    r.value({ short: 'GET', long: 'an ordinary sentence' });
    expect(text.mock.calls).toEqual([['an ordinary sentence']]);
  });
});
