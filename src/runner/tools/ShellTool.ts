import { UserInputError } from '../../core/errors/index.js';
import {
  DEFAULT_ENV_ALLOWLIST,
  findProgram,
  locateInWorkspace,
  sandboxFailed,
  scrubEnv,
  wrongType,
  type Isolation,
  type ShellSandbox,
  type WrappedCommand,
} from '../../security/sandbox/index.js';
import type { Tool, ToolContext } from '../types/index.js';
import type { AltTask } from '../../formats/index.js';
import { enforcePolicy, type DecisionListener } from './enforcePolicy.js';
import { runProcess } from './runProcess.js';
import { TOOL_ERROR_CODES, abortError, durationToMs, taskTimeout, throwIfAborted } from './toolErrors.js';

export interface ShellToolOptions {
  /** Names (or `PREFIX_*`) children inherit from `ToolContext.env`. Default: `DEFAULT_ENV_ALLOWLIST`. */
  envAllowlist?: readonly string[];
  /** Between SIGTERM and SIGKILL when a task is stopped. Default 2000 ms. */
  killGraceMs?: number;
  onDecision?: DecisionListener;
  /**
   * OS isolation (bubblewrap on Linux), built once per app from `security.sandbox`. Without it
   * programs run as plain child processes.
   */
  sandbox?: ShellSandbox;
}

/** What a shell task returns (docs/formats/alt.md), plus `truncated` when output was cut. */
export interface ShellOutput {
  stdout: string;
  stderr: string;
  exit_code: number;
  /** Present (true) only when stdout or stderr was longer than `limits.maxOutputBytes` and was cut. */
  truncated?: true;
  /** `bwrap` when the program ran inside bubblewrap, `none` when it ran as a plain child process. */
  isolation: Isolation;
  /** Whether the program could reach the network (always true when not isolated). */
  network: boolean;
}

/** How much of stderr a failure keeps in its details. */
const STDERR_TAIL_CHARS = 2000;

type ShellTask = Extract<AltTask, { kind: 'shell' }>;

/**
 * Runs `argv` directly (no shell, so `;`, `|`, `$(…)` are plain bytes) in a folder inside the
 * workspace, with the scrubbed environment, in its own process group that is killed as a whole
 * on timeout or cancel — inside bubblewrap when the app's sandbox is active (workspace writable,
 * the rest read-only, homes and secrets hidden, no network unless the task asks and the policy
 * allows `shell.network`). A non-zero exit fails the task with `LA_SHELL_EXIT_NONZERO`.
 */
export class ShellTool implements Tool<'shell'> {
  readonly kind = 'shell' as const;
  private readonly envAllowlist: readonly string[];
  private readonly killGraceMs: number;
  private readonly onDecision: DecisionListener | undefined;
  private readonly sandbox: ShellSandbox | undefined;

  constructor(options: ShellToolOptions = {}) {
    this.envAllowlist = options.envAllowlist ?? DEFAULT_ENV_ALLOWLIST;
    this.killGraceMs = options.killGraceMs ?? 2000;
    this.onDecision = options.onDecision;
    this.sandbox = options.sandbox;
  }

