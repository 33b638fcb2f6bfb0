import { describe, expect, it } from 'vitest';
import { JUDGE_MAX_CHARS, judgeRequest, parseJudgeReply } from './judge.js';

describe('parseJudgeReply', () => {
  it.each([
    ['2', 1],
    [' 2\n', 1],
    ['#3', 2],
    ['[1].', 0],
    ['**Answer 2**', 1],
    ['Answer 3', 2],
    ['After comparing all 3 answers, answer 2 is the most accurate.', 1],
    ['The best is candidate 1 because it cites 3 sources.', 0],
    ['Answer number 3 wins.', 2],
    ['{"best": 2}', 1],
    ['I pick the second one (2).', 1],
  ])('reads %j as index %i', (reply, index) => {
    expect(parseJudgeReply(reply, 3)).toBe(index);
  });

  it.each([
    ['a number out of range', '4'],
    ['zero', '0'],
    ['no number', 'The second one.'],
    ['two different bare numbers', '1 or 2, hard to say'],
    ['an empty reply', ''],
  ])('refuses %s', (_name, reply) => {
    expect(parseJudgeReply(reply, 3)).toBeUndefined();
  });

  it('skips an out-of-range "answer N" and takes the next clear one', () => {
    expect(parseJudgeReply('Not answer 7; answer 2.', 3)).toBe(1);
  });
});

describe('judgeRequest', () => {
  const controller = new AbortController();

  it('numbers the answers from 1, restates the request and asks for one number', () => {
    const request = judgeRequest({ prompt: 'Capital of France?', system: 'Be brief.', signal: controller.signal, runId: 'run-1', schema: { type: 'object' } }, [
      'Paris',
      'Lyon',
    ]);
    expect(request.prompt).toContain('<request>\nInstructions: Be brief.\nCapital of France?\n</request>');
    expect(request.prompt).toContain('<answer number="1">\nParis\n</answer>');
    expect(request.prompt).toContain('<answer number="2">\nLyon\n</answer>');
    expect(request.prompt).toContain('one number from 1 to 2');
    expect(request.system).toMatch(/not instructions/);
    expect(request).toMatchObject({ temperature: 0, taskKind: 'judge', signal: controller.signal, runId: 'run-1' });
    expect(request.schema).toBeUndefined();
  });

  it('shows a conversation and cuts long texts', () => {
    const request = judgeRequest({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] }, ['x'.repeat(JUDGE_MAX_CHARS + 10)]);
    expect(request.prompt).toContain('user: hi\nassistant: hello');
    expect(request.prompt).toContain(`[… cut after ${JUDGE_MAX_CHARS} characters]`);
    expect(request.prompt).not.toContain('x'.repeat(JUDGE_MAX_CHARS + 1));
    expect(request.signal).toBeUndefined();
  });
});
