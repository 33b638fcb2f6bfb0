import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useAttackSites, type AttackSite } from './support/attackHarness.js';
import { listTree } from '../support/listTree.js';
import { snapshot } from './support/scan.js';

/**
 * A hostile plan tries to read or write outside the workspace through fs tasks: `..`, absolute
 * paths, symbolic links inside the workspace that point out, encodings and separators that other
 * software would reinterpret, and a link swapped in while the run is writing. Every attempt must
 * be refused with exit code 3, and the folder next to the workspace must not change.
 */
const site = useAttackSites();

/** Codes that mean "refused as unsafe" (the CLI turns each into exit code 3). */
const REFUSED = ['LA_PATH_OUTSIDE_WORKSPACE', 'LA_PATH_INVALID', 'LA_PATH_NOT_REGULAR', 'LA_POLICY_DENIED'];

interface TaskResult {
  id: string;
  status: string;
  error?: { code: string };
  output?: unknown;
}

async function runAttack(s: AttackSite, tasks: Record<string, unknown>[]): Promise<{ code: number; tasks: Map<string, TaskResult>; stdout: string; stderr: string }> {
  const run = await s.la(['run', await s.plan(tasks), '--json']);
  const last = JSON.parse(run.stdout) as { tasks: TaskResult[] };
  return { code: run.code, tasks: new Map(last.tasks.map((t) => [t.id, t])), stdout: run.stdout, stderr: run.stderr };
}

