import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { processAlive } from '../../src/store/index.js';
import { describe, expect, it } from 'vitest';
import { builtCli, runBuilt, runInProcess, type CliRun } from '../support/cliHarness.js';
import { useTempDirs } from '../support/tempDir.js';

const tempDir = useTempDirs();
const EXAMPLE = new URL('../../examples/hello.alt.yaml', import.meta.url).pathname;

async function setup(): Promise<{ home: string; ws: string; la: (argv: string[], tty?: boolean, input?: string) => Promise<CliRun> }> {
  const home = await tempDir();
  const ws = await tempDir();
  const la = (argv: string[], tty = false, input = ''): Promise<CliRun> => {
    const stdin = Object.assign(new PassThrough(), { isTTY: tty, setRawMode: () => undefined });
    stdin.end(input);
    return runInProcess(['--home', home, ...argv], { cwd: ws, stdin, env: { USER: 'tester' } });
  };
  return { home, ws, la };
}

describe('localagent run', () => {
  it('runs a plan file end to end and writes the .last result', async () => {
    const { home, ws, la } = await setup();
    const run = await la(['run', EXAMPLE, '-o', 'result.last.json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^success: 3 succeeded · success rate 100 % · run run-/);
    expect(await readFile(join(ws, 'out', 'hello.txt'), 'utf8')).toBe('hello world\n');
    const last = JSON.parse(await readFile(join(ws, 'result.last.json'), 'utf8')) as { status: string; run_id: string; tasks: { id: string; output: unknown }[] };
    expect(last.status).toBe('success');
    expect(last.tasks.find((t) => t.id === 'shout')?.output).toBe('HELLO WORLD');
    expect(existsSync(join(home, 'runs', `${last.run_id}.last.json`))).toBe(true);
    expect(run.stderr).toContain('✓ save');
  });

  it('plans a command, and runs it only after confirmation (--yes, or y on a terminal)', async () => {
    const { ws, la } = await setup();
    await writeFile(join(ws, 'notes.txt'), 'remember the milk\n');
    const refused = await la(['run', 'read notes.txt then save it to copy.txt']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    const declined = await la(['run', 'read notes.txt then save it to copy.txt'], true, 'n\n');
    expect(declined.code).toBe(1);
    expect(existsSync(join(ws, 'copy.txt'))).toBe(false);
    const accepted = await la(['run', 'read notes.txt then save it to copy.txt'], true, 'y\n');
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(await readFile(join(ws, 'copy.txt'), 'utf8')).toBe('remember the milk\n');
    const yes = await la(['run', 'read notes.txt then save it to copy2.txt', '--yes', '--json']);
    expect(JSON.parse(yes.stdout)).toMatchObject({ status: 'success', success_rate: 1 });
  });

  it('dry run: order and policy, nothing changed; exit 3 when something would be denied', async () => {
    const { ws, la } = await setup();
    await writeFile(join(ws, 'risky.alt.yaml'), 'alt: 1\ntitle: risky\ntasks:\n  - id: list\n    kind: fs\n    op: list\n    path: .\n  - id: nuke\n    kind: shell\n    argv: [rm, -rf, /]\n    needs: [list]\n');
    const dry = await la(['run', 'risky.alt.yaml', '--dry-run', '--json']);
    expect(dry.code).toBe(3);
    const result = JSON.parse(dry.stdout) as { order: string[]; decisions: { task: string; effect: string }[] };
    expect(result.order).toEqual(['list', 'nuke']);
    expect(result.decisions).toEqual([expect.objectContaining({ task: 'list', effect: 'allow' }), expect.objectContaining({ task: 'nuke', effect: 'deny' })]);
    const real = await la(['run', 'risky.alt.yaml']);
    expect(real.code).toBe(3);
    expect(real.stdout).toContain('nuke: LA_POLICY_DENIED');
  });

  it('pauses for approval (exit 4), and continues when a person approves or denies', async () => {
    const { ws, la } = await setup();
    await writeFile(join(ws, 'gone.txt'), 'x');
    await writeFile(join(ws, 'ask.alt.yaml'), 'alt: 1\ntitle: ask first\ntasks:\n  - id: ask\n    kind: approval\n    message: Delete gone.txt?\n  - id: del\n    kind: fs\n    op: write\n    path: done.txt\n    content: "approved by {{ tasks.ask.output.approved_by }}"\n    needs: [ask]\n');
    const paused = await la(['run', 'ask.alt.yaml', '--json']);
    expect(paused.code).toBe(4);
    const runId = (JSON.parse(paused.stdout) as { run_id: string }).run_id;
    const shown = await la(['runs', 'show', runId]);
    expect(shown.stdout).toMatch(/ask\s+waiting_approval/);
    const approved = await la(['runs', 'approve', runId, 'ask']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(await readFile(join(ws, 'done.txt'), 'utf8')).toBe('approved by tester');
    const again = await la(['run', 'ask.alt.yaml', '--json']);
    const second = (JSON.parse(again.stdout) as { run_id: string }).run_id;
    const denied = await la(['runs', 'deny', second, 'ask']);
    expect(denied.code).toBe(3);
    expect(denied.stdout).toContain('LA_APPROVAL_DENIED');
    const list = JSON.parse((await la(['runs', 'list', '--json'])).stdout) as { id: string; status: string }[];
    expect(list.map((r) => r.status).sort()).toEqual(['failure', 'success']);
  });

  it('writes policy denials, approval requests and who decided into the security audit log', async () => {
    const { ws, la } = await setup();
    await writeFile(join(ws, 'nuke.alt.yaml'), 'alt: 1\ntitle: nuke\ntasks:\n  - id: nuke\n    kind: shell\n    argv: [rm, -rf, /]\n');
    await writeFile(join(ws, 'ask.alt.yaml'), 'alt: 1\ntitle: ask\ntasks:\n  - id: ask\n    kind: approval\n    message: Go on?\n');
    expect((await la(['run', 'nuke.alt.yaml'])).code).toBe(3);
    const paused = JSON.parse((await la(['run', 'ask.alt.yaml', '--json'])).stdout) as { run_id: string };
    expect((await la(['runs', 'approve', paused.run_id, 'ask'])).code).toBe(0);
    const entries = JSON.parse((await la(['audit', 'show', '--json'])).stdout) as { category: string; action: string; outcome: string; actor?: string; subject?: string }[];
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ category: 'policy', action: 'shell.exec', outcome: 'denied', subject: 'rm' }),
        expect.objectContaining({ category: 'approval', action: 'request', outcome: 'approval_required', subject: `${paused.run_id}/ask` }),
        expect.objectContaining({ category: 'approval', action: 'approve', outcome: 'success', actor: 'tester', subject: `${paused.run_id}/ask` }),
      ]),
    );
    const verify = await la(['audit', 'verify']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('security.audit.jsonl');
  });

  it('asks on a terminal and continues in the same process', async () => {
    const { ws, la } = await setup();
    await writeFile(join(ws, 'ask.alt.yaml'), 'alt: 1\ntitle: ask\ntasks:\n  - id: ask\n    kind: approval\n    message: Go on?\n');
    const run = await la(['run', 'ask.alt.yaml'], true, 'y\n');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Approve "ask"?');
  });

  it('explains bad input: unknown run, bad workspace, bad input values, invalid plan', async () => {
    const { la } = await setup();
    expect((await la(['runs', 'show', 'run-nope'])).stderr).toContain('LA_RUN_NOT_FOUND');
    expect((await la(['run', EXAMPLE, '--workspace', 'missing-dir'])).stderr).toContain('LA_PATH_NOT_FOUND');
    expect((await la(['run', EXAMPLE, '--input', 'novalue'])).code).toBe(2);
    expect((await la(['run', EXAMPLE, '--concurrency', '0'])).code).toBe(2);
    expect((await la(['run', 'missing.alt.yaml'])).stderr).toContain('LA_PLAN_NOT_FOUND');
    expect((await la(['runs', 'list'])).stdout).toContain('No runs yet');
  });
});

