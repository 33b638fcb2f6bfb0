import { describe, expect, it } from 'vitest';
import { chatCompletionRequestSchema, toCallRequest } from './chatCompletionRequest.js';

const signal = new AbortController().signal;
const parse = (body: unknown) => chatCompletionRequestSchema.parse(body);

describe('toCallRequest', () => {
  it('maps messages, roles, sampling and output limits', () => {
    const call = toCallRequest(
      parse({
        model: 'm',
        messages: [
          { role: 'developer', content: 'rules' },
          { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
          { role: 'assistant', content: null },
        ],
        temperature: 0.2,
        max_tokens: 10,
        max_completion_tokens: 20,
        top_p: 0.9,
        seed: 1,
      }),
      signal,
    );
    expect(call).toEqual({
      messages: [
        { role: 'system', content: 'rules' },
        { role: 'user', content: 'ab' },
        { role: 'assistant', content: '' },
      ],
      signal,
      taskKind: 'chat',
      temperature: 0.2,
      maxOutputTokens: 20,
    });
  });

  it('turns response_format into a schema', () => {
    expect(toCallRequest(parse({ model: 'm', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_object' } }), signal).schema).toEqual({ type: 'object' });
    const schema = { type: 'object', properties: { a: { type: 'number' } } };
    expect(toCallRequest(parse({ model: 'm', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 'n', schema } } }), signal).schema).toEqual(schema);
    expect(toCallRequest(parse({ model: 'm', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'text' } }), signal).schema).toBeUndefined();
  });

  it('refuses what it cannot serve, clearly', () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
    for (const body of [
      { ...base, tools: [{ type: 'function' }] },
      { ...base, n: 2 },
      { ...base, logprobs: true },
      { model: 'm', messages: [{ role: 'tool', content: 'r' }] },
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] },
    ]) {
      expect(() => toCallRequest(parse(body), signal), JSON.stringify(body)).toThrow(expect.objectContaining({ code: 'LA_REQUEST_INVALID' }) as Error);
    }
    expect(chatCompletionRequestSchema.safeParse({ ...base, made_up: 1 }).success).toBe(false);
  });
});
