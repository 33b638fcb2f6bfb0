import { describe, expect, it } from 'vitest';
import type { LocalAgentError } from '../../core/errors/index.js';
import type { AltTask } from '../../formats/index.js';
import { Conditions } from './conditions.js';
import { durationMs, formatMs } from './durations.js';
import { ReadyQueue } from './ReadyQueue.js';
import { TaskTemplates } from './templates.js';

describe('ReadyQueue', () => {
  it('pops higher priority first, then lower index', () => {
    const priorities = [0, 5, 0, -1, 5, 10, 0];
    const queue = new ReadyQueue(priorities);
    for (const i of [6, 3, 0, 4, 2, 1, 5]) queue.push(i);
    expect(queue.size).toBe(7);
    const order: number[] = [];
    for (let i = queue.pop(); i !== undefined; i = queue.pop()) order.push(i);
    expect(order).toEqual([5, 1, 4, 0, 2, 6, 3]);
    queue.push(1);
    queue.clear();
    expect(queue.pop()).toBeUndefined();
  });

  it('stays ordered over many pushes and pops', () => {
    const n = 2000;
    const priorities = Array.from({ length: n }, (_, i) => (i * 7919) % 13);
    const queue = new ReadyQueue(priorities);
    for (let i = n - 1; i >= 0; i -= 1) queue.push(i);
    const order: number[] = [];
    for (let i = queue.pop(); i !== undefined; i = queue.pop()) order.push(i);
    const expected = [...order].sort((a, b) => (priorities[b] as number) - (priorities[a] as number) || a - b);
    expect(order).toEqual(expected);
  });
});

describe('durations', () => {
  it('reads every plan form', () => {
    expect(durationMs(undefined)).toBeUndefined();
    expect(durationMs(1500)).toBe(1500);
    expect(durationMs('250ms')).toBe(250);
    expect(durationMs('30s')).toBe(30_000);
    expect(durationMs('5m')).toBe(300_000);
    expect(durationMs('1h')).toBe(3_600_000);
    expect(() => durationMs('soon')).toThrow(RangeError);
    expect([formatMs(250), formatMs(1500), formatMs(90_000)]).toEqual(['250 ms', '1.5 s', '1.5 min']);
  });
});

describe('TaskTemplates', () => {
  const task = (extra: Record<string, unknown>): AltTask => ({ id: 't', kind: 'http', method: 'GET', url: 'https://x', ...extra }) as AltTask;

  it('fills texts anywhere in the parameters, nested lists and mappings included, and nothing else', () => {
    const tasks = [
      task({ url: 'https://x/{{ inputs.path }}', headers: { a: '{{ inputs.token }}' }, body: { list: ['{{ tasks.p.output.n }}', 1, { deep: '{{ tasks.p.output }}' }] }, when: 'inputs.x = "{{ nope }}"' }),
      task({ id: 'plain' }),
    ];
    const templates = new TaskTemplates(tasks);
    expect([...templates.inputNames]).toEqual(['path', 'token']);
    expect(templates.has(0)).toBe(true);
    expect(templates.has(1)).toBe(false);
    const values = { inputs: { path: 'a/b', token: 't0k' }, output: () => ({ found: true, value: { n: 2 } }) };
    expect(templates.expand(1, tasks[1] as AltTask, values)).toBe(tasks[1]);
    const filled = templates.expand(0, tasks[0] as AltTask, values) as Extract<AltTask, { kind: 'http' }>;
    expect(filled).toMatchObject({ url: 'https://x/a/b', headers: { a: 't0k' }, body: { list: ['2', 1, { deep: '{"n":2}' }] }, when: 'inputs.x = "{{ nope }}"' });
    expect((tasks[0] as Extract<AltTask, { kind: 'http' }>).headers?.a).toBe('{{ inputs.token }}');
  });

  it('explains a reference with no value', () => {
    const tasks = [task({ url: '{{ inputs.a.b }}' }), task({ url: '{{ inputs.missing }}' }), task({ url: '{{ tasks.p.output.x[0] }}' }), task({ url: '{{ tasks.p.output.u }}' })];
    const templates = new TaskTemplates(tasks);
    const values = { inputs: { a: null }, output: () => ({ found: true, value: { x: 'text', u: undefined } }) };
    const message = (i: number): string => {
      try {
        templates.expand(i, tasks[i] as AltTask, values);
        return 'no error';
      } catch (error) {
        expect((error as LocalAgentError).code).toBe('LA_TEMPLATE_UNRESOLVED');
        return (error as LocalAgentError).message;
      }
    };
    expect(message(0)).toBe('Task "t" url: "{{ inputs.a.b }}" has no value: inputs.a is null, with no field "b".');
    expect(message(1)).toContain('the run has no input "missing"');
    expect(message(2)).toContain('tasks.p.output.x is a string, with no item [0]');
    expect(message(3)).toContain('tasks.p.output.u is undefined');
  });

  it('refuses a template that validation would have refused', () => {
    expect(() => new TaskTemplates([task({ url: '{{ a + 1 }}' })])).toThrow(/not a plain reference/);
  });
});

describe('Conditions', () => {
  it('casts like JSONata $boolean and reports evaluation errors', async () => {
    const conditions = new Conditions();
    const scope = { inputs: { n: 0, s: 'x', list: [] }, tasks: { a: { output: { ok: true } } } };
    expect(await conditions.holds('t', 'tasks.a.output.ok', scope)).toBe(true);
    expect(await conditions.holds('t', 'inputs.n', scope)).toBe(false);
    expect(await conditions.holds('t', 'inputs.s', scope)).toBe(true);
    expect(await conditions.holds('t', 'inputs.list', scope)).toBe(false);
    expect(await conditions.holds('t', 'inputs.nothing', scope)).toBe(false);
    expect(await conditions.holds('t', 'tasks.a.output.ok', scope)).toBe(true);
    await expect(conditions.holds('t', '$number("x")', scope)).rejects.toMatchObject({ code: 'LA_CONDITION_FAILED', category: 'permanent' });
  });
});
