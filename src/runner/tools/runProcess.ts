import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

export interface RunProcessOptions {
  /** Program and arguments; never a shell string. */
  argv: readonly string[];
  /** A real folder inside the workspace. */
  cwd: string;
  /** The complete environment (already scrubbed). */
  env: Record<string, string>;
  /** Fed to standard input, then closed; without it standard input is /dev/null. */
  stdin?: string;
  /** Most bytes kept of stdout and of stderr, each. */
  maxOutputBytes: number;
  timeoutMs: number;
  signal: AbortSignal;
  /** How long a stopped process group gets between SIGTERM and SIGKILL. */
  killGraceMs: number;
  /**
   * Delivers SIGTERM to processes the group does not reach (inside a sandbox, where the program
   * runs in a session of its own); returns how many got it. When it reaches none, the group gets
   * SIGTERM instead. SIGKILL always goes to the group.
   */
  signalInside?: (pid: number, signal: NodeJS.Signals) => number;
}

export type ProcessOutcome =
  | { kind: 'exited'; exitCode: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; truncated: boolean }
  | { kind: 'timeout' | 'cancelled'; stdout: string; stderr: string; truncated: boolean }
  | { kind: 'spawn-failed'; error: Error };

/**
 * Runs one program in its own process group and waits until it and everything it started are
 * gone. The group (spawned `detached`, so its id is the child's pid) is what gets signalled: on
 * timeout or abort SIGTERM, then SIGKILL after `killGraceMs`; and when the program exits on its
 * own, whatever it left running in its group gets the same treatment, so a task's processes never
 * outlive it. Output beyond the cap is read and dropped, so a chatty child never blocks on a full
 * pipe.
 */
export function runProcess(options: RunProcessOptions): Promise<ProcessOutcome> {
  return new Promise((resolveOutcome) => {
    const [program, ...args] = options.argv;
    let child: ChildProcess;
    try {
      child = spawn(program ?? '', args, {
        cwd: options.cwd,
        env: options.env,
        shell: false,
        detached: true,
        windowsHide: true,
        stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      resolveOutcome({ kind: 'spawn-failed', error: error as Error });
      return;
    }

    const stdout = new CappedOutput(options.maxOutputBytes);
    const stderr = new CappedOutput(options.maxOutputBytes);
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    if (options.stdin !== undefined && child.stdin) {
      // A program that exits without reading its input closes the pipe under us: not an error.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin);
    }

    let stopReason: 'timeout' | 'cancelled' | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let spawnError: Error | undefined;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const pid = child.pid;

    /** SIGTERM the group now, SIGKILL it after the grace period, and stop waiting for stragglers after that. */
    const terminateGroup = (): void => {
      if (pid === undefined) return;
      const reachedInside = options.signalInside !== undefined && options.signalInside(pid, 'SIGTERM') > 0;
      // Where groups cannot be signalled (Windows), at least the program itself is stopped.
      if (!reachedInside && !signalGroup(pid, 'SIGTERM')) child.kill('SIGTERM');
      timers.push(
        setTimeout(() => {
          if (!signalGroup(pid, 'SIGKILL')) child.kill('SIGKILL');
          // A process that left the group (setsid) may still hold our pipes; stop waiting for it.
          timers.push(setTimeout(() => destroyStreams(child), 1000));
        }, options.killGraceMs),
      );
    };

    const stop = (reason: 'timeout' | 'cancelled'): void => {
      if (settled || stopReason !== undefined || exit !== undefined) return;
      stopReason = reason;
      terminateGroup();
    };

    const timeout = setTimeout(() => stop('timeout'), options.timeoutMs);
    const onAbort = (): void => stop('cancelled');
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal.aborted) onAbort();

    child.on('error', (error) => {
      if (pid === undefined) spawnError = error;
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      clearTimeout(timeout);
      // The program is done; anything still running in its group is a leftover.
      if (stopReason === undefined && pid !== undefined && groupExists(pid)) terminateGroup();
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      for (const timer of timers) clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      // Members that closed their output but ignored SIGTERM: no more grace once the run is over.
      if (pid !== undefined && stopReason !== undefined && groupExists(pid)) signalGroup(pid, 'SIGKILL');
      const output = { stdout: stdout.text(), stderr: stderr.text(), truncated: stdout.truncated || stderr.truncated };
      if (spawnError) resolveOutcome({ kind: 'spawn-failed', error: spawnError });
      else if (stopReason) resolveOutcome({ kind: stopReason, ...output });
      else resolveOutcome({ kind: 'exited', exitCode: exit?.code ?? code, signal: exit?.signal ?? signal, ...output });
    });
  });
}

/** Sends `signal` to every process in the group; false when the group is already gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** True while any process of the group is alive (or exists but is not ours to signal). */
export function groupExists(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function destroyStreams(child: ChildProcess): void {
  child.stdout?.destroy();
  child.stderr?.destroy();
  child.stdin?.destroy();
}

/** Keeps the first `limit` bytes of a stream and remembers whether more came. */
class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    const room = this.limit - this.size;
    if (room <= 0) {
      this.truncated = this.truncated || chunk.length > 0;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept.length < chunk.length) this.truncated = true;
    this.chunks.push(kept);
    this.size += kept.length;
  }

  /** UTF-8 text; when cut, a character split by the cut is dropped rather than shown as U+FFFD. */
  text(): string {
    const bytes = Buffer.concat(this.chunks);
    return this.truncated ? new StringDecoder('utf8').write(bytes) : bytes.toString('utf8');
  }
}
