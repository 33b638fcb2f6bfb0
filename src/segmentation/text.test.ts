import { describe, expect, it } from 'vitest';
import { checkPlanGraph, addTemplateNeeds, templateReferences, splitArgv, tokenize, detectLanguage, splitSteps } from './index.js';
import type { AltPlan } from '../formats/alt/index.js';
import { capitalize, slugify, truncate } from './text.js';

describe('tokenize', () => {
  it('keeps quotes, backticks, URLs and Turkish case endings whole', () => {
    const tokens = tokenize(`read "a b.txt", 'c;d' and \`e | f\` from https://x.example/p?q=1; then notes.txt'yi “g” ‘h’ (i)`);
    expect(tokens.map((t) => [t.kind, t.text])).toEqual([
      ['word', 'read'], ['quoted', 'a b.txt'], ['punct', ','], ['quoted', 'c;d'], ['word', 'and'], ['quoted', 'e | f'], ['word', 'from'],
      ['url', 'https://x.example/p?q=1'], ['punct', ';'], ['word', 'then'], ['word', "notes.txt'yi"], ['quoted', 'g'], ['quoted', 'h'],
      ['punct', '('], ['word', 'i'], ['punct', ')'],
    ]);
    expect(tokens.find((t) => t.text === "notes.txt'yi")?.suffix).toBe('yi');
  });

  it("reads `'rapor.md'ye` and `\"rapor.md\"'ye` as a quoted name with a case ending", () => {
    expect(tokenize("'rapor.md'ye kaydet")[0]).toMatchObject({ kind: 'quoted', text: 'rapor.md', suffix: 'ye' });
    expect(tokenize('"rapor.md"\'ye kaydet')[0]).toMatchObject({ kind: 'quoted', text: 'rapor.md', suffix: 'ye' });
  });

  it("does not open a quote inside a word or leave an unclosed one open", () => {
    expect(tokenize("don't stop").map((t) => t.text)).toEqual(["don't", 'stop']);
    expect(tokenize('say "unclosed words').map((t) => t.kind)).toEqual(['word', 'word', 'word']);
  });

  it('peels punctuation, keeps . and .. as paths, splits glued semicolons, and strips URL endings', () => {
    expect(tokenize('list . and .. now.').map((t) => t.text)).toEqual(['list', '.', 'and', '..', 'now', '.']);
    expect(tokenize('a.txt;b.txt').map((t) => t.text)).toEqual(['a.txt', ';', 'b.txt']);
    expect(tokenize('(https://en.wikipedia.org/wiki/X_(y)).')).toMatchObject([{ kind: 'punct' }, { kind: 'url', text: 'https://en.wikipedia.org/wiki/X_(y)' }, { text: ')' }, { text: '.' }]);
    expect(tokenize("https://x.example/r.pdf'den indir")[0]).toMatchObject({ kind: 'url', text: 'https://x.example/r.pdf', suffix: 'den' });
    expect(tokenize('a\n\nb').map((t) => t.kind)).toEqual(['word', 'break', 'word']);
  });
});

describe('splitSteps and detectLanguage', () => {
  const steps = (command: string): string[] => {
    const tokens = tokenize(command);
    return splitSteps(tokens, detectLanguage(tokens)).map((s) => `${s.joint}:${s.tokens.map((t) => t.text).join(' ')}`);
  };

  it('splits on sentences, semicolons, sequence words, "and" + verb, and Turkish chaining', () => {
    expect(steps('read a.txt. Then summarize it; after that save it to b.txt and finally notify me')).toEqual([
      'start:read a.txt', 'sequence:summarize it', 'sequence:save it to b.txt', 'sequence:notify me',
    ]);
    expect(steps('read a.txt, next summarize it')).toEqual(['start:read a.txt', 'sequence:summarize it']);
    expect(steps('read the next chapter')).toEqual(['start:read the next chapter']);
    expect(steps("a.txt'yi okuyup özetle ve sonra kaydet")).toEqual(["start:a.txt'yi okuyup", 'chain:özetle', 'sequence:kaydet']);
    expect(steps('a.txt ve b.txt dosyalarını oku ve karşılaştır')).toEqual(['start:a.txt ve b.txt dosyalarını oku', 'and:karşılaştır']);
    expect(steps('önce oku, en son sil')).toEqual(['start:oku', 'sequence:sil']);
    expect(steps('then read a.txt')).toEqual(['start:read a.txt']);
  });

  it('detects the language', () => {
    expect(detectLanguage(tokenize('read the file'))).toBe('en');
    expect(detectLanguage(tokenize('dosyayı oku'))).toBe('tr');
    expect(detectLanguage(tokenize('şunu'))).toBe('tr');
  });
});

