import { LocalAgentError, type ErrorCategory, type LocalAgentErrorOptions } from './LocalAgentError.js';

/** Config files or environment variables that cannot be used as they are. */
export class ConfigurationError extends LocalAgentError {
  static override readonly defaultCode: string = 'LA_CONFIG_INVALID';
  static override readonly defaultCategory: ErrorCategory = 'user';
  static override readonly defaultSuggestion: string =
    'Fix the setting named above, then check it with `localagent config validate`.';
}

/** Input a person gave that LocalAgent cannot act on. */
export class UserInputError extends LocalAgentError {
  static override readonly defaultCode: string = 'LA_INPUT_INVALID';
  static override readonly defaultCategory: ErrorCategory = 'user';
  static override readonly defaultSuggestion: string = 'Check the value and try again; `--help` lists what each command takes.';
}

/** A command line that does not parse: unknown command or option, missing argument. */
export class UsageError extends UserInputError {
  static override readonly defaultCode: string = 'LA_USAGE';
  static override readonly defaultSuggestion: string = 'Run `localagent --help` to see the commands and options.';
  static override readonly exitCode: number = 2;
}

export interface ProviderErrorOptions extends LocalAgentErrorOptions {
  /** The configured provider name (never its key). */
  provider?: string;
  /** HTTP status the provider answered with, if any. */
  status?: number;
}

/** A model provider failed. Subclasses say how. */
export class ProviderError extends LocalAgentError {
  static override readonly defaultCode: string = 'LA_PROVIDER_ERROR';
  static override readonly defaultCategory: ErrorCategory = 'permanent';
  static override readonly defaultSuggestion: string = 'Check the provider configuration with `localagent models list`.';
  readonly provider: string | undefined;
  readonly status: number | undefined;

  constructor(options: ProviderErrorOptions) {
    super({
      ...options,
      details: { ...(options.provider ? { provider: options.provider } : {}), ...(options.status ? { status: options.status } : {}), ...options.details },
    });
    this.provider = options.provider;
    this.status = options.status;
  }
}

export class AuthenticationError extends ProviderError {
  static override readonly defaultCode: string = 'LA_PROVIDER_AUTH';
  static override readonly defaultCategory: ErrorCategory = 'permanent';
  static override readonly defaultSuggestion: string =
    'Store a valid key with `localagent config set-key <provider>` and try again.';
}

export interface RateLimitErrorOptions extends ProviderErrorOptions {
  /** How long the provider asked us to wait (from `Retry-After`), in milliseconds. */
  retryAfterMs?: number;
}

export class RateLimitError extends ProviderError {
  static override readonly defaultCode: string = 'LA_PROVIDER_RATE_LIMITED';
  static override readonly defaultCategory: ErrorCategory = 'transient';
  static override readonly defaultSuggestion: string =
    'Wait a moment and retry, lower the concurrency, or add a fallback model.';
  readonly retryAfterMs: number | undefined;

  constructor(options: RateLimitErrorOptions) {
    super({ ...options, details: { ...(options.retryAfterMs !== undefined ? { retry_after_ms: options.retryAfterMs } : {}), ...options.details } });
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class NetworkError extends ProviderError {
  static override readonly defaultCode: string = 'LA_NETWORK';
  static override readonly defaultCategory: ErrorCategory = 'transient';
  static override readonly defaultSuggestion: string =
    'Check that the endpoint is reachable (base URL, proxy, firewall) and try again.';
}

export class TimeoutError extends ProviderError {
  static override readonly defaultCode: string = 'LA_TIMEOUT';
  static override readonly defaultCategory: ErrorCategory = 'transient';
  static override readonly defaultSuggestion: string =
    'Try again, raise the timeout in config, or pick a faster model.';
}

export class ProviderUnavailableError extends ProviderError {
  static override readonly defaultCode: string = 'LA_PROVIDER_UNAVAILABLE';
  static override readonly defaultCategory: ErrorCategory = 'transient';
  static override readonly defaultSuggestion: string =
    'The provider is down or its circuit breaker is open; wait, or configure a fallback model.';
}

/**
 * A circuit breaker refused the call without running it. It is a `ProviderUnavailableError` so
 * callers that already handle "provider down" (fallback models, `models health`) need no new case;
 * the distinct code lets logs and `.last` files tell a fast refusal from a real outage response.
 */
export class CircuitOpenError extends ProviderUnavailableError {
  static override readonly defaultCode: string = 'LA_CIRCUIT_OPEN';
  static override readonly defaultSuggestion: string =
    'LocalAgent stopped calling this provider after repeated failures and will try again shortly; wait, or configure a fallback model.';
}

/**
 * The caller aborted the operation (an AbortSignal fired, or a person pressed Ctrl-C at a prompt).
 * Category `user` because it is a decision, not a fault: it must never be retried, never count
 * against a breaker, and never trigger a fallback the caller no longer wants.
 */
export class OperationCancelledError extends LocalAgentError {
  static override readonly defaultCode: string = 'LA_CANCELLED';
  static override readonly defaultCategory: ErrorCategory = 'user';
  static override readonly defaultSuggestion: string = 'The operation was cancelled; run it again if that was not intended.';
}

/** The security policy refused an action. */
export class PolicyDeniedError extends LocalAgentError {
  static override readonly defaultCode: string = 'LA_POLICY_DENIED';
  static override readonly defaultCategory: ErrorCategory = 'permanent';
  static override readonly defaultSuggestion: string =
    'See why with `localagent policy check`, or add a policy under <home>/policies/ if the action is safe.';
  static override readonly exitCode: number = 3;
}

/** The action may go ahead only once a person approves it. */
export class ApprovalRequiredError extends LocalAgentError {
  static override readonly defaultCode: string = 'LA_APPROVAL_REQUIRED';
  static override readonly defaultCategory: ErrorCategory = 'user';
  static override readonly defaultSuggestion: string =
    'Approve it with `localagent runs approve <run> <task>` or deny it with `localagent runs deny <run> <task>`.';
  static override readonly exitCode: number = 4;
}

/** A plan (`.alt`) is malformed or cannot run. */
export class PlanError extends LocalAgentError {
  static override readonly defaultCode: string = 'LA_PLAN_INVALID';
  static override readonly defaultCategory: ErrorCategory = 'user';
  static override readonly defaultSuggestion: string = 'Check the plan with `localagent validate <file>` and fix what it lists.';
}

/** The database or a file under the home cannot be read or written. */
export class StorageError extends LocalAgentError {
  static override readonly defaultCode: string = 'LA_STORAGE';
  static override readonly defaultCategory: ErrorCategory = 'system';
  static override readonly defaultSuggestion: string =
    'Check free disk space and the permissions of the LocalAgent home (`localagent config path`).';
}

/** The key store (keyring or vault) failed or refused. */
export class SecretStoreError extends LocalAgentError {
  static override readonly defaultCode: string = 'LA_SECRET_STORE';
  static override readonly defaultCategory: ErrorCategory = 'system';
  static override readonly defaultSuggestion: string = 'Run `localagent config doctor` to see which key backends work here.';
}

/** A bug: something that should not happen. */
export class InternalError extends LocalAgentError {
  static override readonly defaultCode: string = 'LA_INTERNAL';
  static override readonly defaultCategory: ErrorCategory = 'system';
}
