import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalRequiredError, OperationCancelledError, PolicyDeniedError, TimeoutError, UserInputError } from '../../core/errors/index.js';
import type { AltTask } from '../../formats/index.js';
import { CedarPolicy } from '../../security/policy/index.js';
import { ShellSandbox, userHomeDirs } from '../../security/sandbox/index.js';
import { describeWithBwrap } from '../../security/sandbox/test-support/bwrapForTests.js';
import type { Policy } from '../types/index.js';
import { ShellTool } from './index.js';
import { hostPid, processesIn } from './test-support/processes.js';
import { FixedPolicy, eventually, isAlive, failure, toolContext } from './test-support/toolContext.js';

type ShellTask = Extract<AltTask, { kind: 'shell' }>;

function task(argv: string[], extra: Partial<ShellTask> = {}): ShellTask {
  return { id: 't', kind: 'shell', argv, ...extra };
}

/** A node program that starts `sleep 30`, records both pids (as it sees them), then waits forever. */
const PARENT_WITH_GRANDCHILD = `
const { spawn } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
writeFileSync('pids.json', JSON.stringify({ parent: process.pid, grandchild: sleeper.pid }));
if (process.argv[2] === 'stubborn') process.on('SIGTERM', () => {});
setInterval(() => {}, 1000);
`;

/** A node program that, on SIGTERM, writes a file and exits: it shows the polite stop arrived. */
const GRACEFUL = `
require('node:fs').writeFileSync('started', '');
process.on('SIGTERM', () => { require('node:fs').writeFileSync('got-sigterm', ''); process.exit(0); });
setInterval(() => {}, 1000);
`;

/** Temporary folders for a test: a workspace with a few files in it. */
function useWorkspace(): () => string {
  let ws = '';
  beforeEach(async () => {
    ws = await realpath(await mkdtemp(join(tmpdir(), 'la-shell-')));
    await mkdir(join(ws, 'sub'));
    await writeFile(join(ws, 'a.txt'), 'alpha\n');
    await writeFile(join(ws, 'parent.js'), PARENT_WITH_GRANDCHILD);
    await writeFile(join(ws, 'graceful.js'), GRACEFUL);
  });
  afterEach(async () => {
    await rm(ws, { recursive: true, force: true });
  });
  return () => ws;
}

async function pidsFile(ws: string): Promise<{ parent: number; grandchild: number }> {
  expect(await eventually(async () => (await readFile(join(ws, 'pids.json'), 'utf8').catch(() => '')) !== '')).toBe(true);
  return JSON.parse(await readFile(join(ws, 'pids.json'), 'utf8')) as { parent: number; grandchild: number };
}

/**
 * What a shell task does whatever runs it: output, errors, limits, and that stopping it leaves no
 * process behind. Declared twice: for plain child processes and inside bubblewrap.
 */