describe('splitArgv', () => {
  it('splits like a shell, without any shell', () => {
    expect(splitArgv(`grep -n "a b" 'c d' e\\ f | wc -l; rm -rf / && x > y`)).toEqual(['grep', '-n', 'a b', 'c d', 'e f', '|', 'wc', '-l;', 'rm', '-rf', '/', '&&', 'x', '>', 'y']);
    expect(splitArgv(`echo "a \\"q\\" \\$HOME \\n" '' ""`)).toEqual(['echo', 'a "q" $HOME \\n', '', '']);
    expect(splitArgv('  echo   "unterminated x')).toEqual(['echo', 'unterminated x']);
    expect(splitArgv('a\tb\nc')).toEqual(['a', 'b', 'c']);
    expect(splitArgv('trailing\\')).toEqual(['trailing\\']);
  });
});

describe('plan graph checks', () => {
  const plan = (tasks: AltPlan['tasks']): AltPlan => ({ alt: 1, title: 't', mode: 'normal', tasks });

  it('accepts a sound DAG', () => {
    expect(checkPlanGraph(plan([{ id: 'a', kind: 'fs', op: 'read', path: 'x' }, { id: 'b', kind: 'ai', prompt: '{{ tasks.a.output.content }}', needs: ['a'] }]))).toEqual([]);
  });

  it('reports duplicates, unknown or self needs, cycles, and templates reading tasks not needed or not there', () => {
    expect(checkPlanGraph(plan([{ id: 'a', kind: 'ai', prompt: 'x' }, { id: 'a', kind: 'ai', prompt: 'y', needs: ['a', 'zz'] }]))).toEqual([
      'task id "a" is used more than once',
      'task "a" needs itself',
      'task "a" needs "zz", which is not a task of this plan',
    ]);
    expect(checkPlanGraph(plan([{ id: 'a', kind: 'ai', prompt: 'x', needs: ['c'] }, { id: 'b', kind: 'ai', prompt: 'x', needs: ['a'] }, { id: 'c', kind: 'ai', prompt: 'x', needs: ['b'] }]))).toEqual([
      'tasks depend on each other in a cycle: a → c → b → a',
    ]);
    expect(checkPlanGraph(plan([{ id: 'a', kind: 'ai', prompt: 'x' }, { id: 'b', kind: 'ai', prompt: '{{ tasks.a.output.text }} {{tasks.q.output}}' }]))).toEqual([
      'task "b" reads the output of "a" but does not need it',
      'task "b" reads the output of "q", which is not a task of this plan',
    ]);
  });

  it('adds needs for templates, and finds references in any field', () => {
    const fixed = addTemplateNeeds(plan([{ id: 'a', kind: 'ai', prompt: 'x' }, { id: 'b', kind: 'fs', op: 'write', path: 'o', content: '{{ tasks.a.output.text }}{{ tasks.b.output }}{{ tasks.nope.output }}' }]));
    expect(fixed.tasks[1]?.needs).toEqual(['a']);
    expect(templateReferences({ id: 'x', kind: 'http', url: 'u', method: 'POST', body: { k: '{{ tasks.a.output.body }}' } })).toEqual(['a']);
    expect(checkPlanGraph(fixed)).toEqual(['task "b" reads the output of "b" but does not need it', 'task "b" reads the output of "nope", which is not a task of this plan']);
  });
});

describe('text helpers', () => {
  it('slugs, capitalises and truncates', () => {
    expect(slugify('Özet Raporu-İŞ.md')).toBe('ozet_raporu_is_md');
    expect(slugify('***')).toBe('');
    expect(capitalize('indir', 'tr')).toBe('İndir');
    expect(capitalize('', 'en')).toBe('');
    expect(truncate('abcdef', 4)).toBe('abc…');
  });
});
