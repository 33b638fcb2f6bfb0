import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NetworkError, ProviderUnavailableError, RateLimitError } from '../../core/errors/index.js';
import { spec } from './test-support/FakeModelCaller.js';
import { run, setup } from './test-support/setup.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const four = [spec('a'), spec('b'), spec('c'), spec('judge')];

describe('Orchestrator.ensemble: vote', () => {
  it('runs every model and picks the majority answer', async () => {
    const { caller, orchestrator } = setup({ specs: four });
    caller.script('a', { latencyMs: 30, text: 'London', costUsd: 0.01 }).script('b', { latencyMs: 10, text: 'Paris.', costUsd: 0.02 });
    caller.script('c', { latencyMs: 20, text: ' paris', costUsd: 0.03 });
    const outcome = await run(orchestrator.ensemble({ prompt: 'Capital of France?' }, ['a', 'b', 'c'], { merge: 'vote' }));
    expect(outcome.result.text).toBe('Paris.');
    expect(outcome.decidedBy).toBe('vote');
    expect(outcome.votes).toEqual([
      { answer: 'paris', models: ['b', 'c'] },
      { answer: 'london', models: ['a'] },
    ]);
    expect(outcome.members.map((m) => [m.model, m.status, m.latencyMs, m.costUsd])).toEqual([
      ['a', 'ok', 30, 0.01],
      ['b', 'ok', 10, 0.02],
      ['c', 'ok', 20, 0.03],
    ]);
    expect(outcome.totalCostUsd).toBeCloseTo(0.06, 10);
    expect(outcome.alternatives).toBeUndefined();
    expect(outcome.judge).toBeUndefined();
  });

  it('breaks a tie by model order', async () => {
    const { caller, orchestrator } = setup({ specs: four });
    caller.script('a', { text: 'x' }).script('b', { text: 'y' });
    expect((await run(orchestrator.ensemble({ prompt: 'q' }, ['a', 'b']))).result.text).toBe('x');
    expect((await run(orchestrator.ensemble({ prompt: 'q' }, ['b', 'a']))).result.text).toBe('y');
  });

  it('keeps the successes when some members fail', async () => {
    const { caller, orchestrator } = setup({ specs: four });
    caller.script('a', { error: new RateLimitError({ message: '429' }) }).script('b', { text: 'yes' }).script('c', { text: 'Yes!' });
    const outcome = await run(orchestrator.ensemble({ prompt: 'q' }, ['a', 'b', 'c']));
    expect(outcome.result.text).toBe('yes');
    expect(outcome.members[0]).toEqual({ model: 'a', status: 'failed', latencyMs: 0, costUsd: 0, errorCode: 'LA_PROVIDER_RATE_LIMITED' });
  });

  it('takes the only successful answer without a vote or a judge', async () => {
    const { caller, orchestrator } = setup({ specs: four });
    caller.script('a', { error: new NetworkError({ message: 'reset' }) }).script('b', { text: 'only' });
    const outcome = await run(orchestrator.ensemble({ prompt: 'q' }, ['a', 'b'], { merge: 'judge', judgeModel: 'judge' }));
    expect(outcome).toMatchObject({ decidedBy: 'only-answer', result: { text: 'only' } });
    expect(caller.callsTo('judge')).toHaveLength(0);
  });

  it('throws LA_ALL_MODELS_FAILED when every member fails', async () => {
    const { caller, orchestrator } = setup({ specs: four });
    caller.script('a', { error: new NetworkError({ message: 'reset' }) }).script('b', { error: new ProviderUnavailableError({ message: '503' }) });
    await expect(run(orchestrator.ensemble({ prompt: 'q' }, ['a', 'b']))).rejects.toMatchObject({
      code: 'LA_ALL_MODELS_FAILED',
      message: 'All 2 models failed: a (LA_NETWORK), b (LA_PROVIDER_UNAVAILABLE).',
    });
  });
});

