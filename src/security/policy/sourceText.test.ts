import type { PolicyJson } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { contextAttributes } from './contextAttributes.js';
import { indexOfByte, positionAt, splitPolicyText } from './sourceText.js';

describe('source text helpers', () => {
  it('cuts policies at the ";" that end them, not at those in strings or comments', () => {
    const text = '// one; "two\npermit (a) when { "x;\\"y" };\n  forbid (b);\n// end';
    expect(splitPolicyText(text).map((c) => [c.text.trim(), c.start])).toEqual([
      ['// one; "two\npermit (a) when { "x;\\"y" };', 13],
      ['forbid (b);', 44],
    ]);
  });

  it('turns indexes and UTF-8 byte offsets into lines and columns', () => {
    expect(positionAt('ab\ncd\ne', 4)).toEqual({ line: 2, column: 2 });
    expect(positionAt('ab', 0)).toEqual({ line: 1, column: 1 });
    const text = 'ğ€x';
    expect(indexOfByte(text, 2)).toBe(1);
    expect(indexOfByte(text, 6)).toBe(3);
    expect(indexOfByte('aé€', 6)).toBe(3);
  });
});

describe('contextAttributes', () => {
  const policy = (conditions: unknown): PolicyJson => ({ effect: 'permit', principal: { op: 'All' }, action: { op: 'All' }, resource: { op: 'All' }, conditions } as PolicyJson);

  it('lists the facts a policy reads, or "all" when it reads the context whole', () => {
    const dot = (attr: string): unknown => ({ '.': { left: { Var: 'context' }, attr } });
    expect(contextAttributes(policy([{ kind: 'when', body: { '&&': { left: dot('approved'), right: { has: { left: { Var: 'context' }, attr: 'mode' } } } } }]))).toEqual(new Set(['approved', 'mode']));
    expect(contextAttributes(policy([{ kind: 'when', body: { has: { left: { Var: 'context' }, attr: ['a', 'b'] } } }]))).toEqual(new Set(['a']));
    expect(contextAttributes(policy([{ kind: 'when', body: { '==': { left: { Var: 'context' }, right: { Record: {} } } } }]))).toBe('all');
    expect(contextAttributes(policy([{ kind: 'unless', body: { '.': { left: { Var: 'context' }, attr: 42 } } }]))).toBe('all');
    expect(contextAttributes(policy([]))).toEqual(new Set());
  });
});
