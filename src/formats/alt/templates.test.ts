import { describe, expect, it } from 'vitest';
import { hasTemplateSyntax, parseTemplate } from './templates.js';

describe('parseTemplate', () => {
  it('splits text and references, keeping the path after the name', () => {
    expect(parseTemplate('Hi {{ inputs.user.name }}, see {{tasks.fetch-1.output.body.items[0].title}}!')).toEqual({
      parts: [
        { type: 'text', text: 'Hi ' },
        { type: 'ref', ref: { root: 'inputs', name: 'user', path: ['name'] }, source: 'inputs.user.name', offset: 3 },
        { type: 'text', text: ', see ' },
        {
          type: 'ref',
          ref: { root: 'tasks', task: 'fetch-1', path: ['body', 'items', 0, 'title'] },
          source: 'tasks.fetch-1.output.body.items[0].title',
          offset: 31,
        },
        { type: 'text', text: '!' },
      ],
      errors: [],
    });
  });

  it('reads a whole output and plain text', () => {
    expect(parseTemplate('{{ tasks.a.output }}').parts).toEqual([{ type: 'ref', ref: { root: 'tasks', task: 'a', path: [] }, source: 'tasks.a.output', offset: 0 }]);
    expect(parseTemplate('no braces { here }')).toEqual({ parts: [{ type: 'text', text: 'no braces { here }' }], errors: [] });
    expect(parseTemplate('')).toEqual({ parts: [], errors: [] });
  });

  it('turns \\{{ and \\}} into literal braces', () => {
    expect(parseTemplate('docker inspect --format \\{{.Id\\}} {{ inputs.c }}').parts).toEqual([
      { type: 'text', text: 'docker inspect --format {{.Id}} ' },
      { type: 'ref', ref: { root: 'inputs', name: 'c', path: [] }, source: 'inputs.c', offset: 34 },
    ]);
    expect(parseTemplate('a \\ b \\{ c').errors).toEqual([]);
  });

  it('reports every problem with its offset', () => {
    const { errors } = parseTemplate('}} {{ x + 1 }} {{ tasks }} {{ tasks.a }} {{ 5 }} {{');
    expect(errors.map((e) => e.offset)).toEqual([0, 3, 15, 27, 41, 49]);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/without a matching/),
      expect.stringMatching(/never run code/),
      expect.stringMatching(/does not name a task/),
      expect.stringMatching(/read through \.output, e\.g\. \{\{ tasks\.a\.output \}\}/),
      expect.stringMatching(/is not a reference/),
      expect.stringMatching(/never closed/),
    ]);
  });

  it('refuses filters, calls, quotes and variables', () => {
    for (const code of ['inputs.a | upper', 'inputs.a()', '"text"', '$now', 'inputs.a ?? 1', 'inputs["a"]']) {
      expect(parseTemplate(`{{ ${code} }}`).errors, code).toHaveLength(1);
    }
  });

  it('is linear on hostile input', () => {
    const text = '}'.repeat(200_001);
    expect(parseTemplate(text).errors).toHaveLength(100_000);
    expect(parseTemplate('{'.repeat(200_000)).errors).toHaveLength(1);
  });
});

describe('hasTemplateSyntax', () => {
  it('is a cheap pre-check', () => {
    expect(hasTemplateSyntax('plain')).toBe(false);
    expect(hasTemplateSyntax('a {{ b')).toBe(true);
    expect(hasTemplateSyntax('a }} b')).toBe(true);
  });
});
