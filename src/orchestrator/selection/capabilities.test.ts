import { describe, expect, it } from 'vitest';
import { capabilityNeed, filterCapable, preferCapable } from './capabilities.js';
import { spec } from './test-support/FakeModelCaller.js';

describe('capabilities', () => {
  const text = spec('text');
  const json = spec('json', { capabilities: ['json'] });
  const both = spec('both', { capabilities: ['text', 'json'] });
  const vision = spec('vision', { capabilities: ['vision'] });

  it('needs text for plain requests', () => {
    const { capable, skipped } = filterCapable([text, json, both, vision], capabilityNeed({ prompt: 'hi' }));
    expect(capable.map((s) => s.id)).toEqual(['text', 'both']);
    expect(skipped).toEqual(['json', 'vision']);
  });

  it('accepts json or text for schema requests and prefers json', () => {
    const need = capabilityNeed({ prompt: 'hi', schema: { type: 'object' } });
    const { capable, skipped } = filterCapable([text, json, both, vision], need);
    expect(capable.map((s) => s.id)).toEqual(['text', 'json', 'both']);
    expect(skipped).toEqual(['vision']);
    expect(preferCapable(capable, need).map((s) => s.id)).toEqual(['json', 'both', 'text']);
  });

  it('keeps the order when nothing is preferred', () => {
    expect(preferCapable([text, both], capabilityNeed({})).map((s) => s.id)).toEqual(['text', 'both']);
  });
});
