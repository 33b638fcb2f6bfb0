import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInProcess, type CliRun } from '../../../test/support/cliHarness.js';
import { useTempDirs } from '../../../test/support/tempDir.js';
import { toLocalAgentError } from '../../core/errors/index.js';
import { buildProgram, CliRuntime } from '../runCli.js';
import { registerValidateCommand } from './validate.js';

const tempDir = useTempDirs();
const repo = fileURLToPath(new URL('../../../', import.meta.url));

class Buffered {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/**
 * `localagent …` in process. Until the lead registers `validate` in commands/index.ts, the command
 * is added to a fresh program here and errors go through the same Output.error as runCli's.
 */
async function run(argv: string[], cwd: string): Promise<CliRun> {
  const probe = buildProgram(new CliRuntime({ stdout: new Buffered(), stderr: new Buffered(), env: {}, cwd }));
  if (probe.commands.some((command) => command.name() === 'validate')) return runInProcess(argv, { cwd });
  const stdout = new Buffered();
  const stderr = new Buffered();
  const runtime = new CliRuntime({ stdout, stderr, env: {}, cwd });
  const program = buildProgram(runtime);
  registerValidateCommand(program, runtime);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { code: runtime.exitCode, stdout: stdout.text, stderr: stderr.text };
  } catch (thrown) {
    const error = toLocalAgentError(thrown);
    (runtime.context ?? runtime.contextFor({ json: argv.includes('--json') })).out.error(error);
    return { code: error.exitCode, stdout: stdout.text, stderr: stderr.text };
  } finally {
    await runtime.context?.close();
  }
}

const bad = [
  'alt: 1',
  'title: broken',
  'tasks:',
  '  - id: a', // 4
  '    kind: shel',
  '    argv: [x]',
  '  - id: b', // 7
  '    kind: approval',
  '    message: "{{ tasks.a.output }}"', // 9
  '    needs: [b]', // 10
  '',
].join('\n');

describe('localagent validate', () => {
  it('prints ok and a one-line summary', async () => {
    const result = await run(['validate', 'examples/hello.alt.yaml'], repo);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok examples\/hello\.alt\.yaml: 3 tasks \(1 shell, 1 fs, 1 transform\), depth 3, hash [0-9a-f]{12}\n$/);
  });

  it('prints id, hash, counts and the order with --json', async () => {
    const result = await run(['validate', 'examples/release-notes.alt.yaml', '--json'], repo);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(body).toMatchObject({ ok: true, tasks: 6, depth: 5, order: ['log', 'draft', 'review', 'save', 'post', 'summary'] });
    expect(body.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(body.id).toBe(`alt-${String(body.hash).slice(0, 16)}`);
    expect(body.kinds).toEqual({ shell: 1, ai: 1, approval: 1, fs: 1, http: 1, transform: 1 });
  });

  it('lists every problem as file:line:col and exits 1', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'bad.alt.yaml'), bad);
    const result = await run(['validate', 'bad.alt.yaml'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('error LA_PLAN_INVALID: The plan bad.alt.yaml has 3 problems:');
    expect(result.stderr).toContain('bad.alt.yaml:5:11: tasks[0].kind: unknown task kind "shel". Did you mean "shell"?');
    expect(result.stderr).toContain('bad.alt.yaml:9:14: tasks[1].message: "{{ tasks.a.output }}": tasks.a is not among this task\'s needs');
    expect(result.stderr).toContain('bad.alt.yaml:10:13: tasks[1].needs[0]: task "b" needs itself (b → b)');
    expect(result.stderr).toContain('hint:');
  });

  it('puts the problems in the JSON error on stderr with --json', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'bad.alt.yaml'), bad);
    const result = await run(['--json', 'validate', 'bad.alt.yaml'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const { error } = JSON.parse(result.stderr) as { error: { code: string; details: { file: string; problems: { path: string; line: number }[] } } };
    expect(error.code).toBe('LA_PLAN_INVALID');
    expect(error.details.file).toBe('bad.alt.yaml');
    expect(error.details.problems.map((p) => [p.path, p.line])).toEqual([
      ['tasks[0].kind', 5],
      ['tasks[1].message', 9],
      ['tasks[1].needs[0]', 10],
    ]);
  });

  it('says when the file does not exist', async () => {
    const dir = await tempDir();
    const result = await run(['validate', 'nope.alt.yaml'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error LA_PLAN_NOT_FOUND: The plan file nope.alt.yaml does not exist.');
  });

  it('validates JSON plans', async () => {
    const result = await run(['validate', 'examples/hello.alt.json'], repo);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok examples\/hello\.alt\.json: 3 tasks/);
  });
});