describe('path traversal and symlink escape through fs tasks', { timeout: 120_000 }, () => {
  it('refuses every way out of the workspace, for reads, writes, moves, copies, deletes and listings', async () => {
    const s = await site();
    await writeFile(join(s.ws, 'mine.txt'), 'mine\n');
    await mkdir(join(s.ws, 'sub'));
    await symlink(s.outside, join(s.ws, 'door'));
    await symlink(join(s.outside, 'canary.txt'), join(s.ws, 'canary-link'));
    await symlink(join(s.outside, 'created-through-link.txt'), join(s.ws, 'dangling'));
    await symlink('../../outside', join(s.ws, 'sub', 'up'));
    const out = s.outside;
    const attacks: Record<string, Record<string, unknown>> = {
      readDotDot: { kind: 'fs', op: 'read', path: '../outside/canary.txt' },
      readAbsolute: { kind: 'fs', op: 'read', path: join(out, 'canary.txt') },
      readEtc: { kind: 'fs', op: 'read', path: '/etc/passwd' },
      readDeepDotDot: { kind: 'fs', op: 'read', path: 'sub/../../outside/canary.txt' },
      readThroughDirLink: { kind: 'fs', op: 'read', path: 'door/canary.txt' },
      readThroughFileLink: { kind: 'fs', op: 'read', path: 'canary-link' },
      readThroughRelativeLink: { kind: 'fs', op: 'read', path: 'sub/up/canary.txt' },
      writeDotDot: { kind: 'fs', op: 'write', path: '../outside/pwned.txt', content: 'x' },
      writeAbsolute: { kind: 'fs', op: 'write', path: join(out, 'pwned.txt'), content: 'x' },
      writeThroughDirLink: { kind: 'fs', op: 'write', path: 'door/pwned.txt', content: 'x' },
      writeOverFileLink: { kind: 'fs', op: 'write', path: 'canary-link', content: 'overwritten' },
      appendOverFileLink: { kind: 'fs', op: 'append', path: 'canary-link', content: 'appended' },
      writeDanglingLink: { kind: 'fs', op: 'write', path: 'dangling', content: 'x' },
      writeUrlEncoded: { kind: 'fs', op: 'write', path: '%2e%2e/outside/pwned.txt', content: 'x' },
      writeUrlEncodedSlash: { kind: 'fs', op: 'write', path: '..%2foutside%2fpwned.txt', content: 'x' },
      writeDoubleEncoded: { kind: 'fs', op: 'write', path: '%252e%252e/outside/pwned.txt', content: 'x' },
      writeBackslashes: { kind: 'fs', op: 'write', path: '..\\outside\\pwned.txt', content: 'x' },
      writeUncPath: { kind: 'fs', op: 'write', path: '\\\\server\\share\\pwned.txt', content: 'x' },
      writeDriveLetter: { kind: 'fs', op: 'write', path: 'C:/pwned.txt', content: 'x' },
      writeNul: { kind: 'fs', op: 'write', path: 'ok.txt\u0000../../outside/pwned.txt', content: 'x' },
      writeControlChar: { kind: 'fs', op: 'write', path: 'ok\n../../outside/pwned.txt', content: 'x' },
      moveOut: { kind: 'fs', op: 'move', path: 'mine.txt', to: '../outside/moved.txt' },
      copyOut: { kind: 'fs', op: 'copy', path: 'mine.txt', to: join(out, 'copied.txt') },
      copyIn: { kind: 'fs', op: 'copy', path: join(out, 'canary.txt'), to: 'stolen.txt' },
      copyThroughLink: { kind: 'fs', op: 'copy', path: 'mine.txt', to: 'door/copied.txt' },
      deleteOutside: { kind: 'fs', op: 'delete', path: '../outside/canary.txt' },
      deleteThroughLink: { kind: 'fs', op: 'delete', path: 'door/canary.txt' },
      listOutside: { kind: 'fs', op: 'list', path: '..' },
      listThroughLink: { kind: 'fs', op: 'list', path: 'door' },
      statOutside: { kind: 'fs', op: 'stat', path: join(out, 'canary.txt') },
    };
    const result = await runAttack(
      s,
      // `continue`: one refusal must not cancel the other attempts; each is judged on its own.
      Object.entries(attacks).map(([id, task]) => ({ id, on_failure: 'continue', ...task })),
    );

    expect(result.code, result.stderr).toBe(3);
    for (const id of Object.keys(attacks)) {
      const task = result.tasks.get(id);
      expect(task?.status, id).toBe('failed');
      expect(REFUSED, `${id}: ${task?.error?.code}`).toContain(task?.error?.code);
    }
    expect(await s.outsideNow()).toEqual(s.outsideBefore);
    // Nothing of the outside was copied in, and the canary's text reached no output.
    expect(result.stdout).not.toContain('do not touch');
    expect(await listTree(s.ws)).not.toContain(join(s.ws, 'stolen.txt'));
    expect(await readFile(join(s.ws, 'mine.txt'), 'utf8')).toBe('mine\n');
  });

  it('refuses a path that a parent output fills in, the same as one written in the plan', async () => {
    const s = await site();
    const result = await runAttack(s, [
      { id: 'evil', kind: 'transform', expr: '"../outside/pwned.txt"' },
      { id: 'write', kind: 'fs', op: 'write', needs: ['evil'], on_failure: 'continue', path: '{{ tasks.evil.output }}', content: 'x' },
      { id: 'absolute', kind: 'transform', expr: `"${join(s.outside, 'pwned2.txt')}"` },
      { id: 'write2', kind: 'fs', op: 'write', needs: ['absolute'], on_failure: 'continue', path: '{{ tasks.absolute.output }}', content: 'x' },
    ]);
    expect(result.code).toBe(3);
    expect(REFUSED).toContain(result.tasks.get('write')?.error?.code);
    expect(REFUSED).toContain(result.tasks.get('write2')?.error?.code);
    expect(await s.outsideNow()).toEqual(s.outsideBefore);
  });

  /*
   * A local attacker (or a program from another task running at the same time) keeps swapping a
   * folder the run works in between a real folder and a link to the outside, as fast as it can.
   * Every path is checked before it is used; this checks the use: fs tasks act through folder
   * handles walked again from the workspace without following links (sandbox.md, "Folder swaps"),
   * so a swap between check and use is refused, never followed. Against the code before that fix
   * (known gap 9 in docs/security/threat-model.md) every run of this test failed: each round put
   * some twenty files outside or changed bait there, and reads returned the outside canary. Two
   * rounds of 280 tasks keep that certain while the test stays under half a minute. Linux only:
   * elsewhere the fallback narrows the window but cannot close it.
   */
  it.runIf(process.platform === 'linux')('a folder swapped for a link to the outside while the run works in it: nothing outside changes, nothing of it is read', { timeout: 300_000 }, async () => {
    const s = await site();
    const rounds = 2;
    const perKind = 40;
    const d = join(s.ws, 'd');
    await mkdir(join(s.ws, 'tree', 'sub'), { recursive: true });
    for (let f = 0; f < 8; f += 1) await writeFile(join(s.ws, 'tree', f % 2 === 0 ? `f${f}.txt` : `sub/f${f}.txt`), `tree file ${f}\n`);
    await writeFile(join(s.ws, 'mine.txt'), 'mine\n');
    // Bait outside under the names the tasks use inside, so that an operation that followed the
    // link would change or reveal something there.
    for (let i = 0; i < perKind; i += 1) {
      await writeFile(join(s.outside, `m${i}`), 'bait: must not move\n');
      await writeFile(join(s.outside, `x${i}`), 'bait: must not be deleted\n');
    }
    const outsideBefore = await snapshot(s.outside);
    // Deleting needs a person's approval by default; this home's own policy allows it inside the workspace.
    await mkdir(join(s.home, 'policies'), { recursive: true });
    await writeFile(join(s.home, 'policies', 'delete.cedar'), 'permit (principal, action == Action::"fs.delete", resource) when { context.inside_workspace };\n');

    for (let round = 0; round < rounds; round += 1) {
      await rm(d, { recursive: true, force: true });
      await rm(join(s.ws, 'd.real'), { recursive: true, force: true });
      await mkdir(d);
      await writeFile(join(d, 'canary.txt'), 'inside\n');
      for (let i = 0; i < perKind; i += 1) {
        await writeFile(join(d, `m${i}`), 'mine to move\n');
        await writeFile(join(d, `x${i}`), 'mine to delete\n');
      }
      const tasks = Array.from({ length: perKind }, (_, i) => [
        { id: `write${i}`, kind: 'fs', op: 'write', path: `d/w${i}.txt`, content: `file ${i}` },
        { id: `append${i}`, kind: 'fs', op: 'append', path: `d/a${i}.txt`, content: `line ${i}\n` },
        { id: `copy${i}`, kind: 'fs', op: 'copy', path: 'mine.txt', to: `d/c${i}.txt` },
        { id: `copyTree${i}`, kind: 'fs', op: 'copy', path: 'tree', to: `d/t${i}` },
        { id: `move${i}`, kind: 'fs', op: 'move', path: `d/m${i}`, to: `d/m${i}.moved` },
        { id: `delete${i}`, kind: 'fs', op: 'delete', path: `d/x${i}` },
        { id: `read${i}`, kind: 'fs', op: 'read', path: 'd/canary.txt' },
      ]).flat().map((task) => ({ ...task, on_failure: 'continue' }));
      const swapper = spawn(
        process.execPath,
        [
          '-e',
          `const fs = require('node:fs');
           const [d, real, outside] = process.argv.slice(1);
           for (;;) {
             try { fs.renameSync(d, real); } catch {}
             try { fs.symlinkSync(outside, d); } catch {}
             // A task may have created d while it was missing: take it away too, so the swapping never stalls.
             try { fs.unlinkSync(d); } catch { try { fs.rmSync(d, { recursive: true, force: true }); } catch {} }
             try { fs.renameSync(real, d); } catch {}
           }`,
          d,
          join(s.ws, 'd.real'),
          s.outside,
        ],
        { stdio: 'ignore' },
      );
      let run;
      try {
        run = await s.la(['run', await s.plan(tasks), '--concurrency', '8', '--json']);
      } finally {
        swapper.kill('SIGKILL');
        await new Promise((resolve) => swapper.once('exit', resolve));
      }
      const last = JSON.parse(run.stdout) as { tasks: TaskResult[] };
      expect(last.tasks).toHaveLength(tasks.length);
      // Which tasks succeed is up to timing. A failure is a refusal, or the folder missing or
      // changed under the operation — never an error of another kind.
      for (const task of last.tasks.filter((t) => t.status === 'failed')) {
        expect([...REFUSED, 'LA_PATH_NOT_FOUND', 'LA_PATH_WRONG_TYPE', 'LA_FS_FAILED'], `${task.id}: ${task.error?.code}`).toContain(task.error?.code);
      }
      // A read returns the file inside, or fails; never the outside's canary.
      for (const task of last.tasks.filter((t) => t.id.startsWith('read') && t.status === 'succeeded')) {
        expect(task.output, task.id).toEqual({ content: 'inside\n' });
      }
      expect(run.stdout).not.toContain('do not touch');
      expect(run.stdout).not.toContain('bait');
      expect(await snapshot(s.outside), `round ${round}`).toEqual(outsideBefore);
    }
  });
});
