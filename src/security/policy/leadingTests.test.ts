import type { CedarValueJson, PolicyJson } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { leadingTests, wholeConditionTest } from './leadingTests.js';

describe('leadingTests', () => {
  const when = (body: unknown): PolicyJson => ({ effect: 'permit', principal: { op: 'All' }, action: { op: 'All' }, resource: { op: 'All' }, conditions: [{ kind: 'when', body }] } as PolicyJson);
  const fact = (attr: string): unknown => ({ '.': { left: { Var: 'context' }, attr } });
  const holds = (body: unknown, context: Record<string, CedarValueJson>): (boolean | undefined)[] => leadingTests(when(body)).map((test) => test.holds(context));

  it('evaluates plain tests of facts, three-valued', () => {
    const like = (pattern: unknown[]): unknown => ({ like: { left: fact('name'), pattern } });
    const pem = like(['Wildcard', { Literal: '.' }, { Literal: 'p' }, { Literal: 'e' }, { Literal: 'm' }]);
    expect(holds(pem, { name: 'a.pem' })).toEqual([true]);
    expect(holds(pem, { name: '.pem' })).toEqual([true]);
    expect(holds(pem, { name: 'a.pemx' })).toEqual([false]);
    expect(holds(like([{ Literal: 'a' }, 'Wildcard', { Literal: 'b' }, 'Wildcard']), { name: 'axxbyy' })).toEqual([true]);
    expect(holds(like([{ Literal: 'a' }, 'Wildcard', { Literal: 'b' }]), { name: 'abab' })).toEqual([true]);
    expect(holds(like([{ Literal: 'a' }, 'Wildcard', { Literal: 'b' }]), { name: 'abac' })).toEqual([false]);
    expect(holds(pem, { name: 42 })).toEqual([undefined]);
    expect(holds({ '!=': { left: fact('program'), right: { Value: 'git' } } }, { program: 'ls' })).toEqual([true]);
    expect(holds({ '==': { left: fact('program'), right: { Value: 'git' } } }, {})).toEqual([undefined]);
    expect(holds({ has: { left: { Var: 'context' }, attr: 'mode' } }, { mode: 'x' })).toEqual([true]);
    expect(holds({ '||': { left: fact('a'), right: fact('b') } }, { a: false, b: false })).toEqual([false]);
    expect(holds({ '||': { left: fact('a'), right: fact('b') } }, { a: false })).toEqual([undefined]);
    // Left to right, as Cedar: an operand it cannot evaluate before a deciding one is an error there.
    expect(holds({ '||': { left: fact('a'), right: fact('b') } }, { a: true })).toEqual([true]);
    expect(holds({ '||': { left: fact('a'), right: fact('b') } }, { b: true })).toEqual([undefined]);
    expect(holds({ '&&': { left: fact('a'), right: fact('b') } }, { a: false })).toEqual([false, undefined]);
    expect(holds({ '!': { arg: { '&&': { left: fact('a'), right: fact('b') } } } }, { b: false })).toEqual([undefined]);
    expect(holds({ '!': { arg: fact('a') } }, { a: 'text' })).toEqual([undefined]);
    expect(holds({ contains: { left: { Set: [{ Value: 'x' }] }, right: fact('p') } }, { p: ['x'] })).toEqual([undefined]);
    expect(holds({ isEmpty: { arg: fact('s') } }, { s: 'x' })).toEqual([undefined]);
    expect(holds({ contains: { left: fact('s'), right: { Value: 'x' } } }, { s: 'x' })).toEqual([undefined]);
  });

  it('stops at the first link that is not a plain test, and looks only at a leading when', () => {
    const and = (left: unknown, right: unknown): unknown => ({ '&&': { left, right } });
    expect(leadingTests(when(and(and(fact('a'), { '>': { left: fact('n'), right: { Value: 1 } } }), fact('b')))).map((t) => t.key)).toEqual(['a']);
    expect(leadingTests(when({ '||': { left: fact('a'), right: { '>': { left: fact('n'), right: { Value: 1 } } } } }))).toEqual([]);
    expect(leadingTests(when({ contains: { left: { Set: [{ Var: 'principal' }] }, right: fact('p') } }))).toEqual([]);
    expect(leadingTests({ ...when(fact('a')), conditions: [{ kind: 'unless', body: fact('a') }] } as PolicyJson)).toEqual([]);
    expect(leadingTests({ ...when(fact('a')), conditions: [] } as PolicyJson)).toEqual([]);
  });

  it('turns a policy that is nothing but tests of facts into one test, as Cedar would evaluate it', () => {
    const policy = (conditions: { kind: 'when' | 'unless'; body: unknown }[], scope: object = {}): PolicyJson =>
      ({ ...when(true), conditions, ...scope } as PolicyJson);
    const both = wholeConditionTest(policy([{ kind: 'when', body: fact('a') }, { kind: 'unless', body: fact('b') }]));
    expect(both?.({ a: true, b: false })).toBe(true);
    expect(both?.({ a: true, b: true })).toBe(false);
    expect(both?.({ a: false })).toBe(false);
    expect(both?.({ a: true })).toBeUndefined();
    expect(wholeConditionTest(policy([]))?.({})).toBe(true);
    // Anything else needs Cedar: a scope on the principal or resource, a comparison, a principal attribute.
    expect(wholeConditionTest(policy([{ kind: 'when', body: fact('a') }], { principal: { op: '==', entity: { type: 'User', id: 'u' } } }))).toBeUndefined();
    expect(wholeConditionTest(policy([{ kind: 'when', body: fact('a') }], { resource: { op: 'is', entity_type: 'Path' } }))).toBeUndefined();
    expect(wholeConditionTest(policy([{ kind: 'when', body: { '>': { left: fact('n'), right: { Value: 1 } } } }]))).toBeUndefined();
    expect(wholeConditionTest(policy([{ kind: 'when', body: fact('a') }, { kind: 'when', body: { '.': { left: { Var: 'principal' }, attr: 'x' } } }]))).toBeUndefined();
  });
});
