import { describe, expect, it } from 'vitest';
import { parseJsonBody } from './parseJsonBody.js';

describe('parseJsonBody', () => {
  it('parses JSON; an empty body is none', () => {
    expect(parseJsonBody('{"a":[1,"proto"]}')).toEqual({ a: [1, 'proto'] });
    expect(parseJsonBody('')).toBeUndefined();
    expect(parseJsonBody('  \n')).toBeUndefined();
    expect(parseJsonBody('{"constructor": {"name": "x"}}')).toEqual({ constructor: { name: 'x' } });
  });

  it('refuses prototype pollution, escaped or not', () => {
    for (const text of ['{"__proto__":{"x":1}}', '{"a":{"\\u005f_proto__":{}}}', '{"constructor":{"prototype":{"x":1}}}']) {
      expect(() => parseJsonBody(text), text).toThrow(expect.objectContaining({ code: 'LA_REQUEST_INVALID', details: { reason: 'prototype_pollution' } }) as Error);
    }
  });

  it('refuses malformed JSON', () => {
    expect(() => parseJsonBody('{"a":')).toThrow(expect.objectContaining({ code: 'LA_REQUEST_INVALID', details: { reason: 'malformed_json' } }) as Error);
  });
});