describe('crash and resume', () => {
  it('after kill -9, runs resume finishes the run and finished side effects happened exactly once', async () => {
    const { home, ws } = await setup();
    // sleep is not on the safe list; this home allows it so the run does not stop for approval.
    await writeFile(join(home, 'config.yaml'), 'security:\n  allow_commands: [sleep]\n');
    await writeFile(
      join(ws, 'slow.alt.yaml'),
      'alt: 1\ntitle: slow\ntasks:\n  - id: first\n    kind: fs\n    op: append\n    path: log.txt\n    content: "first\\n"\n' +
        '  - id: wait\n    kind: shell\n    argv: [sleep, "3"]\n    needs: [first]\n' +
        '  - id: last\n    kind: fs\n    op: append\n    path: log.txt\n    content: "last\\n"\n    needs: [wait]\n',
    );
    expect(existsSync(builtCli)).toBe(true);
    const child = spawn(process.execPath, [builtCli, '--home', home, 'run', 'slow.alt.yaml'], { cwd: ws, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (stderr.includes('wait started')) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
      setTimeout(() => reject(new Error(`the run never reached the slow task: ${stderr}`)), 15_000);
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    expect(await readFile(join(ws, 'log.txt'), 'utf8')).toBe('first\n');

    const list = await runBuilt(['--home', home, 'runs', 'list', '--json'], { cwd: ws });
    const runId = (JSON.parse(list.stdout) as { id: string; status: string }[])[0]?.id ?? '';
    const resumed = await runBuilt(['--home', home, 'runs', 'resume', runId], { cwd: ws, timeoutMs: 30_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('success');
    expect(await readFile(join(ws, 'log.txt'), 'utf8')).toBe('first\nlast\n');
  });
});

describe('cancel from another terminal', () => {
  it('runs cancel stops a run that another process is running: its shell task is killed and it exits at once', async () => {
    const { home, ws } = await setup();
    await writeFile(join(home, 'config.yaml'), 'security:\n  allow_commands: [sleep]\n');
    await writeFile(join(ws, 'long.alt.yaml'), 'alt: 1\ntitle: long\ntasks:\n  - id: wait\n    kind: shell\n    argv: [sleep, "20"]\n  - id: after\n    kind: shell\n    argv: [sleep, "1"]\n    needs: [wait]\n');
    expect(existsSync(builtCli)).toBe(true);
    const child = spawn(process.execPath, [builtCli, '--home', home, 'run', 'long.alt.yaml'], { cwd: ws, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => {
          if (stderr.includes('wait started')) {
            clearInterval(timer);
            resolve();
          }
        }, 20);
        setTimeout(() => reject(new Error(`the run never reached the slow task: ${stderr}`)), 15_000);
      });
      // The sleep the shell tool started under the running CLI: its child, or deeper when the
      // task runs inside bubblewrap (CLI → bwrap → the sandbox's init → sleep), which starts a
      // moment after "wait started" (the first shell task checks bubblewrap first).
      const findSleep = (): string | undefined => {
        const processes = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
          .split('\n')
          .map((line) => line.trim().split(/\s+/));
        const parentOf = new Map(processes.map(([pid, ppid]) => [pid, ppid]));
        const underCli = (pid: string | undefined): boolean => {
          for (let at = parentOf.get(pid ?? ''), hops = 0; at !== undefined && hops < 10; at = parentOf.get(at), hops += 1) if (at === String(child.pid)) return true;
          return false;
        };
        return processes.find(([pid, , ...args]) => underCli(pid) && args.join(' ') === 'sleep 20')?.[0];
      };
      let sleepPid = findSleep();
      for (let tries = 0; sleepPid === undefined && tries < 100; tries += 1) {
        await new Promise((done) => setTimeout(done, 50));
        sleepPid = findSleep();
      }
      expect(sleepPid).toBeDefined();

      const list = await runBuilt(['--home', home, 'runs', 'list', '--json'], { cwd: ws });
      const runId = (JSON.parse(list.stdout) as { id: string }[])[0]?.id ?? '';
      const asked = Date.now();
      const cancelled = await runBuilt(['--home', home, 'runs', 'cancel', runId], { cwd: ws });
      expect(cancelled.code, cancelled.stderr).toBe(0);
      expect(cancelled.stdout).toContain(`${runId}: cancelled`);

      const code = await exited;
      expect(Date.now() - asked).toBeLessThan(10_000);
      expect(code).not.toBe(0);
      expect(stdout).toMatch(/^cancelled: 2 cancelled/);
      expect(processAlive(Number(sleepPid))).toBe(false);
      const shown = await runBuilt(['--home', home, 'runs', 'show', runId, '--json'], { cwd: ws });
      expect(JSON.parse(shown.stdout)).toMatchObject({ status: 'cancelled', tasks: [{ id: 'wait', status: 'cancelled' }, { id: 'after', status: 'cancelled' }] });
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('secrets in task outputs', () => {
  it('never reach the .last, the journal, the terminal or later tasks', async () => {
    const { home, ws, la } = await setup();
    const sentinel = `sk-proj-SENTINEL${'x'.repeat(8)}${Date.now()}`;
    await writeFile(join(ws, 'config.txt'), `api_key=${sentinel}\n`);
    await writeFile(
      join(ws, 'leak.alt.yaml'),
      'alt: 1\ntitle: leak\ntasks:\n  - id: read\n    kind: fs\n    op: read\n    path: config.txt\n' +
        '  - id: echo\n    kind: shell\n    argv: [echo, "{{ tasks.read.output.content }}"]\n    needs: [read]\n' +
        '  - id: copy\n    kind: fs\n    op: write\n    path: copy.txt\n    content: "{{ tasks.echo.output.stdout }}"\n    needs: [echo]\n',
    );
    const run = await la(['run', 'leak.alt.yaml', '--json', '-o', 'leak.last.json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(sentinel);
    expect(await readFile(join(ws, 'leak.last.json'), 'utf8')).not.toContain(sentinel);
    // The echo task only ever saw the redacted text, so the copy holds no secret either.
    expect(await readFile(join(ws, 'copy.txt'), 'utf8')).toContain('[REDACTED]');
    for (const file of ['localagent.db', 'localagent.db-wal']) {
      const path = join(home, file);
      if (existsSync(path)) expect((await readFile(path)).includes(Buffer.from(sentinel))).toBe(false);
    }
  });

  it('cannot be used to change a later command: the policy decides on the filled-in task', async () => {
    const { ws, la } = await setup();
    await writeFile(
      join(ws, 'inject.alt.yaml'),
      'alt: 1\ntitle: inject\ntasks:\n  - id: evil\n    kind: transform\n    expr: \'"rm"\'\n' +
        '  - id: victim\n    kind: shell\n    argv: ["{{ tasks.evil.output }}", "-rf", "/"]\n    needs: [evil]\n',
    );
    const run = await la(['run', 'inject.alt.yaml']);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('victim: LA_POLICY_DENIED');
  });
});
