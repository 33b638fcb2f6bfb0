import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../../test/support/tempDir.js';
import { PlanError } from '../../core/errors/index.js';
import { loadPlanFile, parsePlan, planFormatOf, validatePlan, type PlanProblem } from './index.js';

const tempDir = useTempDirs();
const FILE = 'plan.alt.yaml';

/** Lines joined with newlines, so each test can count lines at a glance (line 1 is the first). */
const lines = (...text: string[]): string => `${text.join('\n')}\n`;

/** The plan's header (3 lines) then the given task lines. */
const plan = (...taskLines: string[]): string => lines('alt: 1', 'title: test', 'tasks:', ...taskLines);

function refused(text: string, options: { format?: 'yaml' | 'json'; path?: string } = {}): PlanError {
  try {
    parsePlan(text, { path: options.path ?? FILE, format: options.format });
  } catch (error) {
    expect(error).toBeInstanceOf(PlanError);
    return error as PlanError;
  }
  throw new Error('expected the plan to be refused');
}

function problemsOf(text: string, options: { format?: 'yaml' | 'json'; path?: string } = {}): PlanProblem[] {
  const error = refused(text, options);
  expect(error.code).toBe('LA_PLAN_INVALID');
  return error.details.problems as PlanProblem[];
}

/** The one problem at `path`, checking its line and that its message says `says`. */
function expectProblem(problems: PlanProblem[], path: string, line: number, says: string | RegExp): PlanProblem {
  const matching = problems.filter((p) => p.path === path);
  expect(matching, `problems at ${path} in ${JSON.stringify(problems, null, 1)}`).toHaveLength(1);
  const [problem] = matching as [PlanProblem];
  expect(problem.line, `line of ${path}: ${problem.message}`).toBe(line);
  expect(problem.message).toMatch(says);
  return problem;
}