  async run(task: ShellTask, context: ToolContext): Promise<ShellOutput> {
    const what = `The command ${task.argv[0] ?? ''}`;
    throwIfAborted(context.signal, what);
    if (task.argv.length === 0 || task.argv.some((arg) => arg.includes('\0')) || (task.stdin ?? '').includes('\0')) {
      throw new UserInputError({ message: 'A shell task needs a program in argv, and no argument may contain a NUL byte.', details: { task_id: context.taskId } });
    }
    const cwd = await locateInWorkspace(context.workspace, task.cwd ?? '.', { mustExist: true });
    if (cwd.type !== 'directory') throw wrongType(task.cwd ?? '.', 'folder', cwd.type);
    // Checked before asking the policy, so nobody is asked to approve a task that cannot run.
    const env = scrubEnv(context.env, this.envAllowlist, task.env ?? {});
    await this.sandbox?.ready();
    const program = task.argv[0] ?? '';
    await enforcePolicy(context, 'shell.exec', program, { argv: [...task.argv], cwd: cwd.path }, this.onDecision);
    // Asked only when the task wants it; a denial or a pending approval stops the task here.
    if (task.network === true) await enforcePolicy(context, 'shell.network', program, { argv: [...task.argv] }, this.onDecision);
    throwIfAborted(context.signal, what);

    const command = { argv: [...task.argv], cwd: cwd.path, workspace: cwd.workspace, env, network: task.network === true };
    const wrapped: WrappedCommand = this.sandbox ? await this.sandbox.wrap(command) : { argv: command.argv, env, isolation: 'none', network: true };
    if (wrapped.isolation !== 'none') {
      // bwrap would start and then fail to exec; find the program here to give the usual error.
      const found = await findProgram(program, env.PATH, cwd.path);
      if (!found.found) throw commandNotFound(program, found.errno);
    }
    const ran = { isolation: wrapped.isolation, network: wrapped.network };

    const timeoutMs = durationToMs(task.timeout) ?? context.limits.defaultTimeoutMs;
    const outcome = await runProcess({
      argv: wrapped.argv,
      cwd: cwd.path,
      env: wrapped.env,
      ...(task.stdin !== undefined ? { stdin: task.stdin } : {}),
      maxOutputBytes: context.limits.maxOutputBytes,
      timeoutMs,
      signal: context.signal,
      killGraceMs: this.killGraceMs,
      ...(wrapped.signalInside ? { signalInside: wrapped.signalInside } : {}),
    });

    switch (outcome.kind) {
      case 'spawn-failed':
        throw commandNotFound(wrapped.argv[0] ?? '', (outcome.error as NodeJS.ErrnoException).code ?? outcome.error.message, outcome.error);
      case 'timeout':
        throw taskTimeout(what, timeoutMs);
      case 'cancelled':
        // Its process group has been stopped by now; the reason the runner gave decides the error.
        throw abortError(context.signal, what);
      case 'exited':
        break;
    }
    const truncated = outcome.truncated ? { truncated: true as const } : {};
    if (wrapped.isolation === 'bwrap' && outcome.exitCode === 1) throwIfSandboxFailed(program, outcome.stderr);
    if (outcome.exitCode !== 0) {
      const how = outcome.exitCode === null ? `was killed by ${outcome.signal ?? 'a signal'}` : `exited with code ${outcome.exitCode}`;
      throw new UserInputError({
        code: TOOL_ERROR_CODES.shellExitNonZero,
        category: 'permanent',
        message: `${what} ${how}.`,
        suggestion: 'Read stderr in the error details; fix the command or its input. Set `on_failure: continue` or `ignore` if a failure is expected.',
        details: {
          exit_code: outcome.exitCode,
          ...(outcome.signal ? { signal: outcome.signal } : {}),
          stderr_tail: outcome.stderr.slice(-STDERR_TAIL_CHARS),
          ...truncated,
          ...ran,
        },
      });
    }
    return { stdout: outcome.stdout, stderr: outcome.stderr, exit_code: 0, ...truncated, ...ran };
  }
}

/**
 * bwrap reports its own failures on stderr as `bwrap: …` and exits 1 before the program runs: a
 * mount it could not make is a sandbox failure, an `execvp` that failed is a program that is not
 * visible inside (installed somewhere the sandbox hides).
 */
function throwIfSandboxFailed(program: string, stderr: string): void {
  const line = /^bwrap: (.*)$/.exec(stderr.split('\n', 1)[0] ?? '')?.[1];
  if (line === undefined) return;
  const exec = /^execvp .*: (.*)$/.exec(line);
  if (exec) {
    throw commandNotFound(program, exec[1] === 'Permission denied' ? 'EACCES' : 'ENOENT', undefined, true);
  }
  throw sandboxFailed(line);
}

function commandNotFound(program: string, code: string, cause?: unknown, hiddenBySandbox = false): UserInputError {
  const missing = code === 'ENOENT';
  return new UserInputError({
    code: TOOL_ERROR_CODES.commandNotFound,
    message: hiddenBySandbox
      ? `The program "${program}" is not visible inside the sandbox.`
      : missing
        ? `The program "${program}" was not found.`
        : `The program "${program}" cannot be run (${code}).`,
    suggestion: hiddenBySandbox
      ? 'The sandbox hides your home folder (except the workspace and program folders on the PATH) and temporary files; install the program system-wide, or put it in the workspace.'
      : missing
        ? 'Install it, or name it as found on the PATH LocalAgent passes to tasks (empty and relative PATH entries are removed).'
        : 'Check that the file is an executable program and that you may run it.',
    details: { program, errno: code, ...(hiddenBySandbox ? { isolation: 'bwrap' } : {}) },
    ...(cause !== undefined ? { cause } : {}),
  });
}
