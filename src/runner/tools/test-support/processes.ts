import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { relative, isAbsolute } from 'node:path';

/**
 * Host pids of the live processes whose working folder is `dir` or inside it. A task's processes
 * all start in its workspace, so "none left" means nothing the task started outlived it, inside a
 * sandbox or not (where pids seen by the program are not host pids). Zombies do not count.
 */
export function processesIn(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      const rel = relative(dir, cwd);
      if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) found.push(Number(entry));
    } catch {
      // Gone, a zombie, or not ours to look at.
    }
  }
  return found;
}

/**
 * The host pid of the process that calls itself `pid` (its own `process.pid`, which inside a pid
 * namespace is not the host's) and works in `dir`.
 */
export function hostPid(pid: number, dir: string): number | undefined {
  return processesIn(dir).find((candidate) => {
    try {
      const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${candidate}/status`, 'utf8'))?.[1]?.trim().split(/\s+/);
      return Number(nspid?.at(-1)) === pid;
    } catch {
      return false;
    }
  });
}