describe('parsePlan: valid plans', () => {
  const hello = plan(
    '  - id: greet', // 4
    '    kind: shell',
    '    argv: [echo, hello]',
    '  - id: save', // 7
    '    kind: fs',
    '    needs: [greet]',
    '    op: write',
    '    path: out/hello.txt',
    '    content: "{{ tasks.greet.output.stdout }}"',
  );

  it('returns the plan with defaults filled, a sha256 hash and a derived id', () => {
    const { plan: parsed, hash, id } = parsePlan(hello, { path: FILE });
    expect(parsed.mode).toBe('normal');
    expect(parsed.tasks.map((t) => t.id)).toEqual(['greet', 'save']);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(id).toBe(`alt-${hash.slice(0, 16)}`);
  });

  it('hashes the meaning, not the writing: key order, YAML or JSON, defaults spelled out', () => {
    const { hash } = parsePlan(hello, { path: FILE });
    const json = JSON.stringify({
      tasks: [
        { kind: 'shell', id: 'greet', argv: ['echo', 'hello'] },
        { id: 'save', kind: 'fs', needs: ['greet'], op: 'write', path: 'out/hello.txt', content: '{{ tasks.greet.output.stdout }}' },
      ],
      mode: 'normal',
      title: 'test',
      alt: 1,
    });
    expect(parsePlan(json, { path: 'plan.alt.json' }).hash).toBe(hash);
    expect(parsePlan(hello.replace('title: test', 'title: other'), { path: FILE }).hash).not.toBe(hash);
  });

  it('uses the plan id when there is one', () => {
    expect(parsePlan(hello.replace('alt: 1', 'alt: 1\nid: my-plan'), { path: FILE }).id).toBe('my-plan');
  });

  it('validates plans built in code the same way', () => {
    const built = { alt: 1, title: 'built', tasks: [{ id: 'a', kind: 'approval', message: 'ok?' }] };
    expect(validatePlan(built).plan.tasks[0]?.kind).toBe('approval');
    const error = (() => {
      try {
        validatePlan({ ...built, tasks: [{ id: 'a', kind: 'approval' }] }, { path: 'planner output' });
      } catch (e) {
        return e as PlanError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error.message).toContain('planner output:');
    expect(error.details.problems).toEqual([expect.objectContaining({ path: 'tasks[0].message', line: 5 })]);
    expect(() => validatePlan(undefined)).toThrow(PlanError);
  });

  it('chooses JSON for .json paths', () => {
    expect(planFormatOf('x.alt.json')).toBe('json');
    expect(planFormatOf('x.ALT.JSON')).toBe('json');
    expect(planFormatOf('x.alt.yaml')).toBe('yaml');
    expect(planFormatOf('x.alt')).toBe('yaml');
  });
});

describe('parsePlan: every problem at once', () => {
  it('lists schema and semantic problems together, each as file:line:col: path: message', () => {
    const error = refused(
      plan(
        '  - id: a', // 4
        '    kind: shel',
        '    argv: [x]',
        '  - id: b', // 7
        '    kind: shell',
        '    argv: [x]',
        '    needs: [zz]',
      ),
    );
    const problems = error.details.problems as PlanProblem[];
    expect(problems.map((p) => p.path)).toEqual(['tasks[0].kind', 'tasks[1].needs[0]']);
    expect(error.message).toContain('The plan plan.alt.yaml has 2 problems:');
    expect(error.message).toContain('\n  plan.alt.yaml:5:11: tasks[0].kind: unknown task kind "shel"');
    expect(error.message).toContain('\n  plan.alt.yaml:10:13: tasks[1].needs[0]: "zz" is not a task in this plan.');
    expect(error.suggestion).toMatch(/localagent validate/);
    expect(error.details.file).toBe(FILE);
  });
});

describe('parsePlan: the schema', () => {
  it('needs the version, and names the one it reads', () => {
    expectProblem(problemsOf(lines('title: t', 'tasks:', '  - { id: a, kind: approval, message: m }')), 'alt', 1, /is required: start the plan with `alt: 1`/);
    expectProblem(problemsOf(lines('alt: 2', 'title: t', 'tasks:', '  - { id: a, kind: approval, message: m }')), 'alt', 1, /reads .alt version 1, not 2\. Upgrade LocalAgent/);
    expectProblem(problemsOf(lines('alt: "1"', 'title: t', 'tasks:', '  - { id: a, kind: approval, message: m }')), 'alt', 1, /not "1"\. Set `alt: 1`/);
  });

  it('points at unknown keys, with did-you-mean for the plan and for each task kind', () => {
    const problems = problemsOf(
      lines(
        'alt: 1',
        'titel: t', // 2
        'tasks:',
        '  - id: a',
        '    kind: shell',
        '    argv: [x]',
        '    neds: [b]', // 7
        '  - id: b',
        '    kind: http',
        '    url: https://example.com',
        '    header: { a: b }', // 11
      ),
    );
    expectProblem(problems, 'titel', 2, /unknown key "titel"\. Did you mean "title"\?/);
    expectProblem(problems, 'title', 1, /is required/);
    expectProblem(problems, 'tasks[0].neds', 7, /unknown key "neds"\. Did you mean "needs"\?.*Known keys here: .*argv/);
    const header = expectProblem(problems, 'tasks[1].header', 11, /Did you mean "headers"\?/);
    expect(header.column).toBe(5);
    expect(header.message).not.toContain('argv');
  });

  it('says which kinds exist when a kind is unknown or missing', () => {
    const problems = problemsOf(
      plan(
        '  - id: a', // 4
        '    kind: shel',
        '    argv: [x]',
        '  - id: b', // 7
        '    argv: [x]',
      ),
    );
    expectProblem(problems, 'tasks[0].kind', 5, /unknown task kind "shel"\. Did you mean "shell"\? The kinds are ai, shell, fs, http, transform, approval, os\./);
    expectProblem(problems, 'tasks[1].kind', 7, /is required: every task has a kind, one of ai, shell/);
  });

  it('explains wrong parameter types', () => {
    const problems = problemsOf(
      plan(
        '  - id: a', // 4
        '    kind: shell',
        '    argv: echo hello world', // 6
        '    timeout: 30 seconds', // 7
        '    retry: lots', // 8
        '  - id: b', // 9
        '    kind: ai',
        '    prompt: hi',
        '    temperature: warm', // 12
        '    max_tokens: -5', // 13
        '  - id: c', // 14
        '    kind: fs',
        '    op: rename', // 16
        '    path: x',
        '  - 42', // 18
        '  - id: "bad id"', // 19
        '    kind: approval',
        '    message: m',
      ),
    );
    expectProblem(problems, 'tasks[0].argv', 6, /never a shell string: write \["echo", "hello", "world"\]/);
    expectProblem(problems, 'tasks[0].timeout', 7, /duration such as 500ms, 30s/);
    expectProblem(problems, 'tasks[0].retry', 8, /number of retries \(0–20\) or \{ max_attempts, backoff \}, got "lots"/);
    expectProblem(problems, 'tasks[1].temperature', 12, /expected a number, got the text "warm"/);
    expectProblem(problems, 'tasks[1].max_tokens', 13, /Too small|positive|>0/i);
    expectProblem(problems, 'tasks[2].op', 16, /expected one of read, write, append/);
    expectProblem(problems, 'tasks[3]', 18, /expected a mapping/);
    expectProblem(problems, 'tasks[4].id', 19, /use a letter or _ first/);
  });

  it('refuses a plan that is not a mapping, has no tasks, or has too many', () => {
    expectProblem(problemsOf(lines('- a', '- b')), '', 1, /expected a mapping/);
    expectProblem(problemsOf(''), '', 1, /expected a mapping/);
    expectProblem(problemsOf(lines('alt: 1', 'title: t', 'tasks: []')), 'tasks', 3, /is empty: a plan needs at least one task/);
    expectProblem(problemsOf(lines('alt: 1', 'title: t', 'tasks: nope')), 'tasks', 3, /expected a list/);
    const tooMany = {
      alt: 1,
      title: 'big',
      tasks: Array.from({ length: 10_001 }, (_, i) => ({ id: `t${i}`, kind: 'approval', message: 'm', needs: ['nobody'] })),
    };
    const problems = problemsOf(JSON.stringify(tooMany), { format: 'json' });
    // Only the limit: checking 10,001 tasks further would bury it in noise.
    expect(problems).toEqual([expect.objectContaining({ path: 'tasks', line: 1, message: expect.stringMatching(/10001 tasks; a plan may have at most 10000/) as unknown })]);
  });

  it('refuses numbers that have no JSON form', () => {
    const problems = problemsOf(lines('alt: 1', 'title: t', 'inputs:', '  big: .inf', 'tasks:', '  - { id: a, kind: approval, message: m }'));
    expectProblem(problems, 'inputs.big', 4, /finite number/);
  });
});

describe('parsePlan: ids and needs', () => {
  it('refuses duplicate ids, naming the first', () => {
    const problems = problemsOf(
      plan(
        '  - { id: a, kind: approval, message: m }', // 4
        '  - { id: b, kind: approval, message: m }', // 5
        '  - { id: a, kind: approval, message: m }', // 6
      ),
    );
    expectProblem(problems, 'tasks[2].id', 6, /duplicate task id "a": tasks\[0\] already has it/);
  });

  it('refuses unknown needs, with did-you-mean', () => {
    const problems = problemsOf(
      plan(
        '  - { id: build, kind: approval, message: m }', // 4
        '  - id: test', // 5
        '    kind: approval',
        '    message: m',
        '    needs:',
        '      - biuld', // 9
        '      - zzz', // 10
      ),
    );
    expectProblem(problems, 'tasks[1].needs[0]', 9, /"biuld" is not a task in this plan\. Did you mean "build"\?/);
    expectProblem(problems, 'tasks[1].needs[1]', 10, /^"zzz" is not a task in this plan\.$/);
  });

  it('refuses a task that needs itself (a cycle of length 1)', () => {
    const problems = problemsOf(plan('  - id: a', '    kind: approval', '    message: m', '    needs: [a]'));
    expectProblem(problems, 'tasks[0].needs[0]', 7, /task "a" needs itself \(a → a\)/);
  });

  it('prints a cycle of length 2 at the need that starts it', () => {
    const problems = problemsOf(
      plan(
        '  - id: a', // 4
        '    kind: approval',
        '    message: m',
        '    needs: [b]', // 7
        '  - id: b',
        '    kind: approval',
        '    message: m',
        '    needs: [a]',
      ),
    );
    expect(problems).toHaveLength(1);
    expectProblem(problems, 'tasks[0].needs[0]', 7, /needs form a cycle: a → b → a/);
  });

  it('prints a long cycle once, and one cycle per tangle', () => {
    const chain = ['a', 'b', 'c', 'd', 'e'];
    const tasks = chain.map((id, i) => `  - { id: ${id}, kind: approval, message: m, needs: [${chain[(i + 1) % chain.length]}] }`);
    const other = ['  - { id: x, kind: approval, message: m, needs: [y, a] }', '  - { id: y, kind: approval, message: m, needs: [x] }'];
    const free = ['  - { id: free, kind: approval, message: m, needs: [a, x] }'];
    const problems = problemsOf(plan(...tasks, ...other, ...free));
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['tasks[0].needs[0]', 4],
      ['tasks[5].needs[0]', 9],
    ]);
    expect(problems[0]?.message).toContain('needs form a cycle: a → b → c → d → e → a');
    expect(problems[1]?.message).toContain('needs form a cycle: x → y → x');
  });

  it('still checks templates when the plan has a cycle', () => {
    const problems = problemsOf(
      plan(
        '  - { id: a, kind: approval, message: m, needs: [b] }', // 4
        '  - { id: b, kind: approval, message: m, needs: [a] }',
        '  - { id: c, kind: approval, message: m, needs: [a] }',
        '  - { id: d, kind: approval, message: "{{ tasks.b.output }}", needs: [c] }', // 7
        '  - { id: e, kind: approval, message: "{{ tasks.d.output }}", needs: [c] }', // 8
      ),
    );
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['tasks[0].needs[0]', 4],
      ['tasks[4].message', 8],
    ]);
  });

  it('prints the shortest cycle through a tangle', () => {
    // a → b → c → a and a → c → a: the second is shorter.
    const problems = problemsOf(
      plan(
        '  - { id: a, kind: approval, message: m, needs: [b, c] }',
        '  - { id: b, kind: approval, message: m, needs: [c] }',
        '  - { id: c, kind: approval, message: m, needs: [a] }',
      ),
    );
    expectProblem(problems, 'tasks[0].needs[1]', 4, /a → c → a/);
  });
});