function processBehaviour(makeTool: () => ShellTool, isolation: 'none' | 'bwrap'): void {
  const workspace = useWorkspace();
  const ran = { isolation, network: isolation === 'none' };

  it('runs a program and returns exactly stdout, stderr, exit_code and how it ran', async () => {
    const tool = makeTool();
    expect(await tool.run(task(['echo', 'hello']), toolContext(workspace()))).toEqual({ stdout: 'hello\n', stderr: '', exit_code: 0, ...ran });
    expect(await tool.run(task(['printf', '%s-%s', 'a', 'b']), toolContext(workspace()))).toEqual({ stdout: 'a-b', stderr: '', exit_code: 0, ...ran });
  });

  it('passes shell metacharacters as plain argument bytes', async () => {
    const text = 'a;b|c $(x) `y` && z > out.txt * ~ \\n';
    const output = await makeTool().run(task(['echo', text]), toolContext(workspace()));
    expect(output.stdout).toBe(`${text}\n`);
    await expect(readFile(join(workspace(), 'out.txt'))).rejects.toThrow();
  });

  it('feeds stdin and runs in the given folder', async () => {
    const tool = makeTool();
    const ws = workspace();
    expect((await tool.run(task(['cat'], { stdin: 'from stdin' }), toolContext(ws))).stdout).toBe('from stdin');
    expect((await tool.run(task(['pwd'], { cwd: 'sub' }), toolContext(ws))).stdout).toBe(`${join(ws, 'sub')}\n`);
    // A program that does not read its input is not disturbed by it.
    expect((await tool.run(task(['true'], { stdin: 'x'.repeat(1 << 20) }), toolContext(ws))).exit_code).toBe(0);
  });

  it('runs a node script that writes output and files', async () => {
    const ws = workspace();
    await writeFile(join(ws, 'script.js'), "process.stdout.write('out'); process.stderr.write('err'); require('fs').writeFileSync('made.txt', 'x');");
    expect(await makeTool().run(task(['node', 'script.js']), toolContext(ws))).toEqual({ stdout: 'out', stderr: 'err', exit_code: 0, ...ran });
    expect(await readFile(join(ws, 'made.txt'), 'utf8')).toBe('x');
  });

  it('fails on a non-zero exit with the code and the stderr tail', async () => {
    const error = await failure(makeTool().run(task(['node', '-e', 'process.stderr.write("x".repeat(5000) + "boom"); process.exit(3)']), toolContext(workspace())));
    expect(error).toBeInstanceOf(UserInputError);
    expect(error).toMatchObject({ code: 'LA_SHELL_EXIT_NONZERO', category: 'permanent', details: { isolation } });
    expect(error.details.exit_code).toBe(3);
    expect(String(error.details.stderr_tail)).toMatch(/boom$/);
    expect(String(error.details.stderr_tail).length).toBe(2000);
    expect(error.message).toContain('exited with code 3');
  });

  it('reports a program killed by a signal', async () => {
    const error = await failure(makeTool().run(task(['node', '-e', 'process.kill(process.pid, "SIGKILL")']), toolContext(workspace())));
    expect(error.code).toBe('LA_SHELL_EXIT_NONZERO');
    if (isolation === 'none') {
      expect(error.details).toMatchObject({ exit_code: null, signal: 'SIGKILL' });
      expect(error.message).toContain('killed by SIGKILL');
    } else {
      // bubblewrap reports a death by signal as a shell does: 128 + the signal's number.
      expect(error.details).toMatchObject({ exit_code: 137 });
    }
  });

  it('reports a missing program and one that cannot be run', async () => {
    const tool = makeTool();
    const missing = await failure(tool.run(task(['definitely-not-a-program-xyz']), toolContext(workspace())));
    expect(missing).toMatchObject({ code: 'LA_COMMAND_NOT_FOUND', details: { errno: 'ENOENT' } });
    const notExecutable = await failure(tool.run(task([join(workspace(), 'a.txt')]), toolContext(workspace())));
    expect(notExecutable).toMatchObject({ code: 'LA_COMMAND_NOT_FOUND', details: { errno: 'EACCES' } });
    expect(notExecutable.message).toContain('cannot be run');
  });

  it('caps stdout and stderr separately and marks the cut', async () => {
    const tool = makeTool();
    const context = toolContext(workspace(), { limits: { maxOutputBytes: 1000, maxReadBytes: 1000, defaultTimeoutMs: 20_000 } });
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
    const ws = workspace();
    const running = failure(makeTool().run(task(['node', 'parent.js'], { timeout: '1s' }), toolContext(ws)));
    const { parent, grandchild } = await pidsFile(ws);
    const seen = [hostPid(parent, ws), hostPid(grandchild, ws)];
    expect(seen.every((pid) => pid !== undefined && isAlive(pid))).toBe(true);
    const error = await running;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'LA_TASK_TIMEOUT', category: 'transient', details: { timeout_ms: 1000 } });
    expect(await eventually(() => seen.every((pid) => !isAlive(pid as number)))).toBe(true);
    expect(await eventually(() => processesIn(ws).length === 0)).toBe(true);
  });

  it('uses SIGKILL when the group ignores SIGTERM, and the default timeout when the task has none', async () => {
    const ws = workspace();
    const context = toolContext(ws, { limits: { maxOutputBytes: 1000, maxReadBytes: 1000, defaultTimeoutMs: 1000 } });
    const error = await failure(makeTool().run(task(['node', 'parent.js', 'stubborn']), context));
    expect(error.code).toBe('LA_TASK_TIMEOUT');
    await pidsFile(ws);
    expect(await eventually(() => processesIn(ws).length === 0)).toBe(true);
  });

  it('kills the whole process group on abort, leaving no orphan', async () => {
    const ws = workspace();
    const controller = new AbortController();
    const running = makeTool().run(task(['node', 'parent.js']), toolContext(ws, { signal: controller.signal }));
    const { parent, grandchild } = await pidsFile(ws);
    const seen = [hostPid(parent, ws), hostPid(grandchild, ws)];
    expect(seen.every((pid) => pid !== undefined && isAlive(pid))).toBe(true);
    controller.abort();
    const error = await failure(running);
    expect(error).toBeInstanceOf(OperationCancelledError);
    expect(error.code).toBe('LA_CANCELLED');
    expect(await eventually(() => seen.every((pid) => !isAlive(pid as number)))).toBe(true);
    expect(await eventually(() => processesIn(ws).length === 0)).toBe(true);
  });

  it('sends SIGTERM first, so a program can clean up before it is stopped', async () => {
    const ws = workspace();
    const controller = new AbortController();
    const running = failure(makeTool().run(task(['node', 'graceful.js']), toolContext(ws, { signal: controller.signal })));
    expect(await eventually(() => existsSync(join(ws, 'started')))).toBe(true);
    controller.abort();
    expect((await running).code).toBe('LA_CANCELLED');
    expect(existsSync(join(ws, 'got-sigterm'))).toBe(true);
  });

  it("reports the runner's own abort reason, and refuses to start when already aborted", async () => {
    const tool = makeTool();
    const ws = workspace();
    const controller = new AbortController();
    const running = tool.run(task(['node', 'parent.js']), toolContext(ws, { signal: controller.signal }));
    await pidsFile(ws);
    controller.abort(new TimeoutError({ code: 'LA_TASK_TIMEOUT', message: 'runner deadline' }));
    expect((await failure(running)).message).toBe('runner deadline');

    const aborted = new AbortController();
    aborted.abort();
    const policy = new FixedPolicy('allow');
    expect((await failure(tool.run(task(['echo', 'x']), toolContext(ws, { signal: aborted.signal, policy })))).code).toBe('LA_CANCELLED');
    expect(policy.requests).toHaveLength(0);
  });

  it('stops processes a program leaves behind when it exits', async () => {
    const ws = workspace();
    const script = "const c = require('node:child_process').spawn('sleep', ['30'], { stdio: 'ignore' }); c.unref(); console.log(c.pid);";
    const output = await makeTool().run(task(['node', '-e', script]), toolContext(ws));
    expect(Number(output.stdout.trim())).toBeGreaterThan(0);
    expect(await eventually(() => processesIn(ws).length === 0)).toBe(true);
  });
}

