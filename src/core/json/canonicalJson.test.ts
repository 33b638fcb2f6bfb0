import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonicalJson.js';

describe('canonicalJson', () => {
  it('sorts object members by key at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('orders keys by UTF-16 code units, as RFC 8785 does', () => {
    expect(canonicalJson({ é: 1, z: 2, Z: 3, '10': 4, '9': 5 })).toBe('{"10":4,"9":5,"Z":3,"z":2,"é":1}');
  });

  it('is the same for the same value built in a different order', () => {
    const a = { x: 1, y: [1, 2], z: { q: 's' } };
    const b = { z: { q: 's' }, y: [1, 2], x: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it('writes strings and numbers as JSON.stringify does', () => {
    expect(canonicalJson('line\n"quoted"\u0001')).toBe(JSON.stringify('line\n"quoted"\u0001'));
    expect(canonicalJson([0.5, 1e21, -0, 10])).toBe('[0.5,1e+21,0,10]');
    expect(canonicalJson(false)).toBe('false');
  });

  it('leaves out members whose value is undefined', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.k = 'v';
    expect(canonicalJson(bare)).toBe('{"k":"v"}');
  });

  it.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a bigint', 1n],
    ['a Date', new Date(0)],
    ['a Buffer', Buffer.from('x')],
    ['a function', () => 1],
    ['undefined in an array', [undefined]],
    ['a Map', new Map()],
  ])('refuses %s with LA_JSON_NOT_CANONICAL and the path', (_label, value) => {
    expect(() => canonicalJson({ outer: value })).toThrowError(expect.objectContaining({ code: 'LA_JSON_NOT_CANONICAL' }));
  });
});
