import { UserInputError } from '../../core/errors/index.js';
import { DEFAULT_ENV_ALLOWLIST, locateInWorkspace, scrubEnv, wrongType } from '../../security/sandbox/index.js';
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
}

/** What a shell task returns (docs/formats/alt.md), plus `truncated` when output was cut. */
export interface ShellOutput {
  stdout: string;
  stderr: string;
  exit_code: number;
  /** Present (true) only when stdout or stderr was longer than `limits.maxOutputBytes` and was cut. */
  truncated?: true;
}

/** How much of stderr a failure keeps in its details. */
const STDERR_TAIL_CHARS = 2000;

type ShellTask = Extract<AltTask, { kind: 'shell' }>;

/**
 * Runs `argv` directly (no shell, so `;`, `|`, `$(…)` are plain bytes) in a folder inside the
 * workspace, with the scrubbed environment, in its own process group that is killed as a whole
 * on timeout or cancel. A non-zero exit fails the task with `LA_SHELL_EXIT_NONZERO`.
 */
export class ShellTool implements Tool<'shell'> {
  readonly kind = 'shell' as const;
  private readonly envAllowlist: readonly string[];
  private readonly killGraceMs: number;
  private readonly onDecision: DecisionListener | undefined;

  constructor(options: ShellToolOptions = {}) {
    this.envAllowlist = options.envAllowlist ?? DEFAULT_ENV_ALLOWLIST;
    this.killGraceMs = options.killGraceMs ?? 2000;
    this.onDecision = options.onDecision;
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
    await enforcePolicy(context, 'shell.exec', task.argv[0] ?? '', { argv: [...task.argv], cwd: cwd.path }, this.onDecision);
    throwIfAborted(context.signal, what);

    const timeoutMs = durationToMs(task.timeout) ?? context.limits.defaultTimeoutMs;
    const outcome = await runProcess({
      argv: task.argv,
      cwd: cwd.path,
      env,
      ...(task.stdin !== undefined ? { stdin: task.stdin } : {}),
      maxOutputBytes: context.limits.maxOutputBytes,
      timeoutMs,
      signal: context.signal,
      killGraceMs: this.killGraceMs,
    });

    switch (outcome.kind) {
      case 'spawn-failed':
        throw commandNotFound(task.argv[0] ?? '', outcome.error);
      case 'timeout':
        throw taskTimeout(what, timeoutMs);
      case 'cancelled':
        // Its process group has been stopped by now; the reason the runner gave decides the error.
        throw abortError(context.signal, what);
      case 'exited':
        break;
    }
    const truncated = outcome.truncated ? { truncated: true as const } : {};
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
        },
      });
    }
    return { stdout: outcome.stdout, stderr: outcome.stderr, exit_code: 0, ...truncated };
  }
}

function commandNotFound(program: string, error: Error): UserInputError {
  const code = (error as NodeJS.ErrnoException).code;
  const missing = code === 'ENOENT';
  return new UserInputError({
    code: TOOL_ERROR_CODES.commandNotFound,
    message: missing ? `The program "${program}" was not found.` : `The program "${program}" cannot be run (${code ?? error.message}).`,
    suggestion: missing
      ? 'Install it, or name it as found on the PATH LocalAgent passes to tasks (empty and relative PATH entries are removed).'
      : 'Check that the file is an executable program and that you may run it.',
    details: { program, ...(code ? { errno: code } : {}) },
    cause: error,
  });
}
