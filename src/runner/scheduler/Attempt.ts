import type { LocalAgentError } from '../../core/errors/index.js';
import type { RunnerToolContext } from '../RunnerToolContext.js';
import type { Policy, ToolContext, ToolLimits } from '../types/index.js';

/** What every attempt of one run shares. */
export interface RunFacts {
  workspace: string;
  runId: string;
  policy: Policy;
  limits: ToolLimits;
  env: NodeJS.ProcessEnv;
  run: RunnerToolContext['run'];
}

/**
 * One try of a task's tool, and the context the tool receives. A class, not an object literal
 * with closures: a run of 10,000 no-op tasks made ~3 KB of garbage per attempt that way, and the
 * collector's time showed in the per-task overhead.
 *
 * The fixed fields are own properties. `signal` and `scope` are getters, made on first read: an
 * AbortController costs more than the rest of an attempt of a no-op tool, and the scope of a task
 * deep in a long chain is as large as the chain. (So a tool must read them from the context, not
 * from a spread copy of it.)
 */
export class Attempt implements RunnerToolContext {
  readonly workspace: string;
  readonly runId: string;
  readonly policy: Policy;
  readonly limits: ToolLimits;
  readonly env: NodeJS.ProcessEnv;
  readonly run: RunnerToolContext['run'];
  /** Why the attempt was aborted (timeout, the run stopping), once it was. */
  abortedWith: LocalAgentError | undefined;
  /** Settles the attempt's race with the abort reason; set while the tool runs. */
  reject: ((reason: LocalAgentError) => void) | undefined;
  private controller: AbortController | undefined;
  private scopeCache: ToolContext['scope'] | undefined;

  constructor(
    facts: RunFacts,
    readonly taskId: string,
    readonly approved: boolean,
    readonly attempt: number,
    readonly approval: RunnerToolContext['approval'],
    private readonly scopeOf: () => ToolContext['scope'],
  ) {
    this.workspace = facts.workspace;
    this.runId = facts.runId;
    this.policy = facts.policy;
    this.limits = facts.limits;
    this.env = facts.env;
    this.run = facts.run;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith);
    }
    return this.controller.signal;
  }

  get scope(): ToolContext['scope'] {
    return (this.scopeCache ??= this.scopeOf());
  }

  /** Ends the attempt now with `reason` (the first reason wins); the tool's signal aborts too. */
  abort(reason: LocalAgentError): void {
    if (this.abortedWith) return;
    this.abortedWith = reason;
    this.controller?.abort(reason);
    this.reject?.(reason);
  }

  /** For setTimeout without a closure per attempt. */
  static timeout(this: void, attempt: Attempt, reason: () => LocalAgentError): void {
    attempt.abort(reason());
  }
}
