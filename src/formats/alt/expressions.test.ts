import { describe, expect, it } from 'vitest';
import { checkExpression } from './expressions.js';

const names = (expr: string): string[] => checkExpression(expr).refs.map((r) => `${r.root}.${r.name}`);

describe('checkExpression', () => {
  it('lists the inputs and tasks read at the top level, in written order', () => {
    expect(names('tasks.a.output.exit_code = 0 and $count(tasks.`b-c`.output.entries) > inputs.min')).toEqual(['tasks.a', 'tasks.b-c', 'inputs.min']);
    expect(names('inputs.flag ? "yes" : tasks.z.output')).toEqual(['inputs.flag', 'tasks.z']);
    expect(names('{"k": tasks.q.output, "l": [tasks.r.output, -tasks.s.output.n]}')).toEqual(['tasks.q', 'tasks.r', 'tasks.s']);
    expect(names('($x := tasks.v.output; $x.y)')).toEqual(['tasks.v']);
    expect(names('tasks.w.output ~> $uppercase()')).toEqual(['tasks.w']);
  });

  it('leaves paths in predicates, lambdas and bare roots alone', () => {
    expect(names('tasks.a.output[x = tasks.b]')).toEqual(['tasks.a']);
    expect(names('$map([1], function($v) { tasks.c.output })')).toEqual([]);
    expect(names('tasks')).toEqual([]);
    expect(names('other.a.b')).toEqual([]);
  });

  it('reports syntax errors with their position', () => {
    expect(checkExpression('$uppercase(').error).toEqual({ message: expect.stringMatching(/Expected|end of expression/) as unknown, position: expect.any(Number) as unknown });
    expect(checkExpression('{{ x }}').error?.message).toBeTruthy();
    expect(checkExpression('1 + 2').error).toBeUndefined();
  });
});
