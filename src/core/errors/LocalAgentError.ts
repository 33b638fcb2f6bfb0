/** How an error should be treated by callers, retry logic and people. */
export type ErrorCategory = 'transient' | 'permanent' | 'user' | 'system';

export interface LocalAgentErrorOptions {
  /** Stable code from docs/errors.md, `LA_…`. Defaults to the class's own code. */
  code?: string;
  /** A sentence a person understands. Never contains a secret. */
  message: string;
  /** What to do about it. Defaults to the class's own suggestion. */
  suggestion?: string;
  /** The lower-level error this one explains. */
  cause?: unknown;
  /** Structured, secret-free facts (a file, a line, a provider name…). */
  details?: Record<string, unknown>;
  /** Overrides the class's category for this instance. */
  category?: ErrorCategory;
}

/**
 * The root of every error LocalAgent throws on purpose. Anything else reaching the CLI or the API
 * is wrapped in an `InternalError`, so people always get a code, a message and a suggestion.
 */
export class LocalAgentError extends Error {
  static readonly defaultCode: string = 'LA_INTERNAL';
  static readonly defaultCategory: ErrorCategory = 'system';
  static readonly defaultSuggestion: string =
    'Run the command again with --debug and report the output if it persists.';
  /** Process exit code the CLI uses for this error. */
  static readonly exitCode: number = 1;

  readonly code: string;
  readonly category: ErrorCategory;
  readonly suggestion: string;
  readonly details: Record<string, unknown>;

  constructor(options: LocalAgentErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    const ctor = new.target as typeof LocalAgentError;
    this.name = ctor.name;
    this.code = options.code ?? ctor.defaultCode;
    this.category = options.category ?? ctor.defaultCategory;
    this.suggestion = options.suggestion ?? ctor.defaultSuggestion;
    this.details = options.details ?? {};
  }

  get exitCode(): number {
    return (this.constructor as typeof LocalAgentError).exitCode;
  }

  /** Transient errors are the only ones worth retrying. */
  get retryable(): boolean {
    return this.category === 'transient';
  }

  /** The safe, serialisable shape used by `--json`, logs and the HTTP API. */
  toJSON(): SerializedError {
    return {
      code: this.code,
      category: this.category,
      message: this.message,
      suggestion: this.suggestion,
      ...(Object.keys(this.details).length > 0 ? { details: this.details } : {}),
    };
  }
}

export interface SerializedError {
  code: string;
  category: ErrorCategory;
  message: string;
  suggestion: string;
  details?: Record<string, unknown>;
}