describe('Orchestrator.ensemble: judge', () => {
  it('asks the judge and takes the answer it picks', async () => {
    const { caller, orchestrator, stats } = setup({ specs: four });
    caller.script('a', { text: 'short' }).script('b', { text: 'thorough', costUsd: 0.01 }).script('judge', { text: 'Answer 2', costUsd: 0.005, latencyMs: 40 });
    const outcome = await run(orchestrator.ensemble({ prompt: 'Explain X', runId: 'r1' }, ['a', 'b'], { merge: 'judge', judgeModel: 'judge' }));
    expect(outcome).toMatchObject({ decidedBy: 'judge', result: { text: 'thorough' } });
    expect(outcome.judge).toEqual({ model: 'judge', status: 'picked', latencyMs: 40, costUsd: 0.005, reply: 'Answer 2' });
    expect(outcome.totalCostUsd).toBeCloseTo(0.015, 10);
    const judgeCall = caller.callsTo('judge')[0]?.request;
    expect(judgeCall?.prompt).toContain('Explain X');
    expect(judgeCall?.prompt).toContain('<answer number="1">\nshort\n</answer>');
    expect(judgeCall?.prompt).toContain('<answer number="2">\nthorough\n</answer>');
    expect(judgeCall).toMatchObject({ runId: 'r1', taskKind: 'judge', temperature: 0 });
    expect(stats.get('judge', 'judge').count).toBe(1);
  });

  it('falls back to a vote when the judge call fails', async () => {
    const { caller, orchestrator } = setup({ specs: four });
    caller.script('a', { text: 'x' }).script('b', { text: 'y' }).script('c', { text: 'Y.' }).script('judge', { error: new ProviderUnavailableError({ message: '503' }) });
    const outcome = await run(orchestrator.ensemble({ prompt: 'q' }, ['a', 'b', 'c'], { merge: 'judge', judgeModel: 'judge' }));
    expect(outcome).toMatchObject({ decidedBy: 'vote', result: { text: 'y' } });
    expect(outcome.judge).toMatchObject({ status: 'failed', errorCode: 'LA_PROVIDER_UNAVAILABLE', costUsd: 0 });
  });

  it('falls back to a vote when the judge names no answer', async () => {
    const { caller, orchestrator } = setup({ specs: four });
    caller.script('a', { text: 'x' }).script('b', { text: 'y' }).script('judge', { text: 'Both are fine.', costUsd: 0.001 });
    const outcome = await run(orchestrator.ensemble({ prompt: 'q' }, ['a', 'b'], { merge: 'judge', judgeModel: 'judge' }));
    expect(outcome).toMatchObject({ decidedBy: 'vote', result: { text: 'x' }, judge: { status: 'unclear', reply: 'Both are fine.' } });
    expect(outcome.totalCostUsd).toBeCloseTo(0.001, 10);
  });

  it('needs a judge model, which must exist and handle text', async () => {
    const { caller, orchestrator } = setup({ specs: [...four, spec('eyes', { capabilities: ['vision'] })] });
    await expect(run(orchestrator.ensemble({ prompt: 'q' }, ['a', 'b'], { merge: 'judge' }))).rejects.toMatchObject({ code: 'LA_INPUT_INVALID' });
    await expect(run(orchestrator.ensemble({ prompt: 'q' }, ['a', 'b'], { merge: 'judge', judgeModel: 'jduge' }))).rejects.toMatchObject({
      code: 'LA_MODEL_UNKNOWN',
      message: 'There is no model "jduge". Did you mean "judge"?',
    });
    await expect(run(orchestrator.ensemble({ prompt: 'q' }, ['a', 'b'], { merge: 'judge', judgeModel: 'eyes' }))).rejects.toMatchObject({ code: 'LA_NO_CAPABLE_MODEL' });
    await expect(run(orchestrator.ensemble({ prompt: 'q' }, ['a', 'b'], { merge: 'best' as never }))).rejects.toMatchObject({ code: 'LA_INPUT_INVALID' });
    expect(caller.calls).toHaveLength(0);
  });
});

describe('Orchestrator.ensemble: all (explore mode)', () => {
  it('keeps every successful answer and chooses by vote without a judge', async () => {
    const { caller, orchestrator } = setup({ specs: four });
    caller.script('a', { text: 'one' }).script('b', { error: new NetworkError({ message: 'reset' }) }).script('c', { text: 'two' });
    const outcome = await run(orchestrator.ensemble({ prompt: 'q' }, ['a', 'b', 'c'], { merge: 'all' }));
    expect(outcome.alternatives?.map((r) => r.text)).toEqual(['one', 'two']);
    expect(outcome).toMatchObject({ merge: 'all', decidedBy: 'vote', result: { text: 'one' } });
    expect(outcome.members.map((m) => m.status)).toEqual(['ok', 'failed', 'ok']);
  });

  it('chooses by judge when one is given', async () => {
    const { caller, orchestrator } = setup({ specs: four });
    caller.script('a', { text: 'one' }).script('c', { text: 'two' }).script('judge', { text: '2' });
    const outcome = await run(orchestrator.ensemble({ prompt: 'q' }, ['a', 'c'], { merge: 'all', judgeModel: 'judge' }));
    expect(outcome).toMatchObject({ decidedBy: 'judge', result: { text: 'two' } });
    expect(outcome.alternatives).toHaveLength(2);
  });
});

describe('Orchestrator.ensemble: abort', () => {
  it('aborts every member when the caller aborts', async () => {
    const { caller, orchestrator } = setup({ specs: four });
    caller.script('a', { latencyMs: 100 }).script('b', { latencyMs: 400 });
    const controller = new AbortController();
    const failed = orchestrator.ensemble({ prompt: 'q', signal: controller.signal }, ['a', 'b']).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(200);
    controller.abort();
    expect(await failed).toMatchObject({ code: 'LA_CANCELLED' });
    expect(caller.callsTo('b')[0]?.aborted).toBe(true);
  });

  it('aborts the judge and throws instead of voting when the caller aborts during judging', async () => {
    const { caller, orchestrator } = setup({ specs: four });
    caller.script('a', { text: 'x' }).script('b', { text: 'y' }).script('judge', { latencyMs: 1_000 });
    const controller = new AbortController();
    const failed = orchestrator.ensemble({ prompt: 'q', signal: controller.signal }, ['a', 'b'], { merge: 'judge', judgeModel: 'judge' }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    expect(await failed).toMatchObject({ code: 'LA_CANCELLED' });
    expect(caller.callsTo('judge')[0]?.aborted).toBe(true);
  });

  it('does not start when the signal is already aborted', async () => {
    const { caller, orchestrator } = setup({ specs: four });
    await expect(run(orchestrator.ensemble({ prompt: 'q', signal: AbortSignal.abort() }, ['a', 'b']))).rejects.toMatchObject({ code: 'LA_CANCELLED' });
    expect(caller.calls).toHaveLength(0);
  });
});
