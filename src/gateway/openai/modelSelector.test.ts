import { describe, expect, it } from 'vitest';
import { parseModelSelector } from './modelSelector.js';

const configured = new Set(['gpt-4o', 'fallback:weird-but-configured']);
const isModel = (id: string): boolean => configured.has(id);

describe('parseModelSelector', () => {
  it('reads configured models, strategies, strategy lists and races', () => {
    expect(parseModelSelector('gpt-4o', isModel)).toEqual({ kind: 'orchestrated', selection: { model: 'gpt-4o' } });
    expect(parseModelSelector('auto', isModel)).toEqual({ kind: 'orchestrated', selection: { strategy: 'auto' } });
    expect(parseModelSelector('fallback:a, b', isModel)).toEqual({ kind: 'orchestrated', selection: { models: ['a', 'b'], strategy: 'fallback' } });
    expect(parseModelSelector('cheapest:a', isModel)).toEqual({ kind: 'orchestrated', selection: { models: ['a'], strategy: 'cheapest' } });
    expect(parseModelSelector('race:a,b,c', isModel)).toEqual({ kind: 'race', models: ['a', 'b', 'c'] });
  });

  it('prefers a configured model whose id looks like a strategy', () => {
    expect(parseModelSelector('fallback:weird-but-configured', isModel)).toEqual({ kind: 'orchestrated', selection: { model: 'fallback:weird-but-configured' } });
  });

  it('passes unknown names on (the orchestrator names them) and refuses empty lists', () => {
    expect(parseModelSelector('ollama:llama3', isModel)).toEqual({ kind: 'orchestrated', selection: { model: 'ollama:llama3' } });
    expect(() => parseModelSelector('race:a', isModel)).toThrow(expect.objectContaining({ code: 'LA_REQUEST_INVALID' }) as Error);
    expect(() => parseModelSelector('fastest:', isModel)).toThrow(expect.objectContaining({ code: 'LA_REQUEST_INVALID' }) as Error);
  });
});