describe('ShellTool as plain child processes', () => {
  processBehaviour(() => new ShellTool({ killGraceMs: 300 }), 'none');
});

describe('ShellTool', () => {
  const ws = useWorkspace();
  const tool = new ShellTool({ killGraceMs: 300 });

  describe('environment', () => {
    const planted = { LOCALAGENT_MASTER_PASSWORD: 'hunter2-master', OPENAI_API_KEY: 'sk-planted', GITHUB_TOKEN: 'ghp_planted', SOME_OTHER_VAR: 'other' };
    beforeEach(() => {
      Object.assign(process.env, planted);
    });
    afterEach(() => {
      for (const name of Object.keys(planted)) delete process.env[name];
    });

    it('gives the child only allowlisted variables plus the task\'s own', async () => {
      const output = await tool.run(task(['env'], { env: { GREETING: 'hi' } }), toolContext(ws(), { env: process.env }));
      const seen = Object.fromEntries(output.stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
      expect(seen.GREETING).toBe('hi');
      expect(seen.PATH).toBeDefined();
      for (const name of Object.keys(planted)) expect(seen, name).not.toHaveProperty(name);
      expect(output.stdout).not.toContain('hunter2-master');
      expect(output.stdout).not.toContain('sk-planted');
    });

    it('refuses a task env naming a secret before asking the policy or running anything', async () => {
      const policy = new FixedPolicy('allow');
      const error = await failure(tool.run(task(['env'], { env: { OPENAI_API_KEY: 'sk-x' } }), toolContext(ws(), { policy })));
      expect(error).toBeInstanceOf(PolicyDeniedError);
      expect(error.code).toBe('LA_ENV_FORBIDDEN');
      expect(policy.requests).toHaveLength(0);
    });
  });

  describe('policy', () => {
    const strict = new CedarPolicy({ homeDir: '/home/nobody' });

    it('denies with the reason and rule ids, and runs nothing', async () => {
      const error = await failure(tool.run(task(['rm', '-rf', '/']), toolContext(ws(), { policy: strict })));
      expect(error).toBeInstanceOf(PolicyDeniedError);
      expect(error.exitCode).toBe(3);
      expect(error.details).toMatchObject({ action: 'shell.exec', resource: 'rm', rules: ['shell.deny.rm-root'] });
      expect(error.message).toContain('Denied by policy');
    });

    it('asks for approval, and runs once approved', async () => {
      const pending = await failure(tool.run(task(['node', '-e', 'console.log(1)']), toolContext(ws(), { policy: strict })));
      expect(pending).toBeInstanceOf(ApprovalRequiredError);
      expect(pending.exitCode).toBe(4);
      expect(pending.details.rules).toEqual(['shell.approve.interpreter']);
      const approved = await tool.run(task(['node', '-e', 'console.log(1)']), toolContext(ws(), { policy: strict, approved: true }));
      expect(approved.stdout).toBe('1\n');
    });

    it('tells the policy the full argv, the real cwd and the workspace, and reports decisions', async () => {
      const policy = new FixedPolicy('allow');
      const decisions: string[] = [];
      const listening = new ShellTool({ onDecision: (request, decision) => void decisions.push(`${request.action}:${decision.effect}`) });
      await listening.run(task(['ls', '-a'], { cwd: 'sub' }), toolContext(ws(), { policy }));
      expect(policy.requests[0]).toMatchObject({
        principal: { type: 'Agent', id: 'run-test' },
        action: 'shell.exec',
        resource: 'ls',
        context: { argv: ['ls', '-a'], cwd: join(ws(), 'sub'), workspace: ws(), run_id: 'run-test', task_id: 'task-test', approved: false },
      });
      expect(decisions).toEqual(['shell.exec:allow']);
    });
  });

  it('confines the working folder to the workspace', async () => {
    expect((await failure(tool.run(task(['pwd'], { cwd: '..' }), toolContext(ws())))).code).toBe('LA_PATH_OUTSIDE_WORKSPACE');
    expect((await failure(tool.run(task(['pwd'], { cwd: 'a.txt' }), toolContext(ws())))).code).toBe('LA_PATH_WRONG_TYPE');
    expect((await failure(tool.run(task(['pwd'], { cwd: 'missing' }), toolContext(ws())))).code).toBe('LA_PATH_NOT_FOUND');
  });

  it('refuses NUL bytes in arguments and an empty argv', async () => {
    expect((await failure(tool.run(task(['echo', 'a\0b']), toolContext(ws())))).code).toBe('LA_INPUT_INVALID');
    expect((await failure(tool.run(task([]), toolContext(ws())))).code).toBe('LA_INPUT_INVALID');
  });
});

/** A stand-in for bwrap (a real script, run as a real process) that passes the trial and then fails every task with `message`. */
async function fakeBwrap(dir: string, message: string): Promise<string> {
  const path = join(dir, 'fake-bwrap');
  const script = `#!/bin/sh
for last; do :; done
if [ "$1" = "--version" ] || [ "$last" = "--version" ]; then echo "bubblewrap 9.9.9"; exit 0; fi
echo "${message}" >&2
exit 1
`;
  await writeFile(path, script, { mode: 0o755 });
  return path;
}

describe('ShellTool with security.sandbox set', () => {
  const ws = useWorkspace();
  const sandbox = (mode: 'auto' | 'bwrap' | 'off', bwrapPath?: string): ShellSandbox =>
    new ShellSandbox({ mode, localAgentHome: join(ws(), 'no-home'), homeDirs: [], searchPath: process.env.PATH, ...(bwrapPath ? { bwrapPath } : {}) });

  it('bwrap: refuses to run without bubblewrap, before asking the policy', async () => {
    const tool = new ShellTool({ sandbox: sandbox('bwrap', join(ws(), 'no-such-bwrap')) });
    const policy = new FixedPolicy('allow');
    const error = await failure(tool.run(task(['touch', 'ran.txt']), toolContext(ws(), { policy })));
    expect(error).toMatchObject({ code: 'LA_SANDBOX_UNAVAILABLE', category: 'system', details: { mode: 'bwrap', reason: 'not-installed' } });
    expect(error.message).toContain('did not run');
    expect(error.suggestion).toContain('apt-get install bubblewrap');
    expect(policy.requests).toHaveLength(0);
    expect(existsSync(join(ws(), 'ran.txt'))).toBe(false);
  });

  it('auto: runs unisolated when bubblewrap is missing, and says so in the output', async () => {
    const tool = new ShellTool({ sandbox: sandbox('auto', join(ws(), 'no-such-bwrap')) });
    expect(await tool.run(task(['echo', 'hi']), toolContext(ws()))).toEqual({ stdout: 'hi\n', stderr: '', exit_code: 0, isolation: 'none', network: true });
  });

  it('off: never isolates', async () => {
    const tool = new ShellTool({ sandbox: sandbox('off') });
    expect((await tool.run(task(['echo', 'hi']), toolContext(ws()))).isolation).toBe('none');
  });

  it('reports a sandbox bubblewrap could not build as LA_SANDBOX_FAILED, not as the program failing', async () => {
    const bwrap = await fakeBwrap(ws(), "bwrap: Can't mount tmpfs on /newroot/home: Permission denied");
    const tool = new ShellTool({ sandbox: sandbox('bwrap', bwrap) });
    const error = await failure(tool.run(task(['echo', 'hi']), toolContext(ws())));
    expect(error).toMatchObject({ code: 'LA_SANDBOX_FAILED', category: 'system', details: { bwrap_error: "Can't mount tmpfs on /newroot/home: Permission denied" } });
  });
});

describeWithBwrap('ShellTool inside bubblewrap', () => {
  let base = '';
  let fakeHome = '';
  let agentHome = '';
  let outsideDir = '';
  let tool: ShellTool | undefined;
  const KEY = 'PRIVATE-KEY-SENTINEL';
  const VAULT = 'VAULT-SENTINEL';

  beforeAll(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), 'la-isolated-')));
    fakeHome = join(base, 'home');
    agentHome = join(base, 'localagent');
    await mkdir(join(fakeHome, '.ssh'), { recursive: true });
    await writeFile(join(fakeHome, '.ssh', 'id_ed25519'), KEY);
    await writeFile(join(fakeHome, '.netrc'), `machine example.com password ${KEY}`);
    await writeFile(join(fakeHome, 'notes.txt'), 'my notes');
    await mkdir(join(fakeHome, '.localagent'));
    await writeFile(join(fakeHome, '.localagent', 'vault.json'), VAULT);
    await mkdir(agentHome);
    await writeFile(join(agentHome, 'vault.json'), VAULT);
    await writeFile(join(agentHome, 'localagent.db'), VAULT);
    // A writable folder outside the workspace that is neither in /tmp nor in a home: read-only inside.
    await mkdir(join(process.cwd(), 'node_modules', '.cache'), { recursive: true });
    outsideDir = await mkdtemp(join(process.cwd(), 'node_modules', '.cache', 'la-outside-'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
    await rm(outsideDir, { recursive: true, force: true });
  });

  /** One sandbox per "app", as src/app.ts builds it: HOME is the fake home (the account's real home is hidden too). */
  const isolated = (): ShellTool => {
    tool ??= new ShellTool({
      killGraceMs: 300,
      sandbox: new ShellSandbox({ mode: 'bwrap', localAgentHome: agentHome, homeDirs: userHomeDirs({ HOME: fakeHome }), searchPath: process.env.PATH }),
    });
    return tool;
  };

  describe('process behaviour', () => {
    processBehaviour(isolated, 'bwrap');
  });

  describe('isolation', () => {
    const ws = useWorkspace();

    /** Runs a node script inside; it prints a JSON report of what it could do. */
    async function probe(script: string, context = toolContext(ws()), sandboxTool = isolated()): Promise<Record<string, string>> {
      const output = await sandboxTool.run(task(['node', '-e', script]), context);
      expect(output.isolation).toBe('bwrap');
      return JSON.parse(output.stdout) as Record<string, string>;
    }

    const TRY_WRITE = `
const fs = require('node:fs');
const result = {};
for (const target of JSON.parse(process.argv[1])) {
  try { fs.writeFileSync(target, 'written from the sandbox'); result[target] = 'ok'; } catch (error) { result[target] = error.code; }
}
console.log(JSON.stringify(result));`;

    it('can write in the workspace, and nowhere outside it', async () => {
      const inside = join(ws(), 'sub', 'inside.txt');
      const outside = [join(outsideDir, 'x.txt'), join(fakeHome, 'x.txt'), join(agentHome, 'x.txt'), join(base, 'x.txt'), join(ws(), '..', 'sibling.txt')];
      const output = await isolated().run({ id: 't', kind: 'shell', argv: ['node', '-e', TRY_WRITE, JSON.stringify([inside, ...outside])] }, toolContext(ws()));
      const result = JSON.parse(output.stdout) as Record<string, string>;
      expect(result[inside]).toBe('ok');
      expect(await readFile(inside, 'utf8')).toBe('written from the sandbox');
      // Read-only (EROFS) or not there at all (ENOENT) inside; either way nothing reached the disk.
      // Which one depends on where the folder is (a private /tmp inside hides it), not on the code.
      expect(['EROFS', 'ENOENT']).toContain(result[join(outsideDir, 'x.txt')]);
      for (const target of outside) {
        expect(existsSync(target), target).toBe(false);
      }
    });

    it("cannot read the user's credentials or LocalAgent's home", async () => {
      const script = `
const fs = require('node:fs');
const result = {};
for (const target of JSON.parse(process.argv[1])) {
  try { result[target] = fs.readFileSync(target, 'utf8'); } catch (error) { result[target] = error.code; }
}
try { result.home = fs.readdirSync(${JSON.stringify(fakeHome)}).join(','); } catch (error) { result.home = error.code; }
console.log(JSON.stringify(result));`;
      const targets = [join(fakeHome, '.ssh', 'id_ed25519'), join(fakeHome, '.netrc'), join(agentHome, 'vault.json'), join(agentHome, 'localagent.db')];
      const output = await isolated().run({ id: 't', kind: 'shell', argv: ['node', '-e', script, JSON.stringify(targets)] }, toolContext(ws(), { env: { ...process.env, HOME: fakeHome } }));
      expect(output.stdout).not.toContain(KEY);
      expect(output.stdout).not.toContain(VAULT);
      const result = JSON.parse(output.stdout) as Record<string, string>;
      for (const target of targets) expect(result[target], target).toBe('ENOENT');
      expect(result.home).toBe('');
    });

    it('keeps credentials and LocalAgent hidden when the workspace is the home folder itself', async () => {
      const sandboxTool = new ShellTool({
        sandbox: new ShellSandbox({ mode: 'bwrap', localAgentHome: join(fakeHome, '.localagent'), homeDirs: [fakeHome], searchPath: process.env.PATH }),
      });
      const script = `
const fs = require('node:fs');
const read = (p) => { try { return fs.readFileSync(p, 'utf8'); } catch (error) { return error.code; } };
console.log(JSON.stringify({ key: read('.ssh/id_ed25519'), netrc: read('.netrc'), vault: read('.localagent/vault.json'), notes: read('notes.txt') }));`;
      const output = await sandboxTool.run(task(['node', '-e', script]), toolContext(fakeHome));
      expect(JSON.parse(output.stdout)).toEqual({ key: 'ENOENT', netrc: 'EACCES', vault: 'ENOENT', notes: 'my notes' });
      expect(output.stdout).not.toContain(KEY);
    });

    it('gives the program a private /tmp and points TMPDIR at it', async () => {
      const name = `la-sandbox-probe-${process.pid}`;
      const script = `require('node:fs').writeFileSync(require('node:path').join(require('node:os').tmpdir(), ${JSON.stringify(name)}), 'x'); console.log(JSON.stringify({ tmpdir: process.env.TMPDIR }));`;
      const result = await probe(script, toolContext(ws(), { env: { ...process.env, TMPDIR: join(base, 'tmp') } }));
      expect(result.tmpdir).toBe('/tmp');
      expect(existsSync(join(tmpdir(), name))).toBe(false);
    });

    it('still finds programs installed in the home folder through the PATH, read-only', async () => {
      const bin = join(fakeHome, '.mytool', 'bin');
      await mkdir(bin, { recursive: true });
      await mkdir(join(fakeHome, '.mytool', 'lib'), { recursive: true });
      await writeFile(join(fakeHome, '.mytool', 'lib', 'greeting'), 'hello from home');
      await writeFile(join(bin, 'greet'), '#!/bin/sh\ncat "$(dirname "$0")/../lib/greeting"\n', { mode: 0o755 });
      const context = toolContext(ws(), { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
      expect((await isolated().run(task(['greet']), context)).stdout).toBe('hello from home');
      // A program elsewhere in the home is not there inside: a clear error, not bwrap's.
      const hidden = join(fakeHome, 'hidden-tool');
      await writeFile(hidden, '#!/bin/sh\necho hi\n', { mode: 0o755 });
      const error = await failure(isolated().run(task([hidden]), toolContext(ws())));
      expect(error).toMatchObject({ code: 'LA_COMMAND_NOT_FOUND', details: { isolation: 'bwrap' } });
      expect(error.message).toContain('not visible inside the sandbox');
    });

    describe('network', () => {
      let server: Server;
      let url = '';
      let hits = 0;
      beforeAll(async () => {
        server = createServer((_request, response) => {
          hits += 1;
          response.end('pong');
        });
        await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      });
      afterAll(async () => {
        await new Promise((done) => server.close(done));
      });
      beforeEach(() => {
        hits = 0;
      });

      const fetchArgv = (): string[] => ['node', '-e', 'fetch(process.argv[1]).then(async (r) => console.log(await r.text()), (e) => { console.error(String(e.cause ?? e)); process.exit(7); })', url];

      it('has none: even a server on loopback is out of reach', async () => {
        // The control: the same program outside the sandbox reaches it.
        expect((await new ShellTool().run(task(fetchArgv()), toolContext(ws()))).stdout).toBe('pong\n');
        hits = 0;
        const error = await failure(isolated().run(task(fetchArgv()), toolContext(ws())));
        expect(error).toMatchObject({ code: 'LA_SHELL_EXIT_NONZERO', details: { exit_code: 7, isolation: 'bwrap', network: false } });
        expect(hits).toBe(0);
      });

      it('has it when the task asks and the policy allows shell.network', async () => {
        const policy = new FixedPolicy('allow');
        const output = await isolated().run(task(fetchArgv(), { network: true }), toolContext(ws(), { policy }));
        expect(output).toMatchObject({ stdout: 'pong\n', isolation: 'bwrap', network: true });
        expect(hits).toBe(1);
        expect(policy.requests.map((r) => r.action)).toEqual(['shell.exec', 'shell.network']);
        expect(policy.requests[1]).toMatchObject({ resource: 'node', context: { argv: fetchArgv() } });
      });

      it('stays off when the policy denies shell.network, and waits for a person when it asks', async () => {
        const networkIs = (effect: 'deny' | 'approve'): Policy => ({
          decide: (request) => Promise.resolve({ effect: request.action === 'shell.network' ? effect : 'allow', reason: `test: network ${effect}`, rules: ['test.network'] }),
        });
        const denied = await failure(isolated().run(task(fetchArgv(), { network: true }), toolContext(ws(), { policy: networkIs('deny') })));
        expect(denied).toBeInstanceOf(PolicyDeniedError);
        expect(denied.details).toMatchObject({ action: 'shell.network', resource: 'node' });
        const pending = await failure(isolated().run(task(fetchArgv(), { network: true }), toolContext(ws(), { policy: networkIs('approve') })));
        expect(pending).toBeInstanceOf(ApprovalRequiredError);
        expect(hits).toBe(0);
        const approved = await isolated().run(task(fetchArgv(), { network: true }), toolContext(ws(), { policy: networkIs('approve'), approved: true }));
        expect(approved).toMatchObject({ stdout: 'pong\n', network: true });
        expect(hits).toBe(1);
      });

      it('under the default policy, a task that asks for the network needs approval', async () => {
        const policy = new CedarPolicy({ homeDir: fakeHome });
        const pending = await failure(isolated().run(task(['ls'], { network: true }), toolContext(ws(), { policy })));
        expect(pending).toBeInstanceOf(ApprovalRequiredError);
        expect(pending.details).toMatchObject({ action: 'shell.network' });
      });
    });
  });
});
