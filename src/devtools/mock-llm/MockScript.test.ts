import { describe, expect, it } from 'vitest';
import { LocalAgentError } from '../../core/errors/index.js';
import { behaviourFor, faultKinds, parseMockScript } from './MockScript.js';
import { MAX_RECORDED_REQUESTS, MockState } from './MockState.js';
import { demoScript } from './index.js';
import { countPromptTokens, countTokens, splitIntoChunks, textOfContent, truncateToTokens } from './text.js';

describe('parseMockScript', () => {
  it('fills in defaults', () => {
    const script = parseMockScript({ models: { a: {} } });
    expect(script.models.a).toEqual({ reply: 'echo', latency_ms: 0, ttft_ms: 0, chunk_delay_ms: 0, chunk_size: 8 });
    expect(parseMockScript(undefined)).toEqual({ models: {} });
  });

  it('accepts every fault kind and the demo script', () => {
    for (const kind of faultKinds) expect(() => parseMockScript({ models: { m: { fault: { kind, times: 1 } } } })).not.toThrow();
    expect(Object.keys(parseMockScript(demoScript()).models)).toEqual(['mock-fast', 'mock-slow', 'mock-flaky']);
  });

  it('lists every problem with its path, as LA_INPUT_INVALID', () => {
    let thrown: unknown;
    try {
      parseMockScript({ models: { m: { reply: 'json', fault: { kind: 'rate_limit', times: 0, probability: 0.5 } } }, surprise: true });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LocalAgentError);
    const error = thrown as LocalAgentError;
    expect(error.code).toBe('LA_INPUT_INVALID');
    expect(error.details.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^models\.m\.json: reply 'json' needs a `json` value/),
        expect.stringMatching(/^models\.m\.fault\.times: /),
        expect.stringMatching(/^models\.m\.fault: .*probability/),
        expect.stringMatching(/^\(top level\): .*surprise/),
      ]),
    );
    expect(error.message).toMatch(/^The mock LLM script has \d+ problems:/);
    expect(error.suggestion).toContain('docs/mock-llm.md');
  });

  it('names the file, and the position when it is known', () => {
    expect(() => parseMockScript({ models: 3 }, { file: 'a.yaml' })).toThrow(/a\.yaml: models: /);
    expect(() => parseMockScript({ models: 3 }, { file: 'a.yaml', positionOf: () => ({ line: 2, column: 5 }) })).toThrow(/a\.yaml:2:5: models: /);
    expect(() => parseMockScript({ models: 3 }, { file: 'a.yaml', positionOf: () => undefined })).toThrow(/a\.yaml: models: /);
    expect(() => parseMockScript({ models: { x: { latency_ms: 'soon' } } })).toThrow(/has 1 problem:/);
  });
});

describe('behaviourFor', () => {
  const script = parseMockScript({ models: { listed: { reply: 'listed' } }, default: { reply: 'fallback' } });

  it('uses a listed model alone, else the default, else echo', () => {
    expect(behaviourFor(script, 'listed').reply).toBe('listed');
    expect(behaviourFor(script, 'other').reply).toBe('fallback');
    expect(behaviourFor(parseMockScript({}), 'other').reply).toBe('echo');
  });

  it('does not mistake Object.prototype members for models', () => {
    expect(behaviourFor(script, 'constructor').reply).toBe('fallback');
    expect(behaviourFor(script, '__proto__').reply).toBe('fallback');
  });
});

describe('MockState', () => {
  it('keeps the newest requests only', () => {
    const state = new MockState(parseMockScript({}), undefined);
    for (let i = 0; i < MAX_RECORDED_REQUESTS + 5; i += 1) {
      state.record({ method: 'GET', path: `/${i}`, query: {}, protocol: undefined, model: undefined, stream: false, headers: {}, body: undefined });
    }
    const requests = state.requests;
    expect(requests).toHaveLength(MAX_RECORDED_REQUESTS);
    expect(requests[0]?.path).toBe('/5');
  });

  it('counts calls per model and restarts on setScript and reset', () => {
    const state = new MockState(parseMockScript({}), undefined);
    expect([state.nextCall('a'), state.nextCall('a'), state.nextCall('b')]).toEqual([1, 2, 1]);
    state.setScript({ default: { reply: 'x' } });
    expect(state.nextCall('a')).toBe(1);
    state.reset();
    expect(state.nextCall('a')).toBe(1);
    expect(state.nextId()).not.toBe(state.nextId());
  });

  it('matches keys exactly, and accepts any key when none is required', () => {
    const open = new MockState(parseMockScript({}), undefined);
    expect(open.keyMatches('anything')).toBe(true);
    const locked = new MockState(parseMockScript({}), 'secret');
    expect(locked.keyMatches('secret')).toBe(true);
    expect(locked.keyMatches('secreT')).toBe(false);
    expect(locked.keyMatches('secret-longer')).toBe(false);
  });
});

describe('text helpers', () => {
  it('counts ceil(code points / 4) tokens', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('abcd')).toBe(1);
    expect(countTokens('abcde')).toBe(2);
    expect(countTokens('😀😀😀😀')).toBe(1);
    expect(countPromptTokens(['abcde', 'abc'])).toBe(3);
  });

  it('splits and truncates on code points', () => {
    expect(splitIntoChunks('😀a😀b😀', 2)).toEqual(['😀a', '😀b', '😀']);
    expect(splitIntoChunks('', 3)).toEqual([]);
    expect(truncateToTokens('abcdefghij', 2)).toBe('abcdefgh');
    expect(truncateToTokens('abc', -1)).toBe('');
  });

  it('reads text from every content shape', () => {
    expect(textOfContent('plain')).toBe('plain');
    expect(textOfContent(undefined)).toBe('');
    expect(textOfContent(['a', { type: 'text', text: 'b' }, { type: 'tool_result', content: 'c' }, { type: 'function_call_output', output: 'd' }, { type: 'image' }, 7])).toBe(
      'a\nb\nc\nd',
    );
  });
});
