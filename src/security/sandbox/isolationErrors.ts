import { ConfigurationError } from '../../core/errors/index.js';
import type { ShellSandboxStatus } from './ShellSandbox.js';

/** The codes of OS isolation for shell tasks (docs/security/sandbox.md). */
export const ISOLATION_ERROR_CODES = {
  /** `security.sandbox: bwrap` is set, but bubblewrap is missing or cannot create its namespaces here. */
  unavailable: 'LA_SANDBOX_UNAVAILABLE',
  /** bubblewrap started but could not build the sandbox for this task. */
  failed: 'LA_SANDBOX_FAILED',
} as const;

/** Refuses a shell task because isolation is required (`security.sandbox: bwrap`) and cannot be had. */
export function sandboxUnavailable(status: ShellSandboxStatus): ConfigurationError {
  return new ConfigurationError({
    code: ISOLATION_ERROR_CODES.unavailable,
    category: 'system',
    message: `Shell tasks must run isolated (security.sandbox: bwrap), but bubblewrap cannot isolate them here: ${status.detail ?? status.reason}. The task did not run.`,
    suggestion: `${status.suggestion ?? ''} Or set security.sandbox to auto (isolate when possible) or off. \`localagent config doctor\` shows the state.`.trim(),
    details: { mode: status.mode, reason: status.reason, ...(status.bwrap?.path ? { bwrap: status.bwrap.path } : {}) },
  });
}

/** bubblewrap itself failed for this task (a mount it could not make, a namespace it lost); `message` is its own line. */
export function sandboxFailed(message: string): ConfigurationError {
  return new ConfigurationError({
    code: ISOLATION_ERROR_CODES.failed,
    category: 'system',
    message: `The sandbox for this shell task could not be set up: ${message}. The program did not run.`,
    suggestion: 'Run `localagent config doctor` to check shell isolation on this machine. If it keeps failing for this workspace, run the task with security.sandbox: off, knowing it then runs unisolated.',
    details: { bwrap_error: message },
  });
}
