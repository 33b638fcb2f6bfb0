import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { TimeoutError, UserInputError } from '../../core/errors/index.js';
import type { AltTask } from '../../formats/index.js';
import { TransformTool, evaluateJsonata } from './index.js';
import { FixedPolicy, failure, toolContext } from './test-support/toolContext.js';

type TransformTask = Extract<AltTask, { kind: 'transform' }>;

function task(expr: string, extra: Partial<TransformTask> = {}): TransformTask {
  return { id: 't', kind: 'transform', expr, ...extra };
}

const scope = {
  inputs: { name: 'world', n: 3 },
  tasks: { greet: { output: { stdout: '  hello world\n', exit_code: 0 } }, list: { output: { entries: ['a.ts', 'b.md', 'c.ts'] } } },
};

describe('TransformTool', () => {
  const tool = new TransformTool();
  const ws = tmpdir();


  it('evaluates over { inputs, tasks } and returns the value, whatever its type', async () => {
    const context = toolContext(ws, { scope });
    expect(await tool.run(task('$uppercase($trim(tasks.greet.output.stdout))'), context)).toBe('HELLO WORLD');
    expect(await tool.run(task('inputs.n * 2'), context)).toBe(6);
    expect(await tool.run(task('tasks.list.output.entries[$contains($, ".ts")]'), context)).toEqual(['a.ts', 'c.ts']);
    expect(await tool.run(task('{ "who": inputs.name, "ok": tasks.greet.output.exit_code = 0 }'), context)).toEqual({ who: 'world', ok: true });
    // No result is null; a function has no JSON form.
    expect(await tool.run(task('inputs.missing'), context)).toBeNull();
    expect(await tool.run(task('function($x) { $x }'), context)).toBeNull();
  });

  it('reports syntax and evaluation errors with the position', async () => {
    const syntax = await failure(tool.run(task('$uppercase(inputs.name'), toolContext(ws, { scope })));
    expect(syntax).toBeInstanceOf(UserInputError);
    expect(syntax).toMatchObject({ code: 'LA_TRANSFORM_FAILED', category: 'permanent' });
    expect(syntax.details.jsonata_code).toMatch(/^S0/);
    expect(syntax.message).toMatch(/at character \d+/);
    const type = await failure(tool.run(task('inputs.name + 1'), toolContext(ws, { scope })));
    expect(type.code).toBe('LA_TRANSFORM_FAILED');
    expect(type.details.jsonata_code).toBe('T2001');
  });

  it('stops an endless expression at the time limit', async () => {
    const error = await failure(tool.run(task('($f := function($x) { $f($x + 1) }; $f(0))', { timeout: '500ms' }), toolContext(ws)));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'LA_TASK_TIMEOUT', category: 'permanent' });
  });

  it('stops an expression stuck inside one built-in call (catastrophic regular expression)', async () => {
    const input = { s: `${'a'.repeat(40)}!` };
    const error = await failure(evaluateJsonata('$match(s, /^(a+)+$/)', input, { timeoutMs: 500, signal: new AbortController().signal }));
    expect(error.code).toBe('LA_TASK_TIMEOUT');
  });

  it('stops runaway sequences and memory', async () => {
    const sequence = await failure(evaluateJsonata('[1..100000000]', {}, { timeoutMs: 10_000, signal: new AbortController().signal, maxSequence: 1000 }));
    expect(sequence).toMatchObject({ code: 'LA_TRANSFORM_FAILED', details: { jsonata_code: 'D2014' } });
    // Doubling a list sixty times: the worker's heap cap ends it, not the machine's memory.
    const memory = await failure(
      evaluateJsonata('$reduce([1..60], function($acc, $v) { $append($acc, $acc) }, ["xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"])', {}, { timeoutMs: 20_000, signal: new AbortController().signal, maxHeapMb: 32, maxSequence: 1e12 }),
    );
    expect(memory).toMatchObject({ code: 'LA_TRANSFORM_FAILED', details: { heap_limit_mb: 32 } });
    expect(memory.message).toContain('more than 32 MiB');
  });

  it('stops on cancel, before or during evaluation', async () => {
    const before = new AbortController();
    before.abort();
    expect((await failure(tool.run(task('1'), toolContext(ws, { signal: before.signal })))).code).toBe('LA_CANCELLED');
    expect((await failure(evaluateJsonata('1', {}, { timeoutMs: 1000, signal: before.signal }))).code).toBe('LA_CANCELLED');
    const during = new AbortController();
    const running = evaluateJsonata('($f := function($x) { $f($x + 1) }; $f(0))', {}, { timeoutMs: 20_000, signal: during.signal });
    setTimeout(() => during.abort(), 200);
    expect((await failure(running)).code).toBe('LA_CANCELLED');
  });

  it('refuses input that has no JSON form', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect((await failure(evaluateJsonata('1', cyclic, { timeoutMs: 1000, signal: new AbortController().signal }))).code).toBe('LA_INPUT_INVALID');
  });

  it('asks the policy with the expression as the resource', async () => {
    const policy = new FixedPolicy('allow');
    await tool.run(task('1 + 1'), toolContext(ws, { policy }));
    expect(policy.requests[0]).toMatchObject({ action: 'transform.evaluate', resource: '1 + 1' });
    expect((await failure(tool.run(task('1'), toolContext(ws, { policy: new FixedPolicy('deny') })))).code).toBe('LA_POLICY_DENIED');
  });
});
