import { readdirSync, readFileSync } from 'node:fs';

/**
 * Sends `signal` to every process running inside the sandbox that bwrap process `bwrapPid`
 * started, except bwrap's own helper that acts as the sandbox's init. Returns how many were
 * signalled (0 when the sandbox is already gone or this is not Linux).
 *
 * Why not the process group: inside the sandbox the program runs in a session of its own
 * (`--new-session`), so the group LocalAgent started holds only bwrap. Signalling that group
 * stops bwrap, which takes the whole sandbox down at once with SIGKILL — right for the final kill,
 * but a program should get the polite SIGTERM first, as it does without the sandbox. Every process
 * in the sandbox descends from bwrap (orphans are adopted by the sandbox's init), so walking the
 * parent links in `/proc` finds them all, including those that started sessions of their own.
 */
export function signalSandbox(bwrapPid: number, signal: NodeJS.Signals): number {
  const parents = processParents();
  const children = new Map<number, number[]>();
  for (const [pid, parent] of parents) children.set(parent, [...(children.get(parent) ?? []), pid]);
  const init = children.get(bwrapPid) ?? [];
  const inside: number[] = [];
  const queue = [...init];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const child of children.get(pid) ?? []) {
      inside.push(child);
      queue.push(child);
    }
  }
  let signalled = 0;
  for (const pid of inside) {
    try {
      process.kill(pid, signal);
      signalled += 1;
    } catch {
      // It exited between the scan and the signal.
    }
  }
  return signalled;
}

/** pid → parent pid of every process this user can see. */
function processParents(): Map<number, number> {
  const parents = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return parents;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name (field 2) may contain spaces and parentheses; the fields after the last ")" do not.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // Gone already.
    }
  }
  return parents;
}
