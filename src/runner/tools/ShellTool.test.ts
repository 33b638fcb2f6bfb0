import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalRequiredError, OperationCancelledError, PolicyDeniedError, TimeoutError, UserInputError } from '../../core/errors/index.js';
import type { AltTask } from '../../formats/index.js';
import { DefaultPolicy } from '../policy/index.js';
import { ShellTool } from './index.js';
import { FixedPolicy, eventually, isAlive, failure, toolContext } from './test-support/toolContext.js';

type ShellTask = Extract<AltTask, { kind: 'shell' }>;

function task(argv: string[], extra: Partial<ShellTask> = {}): ShellTask {
  return { id: 't', kind: 'shell', argv, ...extra };
}

/** A node program that starts `sleep 30` in its own process group, records both pids, then waits forever. */
const PARENT_WITH_GRANDCHILD = `
const { spawn } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
writeFileSync('pids.json', JSON.stringify({ parent: process.pid, grandchild: sleeper.pid }));
if (process.argv[2] === 'stubborn') process.on('SIGTERM', () => {});
setInterval(() => {}, 1000);
`;

describe('ShellTool', () => {
  let ws: string;
  const tool = new ShellTool({ killGraceMs: 300 });

  beforeEach(async () => {
    ws = await realpath(await mkdtemp(join(tmpdir(), 'la-shell-')));
    await mkdir(join(ws, 'sub'));
    await writeFile(join(ws, 'a.txt'), 'alpha\n');
    await writeFile(join(ws, 'parent.js'), PARENT_WITH_GRANDCHILD);
  });
  afterEach(async () => {
    await rm(ws, { recursive: true, force: true });
  });


  async function pidsFile(): Promise<{ parent: number; grandchild: number }> {
    expect(await eventually(async () => (await readFile(join(ws, 'pids.json'), 'utf8').catch(() => '')) !== '')).toBe(true);
    return JSON.parse(await readFile(join(ws, 'pids.json'), 'utf8')) as { parent: number; grandchild: number };
  }

  it('runs a program and returns exactly stdout, stderr and exit_code', async () => {
    expect(await tool.run(task(['echo', 'hello']), toolContext(ws))).toEqual({ stdout: 'hello\n', stderr: '', exit_code: 0 });
    expect(await tool.run(task(['printf', '%s-%s', 'a', 'b']), toolContext(ws))).toEqual({ stdout: 'a-b', stderr: '', exit_code: 0 });
  });

  it('passes shell metacharacters as plain argument bytes', async () => {
    const text = 'a;b|c $(x) `y` && z > out.txt * ~ \\n';
    const output = await tool.run(task(['echo', text]), toolContext(ws));
    expect(output.stdout).toBe(`${text}\n`);
    await expect(readFile(join(ws, 'out.txt'))).rejects.toThrow();
  });

  it('feeds stdin and runs in the given folder', async () => {
    expect((await tool.run(task(['cat'], { stdin: 'from stdin' }), toolContext(ws))).stdout).toBe('from stdin');
    expect((await tool.run(task(['pwd'], { cwd: 'sub' }), toolContext(ws))).stdout).toBe(`${join(ws, 'sub')}\n`);
    // A program that does not read its input is not disturbed by it.
    expect((await tool.run(task(['true'], { stdin: 'x'.repeat(1 << 20) }), toolContext(ws))).exit_code).toBe(0);
  });

  it('runs a node script that writes output and files', async () => {
    await writeFile(join(ws, 'script.js'), "process.stdout.write('out'); process.stderr.write('err'); require('fs').writeFileSync('made.txt', 'x');");
    expect(await tool.run(task(['node', 'script.js']), toolContext(ws))).toEqual({ stdout: 'out', stderr: 'err', exit_code: 0 });
    expect(await readFile(join(ws, 'made.txt'), 'utf8')).toBe('x');
  });

  it('fails on a non-zero exit with the code and the stderr tail', async () => {
    const error = await failure(tool.run(task(['node', '-e', 'process.stderr.write("x".repeat(5000) + "boom"); process.exit(3)']), toolContext(ws)));
    expect(error).toBeInstanceOf(UserInputError);
    expect(error).toMatchObject({ code: 'LA_SHELL_EXIT_NONZERO', category: 'permanent' });
    expect(error.details.exit_code).toBe(3);
    expect(String(error.details.stderr_tail)).toMatch(/boom$/);
    expect(String(error.details.stderr_tail).length).toBe(2000);
    expect(error.message).toContain('exited with code 3');
  });

  it('reports a program killed by a signal', async () => {
    const error = await failure(tool.run(task(['node', '-e', 'process.kill(process.pid, "SIGKILL")']), toolContext(ws)));
    expect(error.code).toBe('LA_SHELL_EXIT_NONZERO');
    expect(error.details).toMatchObject({ exit_code: null, signal: 'SIGKILL' });
    expect(error.message).toContain('killed by SIGKILL');
  });

  it('reports a missing program and one that cannot be run', async () => {
    const missing = await failure(tool.run(task(['definitely-not-a-program-xyz']), toolContext(ws)));
    expect(missing).toMatchObject({ code: 'LA_COMMAND_NOT_FOUND', details: { errno: 'ENOENT' } });
    const notExecutable = await failure(tool.run(task([join(ws, 'a.txt')]), toolContext(ws)));
    expect(notExecutable).toMatchObject({ code: 'LA_COMMAND_NOT_FOUND', details: { errno: 'EACCES' } });
    expect(notExecutable.message).toContain('cannot be run');
  });

  it('caps stdout and stderr separately and marks the cut', async () => {
    const context = toolContext(ws, { limits: { maxOutputBytes: 1000, maxReadBytes: 1000, defaultTimeoutMs: 20_000 } });
    const output = await tool.run(task(['node', '-e', 'process.stdout.write("o".repeat(100000)); process.stderr.write("e".repeat(10))']), context);
    expect(output.stdout).toBe('o'.repeat(1000));
    expect(output.stderr).toBe('e'.repeat(10));
    expect(output.truncated).toBe(true);
    // A cut through a two-byte character drops it rather than showing a replacement character.
    const wide = await tool.run(task(['node', '-e', 'process.stdout.write("é".repeat(1000))']), { ...context, limits: { ...context.limits, maxOutputBytes: 1001 } });
    expect(wide.stdout).toBe('é'.repeat(500));
    const failed = await failure(tool.run(task(['node', '-e', 'process.stderr.write("e".repeat(5000)); process.exit(1)']), context));
    expect(failed.details.truncated).toBe(true);
  });

  it('kills the whole process group on timeout', async () => {
    const error = await failure(tool.run(task(['node', 'parent.js'], { timeout: '1s' }), toolContext(ws)));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'LA_TASK_TIMEOUT', category: 'transient', details: { timeout_ms: 1000 } });
    const { parent, grandchild } = await pidsFile();
    expect(await eventually(() => !isAlive(parent) && !isAlive(grandchild))).toBe(true);
  });

  it('uses SIGKILL when the group ignores SIGTERM, and the default timeout when the task has none', async () => {
    const context = toolContext(ws, { limits: { maxOutputBytes: 1000, maxReadBytes: 1000, defaultTimeoutMs: 1000 } });
    const error = await failure(tool.run(task(['node', 'parent.js', 'stubborn']), context));
    expect(error.code).toBe('LA_TASK_TIMEOUT');
    const { parent, grandchild } = await pidsFile();
    expect(await eventually(() => !isAlive(parent) && !isAlive(grandchild))).toBe(true);
  });

  it('kills the whole process group on abort, leaving no orphan', async () => {
    const controller = new AbortController();
    const running = tool.run(task(['node', 'parent.js']), toolContext(ws, { signal: controller.signal }));
    const { parent, grandchild } = await pidsFile();
    expect(isAlive(parent) && isAlive(grandchild)).toBe(true);
    controller.abort();
    const error = await failure(running);
    expect(error).toBeInstanceOf(OperationCancelledError);
    expect(error.code).toBe('LA_CANCELLED');
    expect(await eventually(() => !isAlive(parent) && !isAlive(grandchild))).toBe(true);
  });

  it('reports the runner\'s own abort reason, and refuses to start when already aborted', async () => {
    const controller = new AbortController();
    const running = tool.run(task(['node', 'parent.js']), toolContext(ws, { signal: controller.signal }));
    await pidsFile();
    controller.abort(new TimeoutError({ code: 'LA_TASK_TIMEOUT', message: 'runner deadline' }));
    expect((await failure(running)).message).toBe('runner deadline');

    const aborted = new AbortController();
    aborted.abort();
    const policy = new FixedPolicy('allow');
    expect((await failure(tool.run(task(['echo', 'x']), toolContext(ws, { signal: aborted.signal, policy })))).code).toBe('LA_CANCELLED');
    expect(policy.requests).toHaveLength(0);
  });

  it('stops processes a program leaves behind when it exits', async () => {
    const script = "const c = require('node:child_process').spawn('sleep', ['30'], { stdio: 'ignore' }); c.unref(); console.log(c.pid);";
    const output = await tool.run(task(['node', '-e', script]), toolContext(ws));
    const leftover = Number(output.stdout.trim());
    expect(leftover).toBeGreaterThan(0);
    expect(await eventually(() => !isAlive(leftover))).toBe(true);
  });

  describe('environment', () => {
    const planted = { LOCALAGENT_MASTER_PASSWORD: 'hunter2-master', OPENAI_API_KEY: 'sk-planted', GITHUB_TOKEN: 'ghp_planted', SOME_OTHER_VAR: 'other' };
    beforeEach(() => {
      Object.assign(process.env, planted);
    });
    afterEach(() => {
      for (const name of Object.keys(planted)) delete process.env[name];
    });

    it('gives the child only allowlisted variables plus the task\'s own', async () => {
      const output = await tool.run(task(['env'], { env: { GREETING: 'hi' } }), toolContext(ws, { env: process.env }));
      const seen = Object.fromEntries(output.stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
      expect(seen.GREETING).toBe('hi');
      expect(seen.PATH).toBeDefined();
      for (const name of Object.keys(planted)) expect(seen, name).not.toHaveProperty(name);
      expect(output.stdout).not.toContain('hunter2-master');
      expect(output.stdout).not.toContain('sk-planted');
    });

    it('refuses a task env naming a secret before asking the policy or running anything', async () => {
      const policy = new FixedPolicy('allow');
      const error = await failure(tool.run(task(['env'], { env: { OPENAI_API_KEY: 'sk-x' } }), toolContext(ws, { policy })));
      expect(error).toBeInstanceOf(PolicyDeniedError);
      expect(error.code).toBe('LA_ENV_FORBIDDEN');
      expect(policy.requests).toHaveLength(0);
    });
  });

  describe('policy', () => {
    const strict = new DefaultPolicy({ homeDir: '/home/nobody' });

    it('denies with the reason and rule ids, and runs nothing', async () => {
      const error = await failure(tool.run(task(['rm', '-rf', '/']), toolContext(ws, { policy: strict })));
      expect(error).toBeInstanceOf(PolicyDeniedError);
      expect(error.exitCode).toBe(3);
      expect(error.details).toMatchObject({ action: 'shell.exec', resource: 'rm', rules: ['shell.deny.rm-root'] });
      expect(error.message).toContain('Denied by policy');
    });

    it('asks for approval, and runs once approved', async () => {
      const pending = await failure(tool.run(task(['node', '-e', 'console.log(1)']), toolContext(ws, { policy: strict })));
      expect(pending).toBeInstanceOf(ApprovalRequiredError);
      expect(pending.exitCode).toBe(4);
      expect(pending.details.rules).toEqual(['shell.approve.interpreter']);
      const approved = await tool.run(task(['node', '-e', 'console.log(1)']), toolContext(ws, { policy: strict, approved: true }));
      expect(approved.stdout).toBe('1\n');
    });

    it('tells the policy the full argv, the real cwd and the workspace, and reports decisions', async () => {
      const policy = new FixedPolicy('allow');
      const decisions: string[] = [];
      const listening = new ShellTool({ onDecision: (request, decision) => void decisions.push(`${request.action}:${decision.effect}`) });
      await listening.run(task(['ls', '-a'], { cwd: 'sub' }), toolContext(ws, { policy }));
      expect(policy.requests[0]).toMatchObject({
        principal: { type: 'Agent', id: 'run-test' },
        action: 'shell.exec',
        resource: 'ls',
        context: { argv: ['ls', '-a'], cwd: join(ws, 'sub'), workspace: ws, run_id: 'run-test', task_id: 'task-test', approved: false },
      });
      expect(decisions).toEqual(['shell.exec:allow']);
    });
  });

  it('confines the working folder to the workspace', async () => {
    expect((await failure(tool.run(task(['pwd'], { cwd: '..' }), toolContext(ws)))).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
    expect((await failure(tool.run(task(['pwd'], { cwd: 'a.txt' }), toolContext(ws)))).code).toBe('LA_PATH_WRONG_TYPE');
    expect((await failure(tool.run(task(['pwd'], { cwd: 'missing' }), toolContext(ws)))).code).toBe('LA_PATH_NOT_FOUND');
  });

  it('refuses NUL bytes in arguments and an empty argv', async () => {
    expect((await failure(tool.run(task(['echo', 'a\0b']), toolContext(ws)))).code).toBe('LA_INPUT_INVALID');
    expect((await failure(tool.run(task([]), toolContext(ws)))).code).toBe('LA_INPUT_INVALID');
  });
});
