import { LocalAgentError, OperationCancelledError, TimeoutError } from '../../core/errors/index.js';

/** Codes the tools add (see docs/security/sandbox.md; the sandbox's own codes are in src/security/sandbox). */
export const TOOL_ERROR_CODES = {
  /** A task ran past its timeout and was stopped. */
  taskTimeout: 'LA_TASK_TIMEOUT',
  /** A shell task's program ended with a non-zero exit code or was killed by a signal. */
  shellExitNonZero: 'LA_SHELL_EXIT_NONZERO',
  /** A shell task's program does not exist or cannot be run. */
  commandNotFound: 'LA_COMMAND_NOT_FOUND',
  /** An HTTP response body is over the size limit. */
  httpTooLarge: 'LA_HTTP_TOO_LARGE',
  /** A transform's JSONata expression failed (syntax, type, limits). */
  transformFailed: 'LA_TRANSFORM_FAILED',
  /** A file is over the read limit. Shared with config and plan loading. */
  fileTooLarge: 'LA_FILE_TOO_LARGE',
} as const;

/** A task ran past its time limit; `what` says what was stopped. */
export function taskTimeout(what: string, timeoutMs: number, category: 'transient' | 'permanent' = 'transient'): TimeoutError {
  return new TimeoutError({
    code: TOOL_ERROR_CODES.taskTimeout,
    category,
    message: `${what} did not finish within ${formatMs(timeoutMs)} and was stopped.`,
    suggestion: 'Raise the task\'s `timeout` if it needs longer, or check why it hangs (waiting for input, a slow server, an endless loop).',
    details: { timeout_ms: timeoutMs },
  });
}

/**
 * The error for an aborted signal: its reason when that is already a LocalAgentError (the runner
 * aborts with a TimeoutError on timeouts), a task timeout for `AbortSignal.timeout()`, otherwise a
 * cancellation.
 */
export function abortError(signal: AbortSignal, what: string): LocalAgentError {
  const reason: unknown = signal.reason;
  if (reason instanceof LocalAgentError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new TimeoutError({ code: TOOL_ERROR_CODES.taskTimeout, message: `${what} was stopped: the task ran out of time.`, cause: reason });
  }
  return new OperationCancelledError({ message: `${what} was cancelled.`, ...(reason === undefined ? {} : { cause: reason }) });
}

/** Throws at once if the task was already cancelled. */
export function throwIfAborted(signal: AbortSignal, what: string): void {
  if (signal.aborted) throw abortError(signal, what);
}

/** `1500`, `'250ms'`, `'30s'`, `'5m'`, `'1h'` → milliseconds; `undefined` stays `undefined`. */
export function durationToMs(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  const match = /^([0-9]+)(ms|s|m|h)$/.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2];
  return amount * (unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1);
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
