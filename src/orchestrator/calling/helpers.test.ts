import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from './ConcurrencyLimiter.js';
import { costOf, estimateTokens, RunBudget, worstCaseCost } from './CostBudget.js';
import { buildPrompt, promptChars } from './prompt.js';
import { parseRetryAfterMs } from './retryAfter.js';
import { checkJsonAnswer, SchemaValidator } from './structuredOutput.js';

describe('parseRetryAfterMs', () => {
  const now = Date.UTC(2025, 0, 1, 12);
  it.each([
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after-ms': '250.4' }, 251],
    [{ 'retry-after-ms': '100', 'retry-after': '9' }, 100],
    [{ 'retry-after-ms': 'soon', 'retry-after': '2' }, 2000],
    [{ 'retry-after': new Date(now + 5000).toUTCString() }, 5000],
    [{ 'retry-after': new Date(now - 5000).toUTCString() }, 0],
    [{ 'retry-after': 'whenever' }, undefined],
    [{ 'retry-after': '-1' }, undefined],
    [{ 'retry-after': '1.2.3' }, undefined],
    [{}, undefined],
    [undefined, undefined],
  ])('%j → %s', (headers, expected) => {
    expect(parseRetryAfterMs(headers, now)).toBe(expected);
  });
});

describe('costs and budgets', () => {
  it('prices usage per million tokens and estimates the worst case', () => {
    expect(costOf({ inputTokens: 1_000_000, outputTokens: 500_000 }, { input: 3, output: 15 })).toBeCloseTo(10.5, 10);
    expect(estimateTokens(9)).toBe(3);
    expect(worstCaseCost(4000, undefined, { input: 1, output: 2 })).toBeCloseTo((1000 + 4096 * 2) / 1e6, 12);
    expect(worstCaseCost(4000, 10, { input: 0, output: 0 })).toBe(0);
  });

  it('tracks spending per run, forgets the least recently active run beyond its bound', () => {
    const budget = new RunBudget({ maxCostUsdPerRun: 1, maxRuns: 2 });
    budget.add('a', 0.6);
    expect(budget.exhausted('a')).toBe(false);
    budget.add('a', 0.4);
    expect(budget.exhausted('a')).toBe(true);
    budget.add('b', 0);
    budget.add('b', 0);
    budget.add('c', 0.1);
    expect(budget.spent('a')).toBe(0);
    expect(budget.spent('c')).toBeCloseTo(0.1, 10);
    budget.release('c');
    expect(budget.spent('c')).toBe(0);
    expect(new RunBudget().exhausted('x')).toBe(false);
  });
});

describe('ConcurrencyLimiter', () => {
  it('limits, queues in order, and follows a changed limit', async () => {
    const limiter = new ConcurrencyLimiter();
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number) => async () => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(i);
      active -= 1;
    };
    await Promise.all([0, 1, 2, 3, 4].map((i) => limiter.run('p', 2, undefined, task(i))));
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    peak = 0;
    await Promise.all([0, 1, 2, 3].map((i) => limiter.run('p', 3, undefined, task(i))));
    expect(peak).toBe(3);
    expect(limiter.load('other')).toEqual({ active: 0, pending: 0 });
  });

  it('rejects a waiter that aborts, passes its turn on, and ignores double releases', async () => {
    const limiter = new ConcurrencyLimiter();
    const release = await limiter.acquire('p', 1);
    const controller = new AbortController();
    const waiting = limiter.acquire('p', 1, controller.signal);
    const next = limiter.acquire('p', 1);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'LA_CANCELLED' });
    release();
    release();
    const releaseNext = await next;
    releaseNext();
    const aborted = new AbortController();
    aborted.abort();
    await expect(limiter.acquire('p', 1, aborted.signal)).rejects.toMatchObject({ code: 'LA_CANCELLED' });
  });
});

describe('prompts', () => {
  it('counts characters of system and messages', () => {
    const prompt = buildPrompt({ system: 'abc', prompt: 'hello' }, 'json please');
    expect(prompt.system).toBe('abc\n\njson please');
    expect(promptChars(prompt)).toBe('abc\n\njson please'.length + 5);
    expect(promptChars({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] })).toBeGreaterThan(2);
    expect(() => buildPrompt({ messages: [{ role: 'assistant', content: 'x' }] })).toThrow(/prompt or at least one user message/);
  });
});

describe('structured output', () => {
  const schema = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'], additionalProperties: false };

  it('finds the JSON in common wrappings and explains what is wrong', () => {
    const validator = new SchemaValidator();
    const validate = validator.compile(schema);
    expect(checkJsonAnswer('{"n":1}', validate)).toEqual({ ok: true, value: { n: 1 } });
    expect(checkJsonAnswer('```json\n{"n":2}\n```', validate)).toEqual({ ok: true, value: { n: 2 } });
    expect(checkJsonAnswer('Here you go: {"n":3}. Enjoy!', validate)).toEqual({ ok: true, value: { n: 3 } });
    expect(checkJsonAnswer('   ', validate)).toEqual({ ok: false, problems: ['the answer is empty'] });
    expect(checkJsonAnswer('{n:1}', validate)).toMatchObject({ ok: false, problems: [expect.stringContaining('not valid JSON')] });
    expect(checkJsonAnswer('{"n":1,"m":2}', validate)).toEqual({ ok: false, problems: ['the value must NOT have additional properties ("m")'] });
    expect(checkJsonAnswer('{"n":"x"}', validate)).toEqual({ ok: false, problems: ['/n must be number'] });
  });

  it('compiles draft-07 and 2020-12 schemas, reuses equal ones, and bounds its cache', () => {
    const validator = new SchemaValidator(2);
    const a = validator.compile(schema);
    expect(validator.compile(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>)).toBe(a);
    const modern = validator.compile({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'string' }] });
    expect(modern(['x'])).toBe(true);
    expect(modern([1])).toBe(false);
    validator.compile({ type: 'string' });
    validator.compile({ type: 'number' });
    expect(validator.compile(schema)).not.toBe(a);
  });

  it('refuses invalid schemas with LA_SCHEMA_INVALID', () => {
    const validator = new SchemaValidator();
    expect(() => validator.compile({ type: 'nonsense' })).toThrow(expect.objectContaining({ code: 'LA_SCHEMA_INVALID' }));
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    expect(() => validator.compile(circular)).toThrow(expect.objectContaining({ code: 'LA_SCHEMA_INVALID' }));
  });
});