describe('parsePlan: templates', () => {
  const withInputs = (...taskLines: string[]): string => lines('alt: 1', 'title: t', 'inputs:', '  name: world', 'tasks:', ...taskLines);

  it('accepts inputs, ancestors (direct or not) and escaped braces', () => {
    const text = withInputs(
      '  - id: a', // 6
      '    kind: shell',
      "    argv: [echo, '{{ inputs.name }}', '\\{{ literal \\}}']",
      '  - { id: b, kind: approval, message: "ok {{tasks.a.output.stdout}}?", needs: [a] }',
      '  - id: c',
      '    kind: http',
      '    needs: [b]',
      '    url: "https://example.com/{{ inputs.name }}"',
      '    body: { deep: ["{{ tasks.a.output.stdout }}", "{{ tasks.b.output.approved_by }}"] }',
    );
    expect(parsePlan(text, { path: FILE }).plan.tasks).toHaveLength(3);
  });

  it('accepts any input name when the plan declares no inputs', () => {
    expect(() => parsePlan(plan('  - { id: a, kind: approval, message: "{{ inputs.anything }}" }'), { path: FILE })).not.toThrow();
  });

  it('refuses undeclared inputs, unknown tasks, the task itself and tasks that are not needed', () => {
    const problems = problemsOf(
      withInputs(
        '  - id: a', // 6
        '    kind: shell',
        '    argv: [echo, "{{ inputs.nmae }}"]', // 8
        '  - id: b', // 9
        '    kind: approval',
        '    message: "{{ tasks.nope.output }}"', // 11
        '  - id: c', // 12
        '    kind: fs',
        '    op: write',
        '    path: x',
        '    content: "{{ tasks.a.output.stdout }}"', // 16
        '    title: "{{ tasks.c.output }}"', // 17
      ),
    );
    expectProblem(problems, 'tasks[0].argv[1]', 8, /"\{\{ inputs\.nmae \}\}": inputs\.nmae is not declared in the plan's inputs\. Did you mean "name"\?/);
    expectProblem(problems, 'tasks[1].message', 11, /tasks\.nope is not a task in this plan/);
    expectProblem(problems, 'tasks[2].content', 16, /tasks\.a is not among this task's needs/);
    expectProblem(problems, 'tasks[2].title', 17, /a task cannot read its own output/);
  });

  it('refuses code, unknown roots and unbalanced braces', () => {
    const problems = problemsOf(
      plan(
        '  - id: a', // 4
        '    kind: shell',
        '    argv:',
        '      - "{{ inputs.name | upper }}"', // 7
        '      - "{{ foo(1) }}"', // 8
        '      - "{{ env.HOME }}"', // 9
        '      - "{{ inputs.name"', // 10
        '      - "done }}"', // 11
        '      - "{{ {{ inputs.x }} }}"', // 12
        '      - "{{ }}"', // 13
        '      - "{{ tasks.a.stdout }}"', // 14
        '      - "{{ inputs }}"', // 15
      ),
    );
    expectProblem(problems, 'tasks[0].argv[0]', 7, /templates never run code/);
    expectProblem(problems, 'tasks[0].argv[1]', 8, /templates never run code/);
    expectProblem(problems, 'tasks[0].argv[2]', 9, /reads "env", which templates cannot see/);
    expectProblem(problems, 'tasks[0].argv[3]', 10, /"\{\{" is never closed/);
    expectProblem(problems, 'tasks[0].argv[4]', 11, /"\}\}" without a matching "\{\{"/);
    expect(problems.filter((p) => p.path === 'tasks[0].argv[5]').map((p) => p.message)).toContainEqual(expect.stringMatching(/do not nest/));
    expectProblem(problems, 'tasks[0].argv[6]', 13, /empty template/);
    expectProblem(problems, 'tasks[0].argv[7]', 14, /read through \.output, e\.g\. \{\{ tasks\.a\.output\.stdout \}\}/);
    expectProblem(problems, 'tasks[0].argv[8]', 15, /does not name an input/);
  });

  it('leaves JSONata, ids and JSON Schemas alone', () => {
    const text = plan(
      '  - id: a',
      '    kind: ai',
      '    prompt: hi',
      '    schema: { type: object, description: "keys look like {{x}}" }',
      '  - { id: b, kind: transform, needs: [a], expr: "tasks.a.output.text & \'}}\'" }',
    );
    expect(() => parsePlan(text, { path: FILE })).not.toThrow();
  });
});

describe('parsePlan: when and transform expressions', () => {
  it('must parse as JSONata', () => {
    const problems = problemsOf(
      plan(
        '  - id: a', // 4
        '    kind: approval',
        '    message: m',
        '    when: "inputs.go = ("', // 7
        '  - id: b', // 8
        '    kind: transform',
        '    expr: "$uppercase("', // 10
      ),
    );
    expectProblem(problems, 'tasks[0].when', 7, /is not a valid JSONata expression: .*\(at character \d+\)/);
    expectProblem(problems, 'tasks[1].expr', 10, /is not a valid JSONata expression/);
  });

  it('may read only tasks among the needs, and declared inputs', () => {
    const problems = problemsOf(
      lines(
        'alt: 1',
        'title: t',
        'inputs: { go: true }',
        'tasks:',
        '  - { id: a, kind: approval, message: m }', // 5
        '  - id: b', // 6
        '    kind: approval',
        '    message: m',
        '    when: tasks.a.output.approved_by != null and inputs.goo', // 9
        '  - id: c', // 10
        '    kind: transform',
        '    needs: [a]',
        '    expr: "$count(tasks.zz.output) + tasks.a.output.x"', // 13
      ),
    );
    const when = problems.filter((p) => p.path === 'tasks[1].when');
    expect(when.map((p) => [p.line, p.message])).toEqual([
      [9, expect.stringMatching(/tasks\.a is not among this task's needs/)],
      [9, expect.stringMatching(/inputs\.goo is not declared.*Did you mean "go"\?/)],
    ]);
    expectProblem(problems, 'tasks[2].expr', 13, /tasks\.zz is not a task in this plan/);
  });
});

describe('parsePlan: rules between fields', () => {
  it('allows chaos_level only in chaos mode', () => {
    const body = ['tasks:', '  - { id: a, kind: approval, message: m }'];
    expectProblem(problemsOf(lines('alt: 1', 'title: t', 'chaos_level: 3', ...body)), 'chaos_level', 3, /only applies to mode: chaos.*normal \(the default\)/);
    expectProblem(problemsOf(lines('alt: 1', 'title: t', 'mode: dream', 'chaos_level: 3', ...body)), 'chaos_level', 4, /mode is dream/);
    expect(parsePlan(lines('alt: 1', 'title: t', 'mode: chaos', 'chaos_level: 3', ...body), { path: FILE }).plan.chaos_level).toBe(3);
  });

  it('refuses an ai task with both model and models', () => {
    const problems = problemsOf(plan('  - id: a', '    kind: ai', '    prompt: p', '    model: m1', '    models: [m2, m3]'));
    expectProblem(problems, 'tasks[0].models', 8, /set model or models, not both/);
  });

  it('checks that fs ops have what they need and nothing they ignore', () => {
    const problems = problemsOf(
      plan(
        '  - { id: a, kind: fs, op: move, path: x }', // 4
        '  - { id: b, kind: fs, op: write, path: x }', // 5
        '  - id: c', // 6
        '    kind: fs',
        '    op: read',
        '    path: x',
        '    content: hi', // 10
        '    to: y', // 11
        '  - { id: d, kind: fs, op: copy, path: x, to: y }',
        '  - { id: e, kind: fs, op: append, path: x, content: "" }',
      ),
    );
    expectProblem(problems, 'tasks[0].to', 4, /is required for op move/);
    expectProblem(problems, 'tasks[1].content', 5, /is required for op write/);
    expectProblem(problems, 'tasks[2].content', 10, /only used by op write and append, not read/);
    expectProblem(problems, 'tasks[2].to', 11, /only used by op move and copy, not read/);
    expect(problems).toHaveLength(4);
  });
});

describe('parsePlan: YAML', () => {
  it('reports malformed YAML with its position', () => {
    const problems = problemsOf(lines('alt: 1', 'title: t', 'tasks:', '  - id: a', '   kind: x: y'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: '', line: 5 });
    expect(problems[0]?.message).toMatch(/^the YAML is malformed: /);
  });

  it('refuses duplicate keys', () => {
    const problems = problemsOf(lines('alt: 1', 'title: t', 'title: u', 'tasks: []'));
    expect(problems[0]).toMatchObject({ line: 3, message: expect.stringMatching(/unique/) as unknown });
  });

  it('refuses alias bombs', () => {
    const bomb = lines('a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]');
    const error = refused(bomb);
    expect(error.code).toBe('LA_YAML_ALIAS_LIMIT');
  });
});

describe('parsePlan: JSON', () => {
  it('locates problems in JSON by line', () => {
    const json = [
      '{',
      '  "alt": 1,',
      '  "title": "t",',
      '  "tasks": [',
      '    { "id": "a", "kind": "approval", "message": "m" },',
      '    { "id": "b", "kind": "approval", "message": "m", "needs": ["x"] }', // 6
      '  ]',
      '}',
    ].join('\n');
    const problems = problemsOf(json, { path: 'plan.alt.json' });
    expectProblem(problems, 'tasks[1].needs[0]', 6, /"x" is not a task/);
  });

  it('is strict: YAML-only syntax is refused with a position', () => {
    const trailingComma = problemsOf('{\n  "alt": 1,\n  "title": "t",\n}', { format: 'json' });
    expect(trailingComma).toHaveLength(1);
    expect(trailingComma[0]?.message).toMatch(/^the JSON is malformed: /);
    expect(trailingComma[0]?.line).toBeGreaterThanOrEqual(3);
    const bare = problemsOf('{"alt": 1, "title": t}', { format: 'json' });
    expect(bare[0]?.message).toMatch(/^the JSON is malformed: /);
    const cut = problemsOf('{\n"alt": 1,\n"title": "t"', { format: 'json' });
    expect(cut[0]?.line).toBe(3);
  });

  it('refuses duplicate keys, which JSON.parse would let through', () => {
    const problems = problemsOf('{"alt": 1, "alt": 1, "title": "t", "tasks": []}', { format: 'json' });
    expect(problems[0]?.message).toMatch(/^the JSON is malformed: .*unique/);
  });

  it('reads a byte-order mark', () => {
    const json = '\uFEFF{"alt": 1, "title": "t", "tasks": [{"id": "a", "kind": "approval", "message": "m"}]}';
    expect(parsePlan(json, { path: 'x.json' }).plan.title).toBe('t');
  });
});

describe('loadPlanFile', () => {
  it('reads and validates a file, showing the name it was given', async () => {
    const dir = await tempDir();
    const path = join(dir, 'p.alt.yaml');
    await writeFile(path, plan('  - { id: a, kind: approval, message: m }'));
    expect((await loadPlanFile(path)).plan.tasks).toHaveLength(1);
    await writeFile(path, plan('  - { id: a, kind: approval }'));
    const error = await loadPlanFile(path, { name: 'p.alt.yaml' }).catch((e: unknown) => e as PlanError);
    expect(error).toBeInstanceOf(PlanError);
    expect((error as PlanError).message).toContain('p.alt.yaml:4:5: tasks[0].message: is required');
  });

  it('reads JSON by extension', async () => {
    const dir = await tempDir();
    const path = join(dir, 'p.alt.json');
    await writeFile(path, '{"alt": 1, "title": "t", "tasks": [{"id": "a", "kind": "approval", "message": "m"}],}');
    const error = await loadPlanFile(path).catch((e: unknown) => e as PlanError);
    expect((error as PlanError).details.problems).toEqual([expect.objectContaining({ message: expect.stringMatching(/JSON is malformed/) as unknown })]);
  });

  it('says when the file is missing, a folder, or over 1 MiB', async () => {
    const dir = await tempDir();
    await expect(loadPlanFile(join(dir, 'nope.alt.yaml'), { name: 'nope.alt.yaml' })).rejects.toMatchObject({
      code: 'LA_PLAN_NOT_FOUND',
      message: 'The plan file nope.alt.yaml does not exist.',
    });
    await mkdir(join(dir, 'folder.alt.yaml'));
    await expect(loadPlanFile(join(dir, 'folder.alt.yaml'))).rejects.toMatchObject({ code: 'LA_PLAN_UNREADABLE', message: expect.stringMatching(/folder/) as unknown });
    const big = join(dir, 'big.alt.yaml');
    await writeFile(big, `# ${'x'.repeat(1024 * 1024)}\n`);
    const error = await loadPlanFile(big, { name: 'big.alt.yaml' }).catch((e: unknown) => e as PlanError);
    expect(error).toBeInstanceOf(PlanError);
    expect(error).toMatchObject({ code: 'LA_FILE_TOO_LARGE', details: { file: 'big.alt.yaml', limit: 1024 * 1024 } });
  });
});
