import type { AltTask } from '../../formats/index.js';
import type { Policy } from './Policy.js';

/** Limits every tool honours. */
export interface ToolLimits {
  /** Most bytes of stdout/stderr (each) a shell task keeps; the rest is cut with a marker. */
  maxOutputBytes: number;
  /** Most bytes an fs read or an http response body may have. */
  maxReadBytes: number;
  /** Default task timeout when the task sets none, in milliseconds. */
  defaultTimeoutMs: number;
}

/** What a tool gets besides its task. */
export interface ToolContext {
  /** The workspace root, a real path: every path a task names is inside it. */
  workspace: string;
  /** Aborted on cancel or timeout: a tool must stop (kill its child, abort its request) at once. */
  signal: AbortSignal;
  runId: string;
  taskId: string;
  /** Every action is asked here first; a tool never acts on `deny`, and throws ApprovalRequiredError on `approve` unless `approved` is true. */
  policy: Policy;
  /** True once a person approved this task (after an `approve` decision). */
  approved: boolean;
  /** Who approved it and when (ISO-8601), once `approved` is true. */
  approval?: { by: string; at: string } | undefined;
  limits: ToolLimits;
  /** The process environment, for the shell tool's allowlist. */
  env: NodeJS.ProcessEnv;
  /** Values of `inputs` and of finished tasks' outputs, for transform and `when`. */
  scope: { inputs: Record<string, unknown>; tasks: Record<string, { output: unknown }> };
  /** The plan being run, for policies on its id, mode or persona; absent when a tool is used outside a run. */
  run?: { planId: string; mode?: string | undefined; persona?: string | undefined } | undefined;
}

/**
 * One kind of task (`shell`, `fs`, …). `run` receives the task with its templates already filled
 * in, and returns the task's output (the shape documented in docs/formats/alt.md). Failures are
 * LocalAgentErrors; transient ones may be retried by the runner.
 */
export interface Tool<K extends AltTask['kind'] = AltTask['kind']> {
  readonly kind: K;
  run(task: Extract<AltTask, { kind: K }>, context: ToolContext): Promise<unknown>;
}
