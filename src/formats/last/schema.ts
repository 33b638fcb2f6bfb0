import { z } from 'zod';
import { MODES, TASK_KINDS, taskIdSchema } from '../alt/schema.js';

/** The `.last` format version this code writes and reads. */
export const LAST_VERSION = 1;

/**
 * How a run ended. `waiting_approval` is not an end: it is the status of the snapshot written
 * when a run pauses for a person; the run's final `.last` replaces it.
 */
export const LAST_RUN_STATUSES = ['success', 'partial', 'failure', 'cancelled', 'waiting_approval'] as const;
export type LastRunStatus = (typeof LAST_RUN_STATUSES)[number];
export const FINAL_RUN_STATUSES: readonly LastRunStatus[] = ['success', 'partial', 'failure', 'cancelled'];

/**
 * A task's state in a `.last`. `pending` (never started) and `waiting_approval` only appear in a
 * paused run's snapshot; a finished run has every task succeeded, failed, skipped or cancelled.
 */
export const LAST_TASK_STATUSES = ['succeeded', 'failed', 'skipped', 'cancelled', 'waiting_approval', 'pending'] as const;
export type LastTaskStatus = (typeof LAST_TASK_STATUSES)[number];

const isoTime = z.iso.datetime();
const count = z.number().int().min(0);

/** An error as recorded: the stable code and the sentence for people (never a secret). */
export const lastErrorSchema = z.strictObject({
  code: z.string().regex(/^LA_[A-Z0-9_]+$/),
  message: z.string(),
  /** `transient | permanent | user | system`, as the error said. */
  category: z.enum(['transient', 'permanent', 'user', 'system']).optional(),
});

export const lastTaskSchema = z.strictObject({
  id: taskIdSchema,
  kind: z.enum(TASK_KINDS),
  /** The task's title, when the plan gave one (as written, templates not filled in). */
  title: z.string().optional(),
  status: z.enum(LAST_TASK_STATUSES),
  /** What a failure of this task does to the run (the plan's `on_failure`, default `fail`). */
  on_failure: z.enum(['fail', 'continue', 'ignore']),
  /** How many times the tool was started (0 when the task never ran). */
  attempts: count,
  /** When the first attempt started. */
  started_at: isoTime.optional(),
  /** When the task reached its final state. */
  finished_at: isoTime.optional(),
  /** finished_at − started_at, in milliseconds (includes retry waits). */
  duration_ms: count.optional(),
  /** The tool's output, for a succeeded task (shape by kind: docs/formats/alt.md). */
  output: z.unknown().optional(),
  /** Why it failed, or why it was cancelled. */
  error: lastErrorSchema.optional(),
  /** For a skipped task: its `when` was false (`condition`), or a task it needs did not succeed (`dependency`). */
  skip_reason: z.enum(['condition', 'dependency']).optional(),
  /** For `skip_reason: dependency`: the task it needs that did not succeed. */
  skipped_because: taskIdSchema.optional(),
  /** A person's decision, for a task that asked for one. */
  approval: z
    .strictObject({
      /** What the person was asked. */
      message: z.string().optional(),
      requested_at: isoTime.optional(),
      decision: z.enum(['approved', 'denied']).optional(),
      by: z.string().optional(),
      at: isoTime.optional(),
    })
    .optional(),
  /** AI tasks: the model that answered. */
  model: z.string().optional(),
  /** AI tasks: tokens used. */
  tokens: z.strictObject({ input: count, output: count }).optional(),
  /** AI tasks: what it cost, in US dollars. */
  cost_usd: z.number().min(0).optional(),
});

/** A file a task wrote, relative to the workspace. */
export const lastArtifactSchema = z.strictObject({
  path: z.string().min(1),
  /** The task that wrote it. */
  task: taskIdSchema,
  /** How: `write`, `append`, `move` or `copy`. */
  op: z.string(),
});

export const lastGraphSchema = z.strictObject({
  /** Every task, in plan order, with its final state. */
  nodes: z.array(z.strictObject({ id: taskIdSchema, kind: z.enum(TASK_KINDS), status: z.enum(LAST_TASK_STATUSES) })),
  /**
   * `from` is needed by `to`. `satisfied`: `from` succeeded (or failed under `on_failure: ignore`);
   * `blocked`: `from` failed, was skipped or cancelled, so `to` could not run; `pending`: `from` never finished.
   */
  edges: z.array(z.strictObject({ from: taskIdSchema, to: taskIdSchema, state: z.enum(['satisfied', 'blocked', 'pending']) })),
});

export const lastTotalsSchema = z.strictObject({
  tasks: count,
  succeeded: count,
  failed: count,
  skipped: count,
  cancelled: count,
  waiting_approval: count,
  pending: count,
  /** Tool starts over all tasks (retries and re-runs after a crash included). */
  attempts: count,
  tokens_in: count,
  tokens_out: count,
  cost_usd: z.number().min(0),
});

/** The result of one run. */
export const lastResultSchema = z
  .strictObject({
    /** Format version. */
    last: z.literal(LAST_VERSION),
    run_id: z.string().min(1).max(64),
    plan_id: z.string().min(1).max(128),
    /** SHA-256 (hex) of the plan's canonical JSON. */
    plan_hash: z.string().regex(/^[0-9a-f]{64}$/),
    /** The plan's title. */
    title: z.string(),
    status: z.enum(LAST_RUN_STATUSES),
    /** Succeeded tasks ÷ all tasks (skipped, cancelled and failed ones count as not succeeded). */
    success_rate: z.number().min(0).max(1),
    mode: z.enum(MODES),
    /** Only for `mode: chaos`. */
    chaos_level: z.number().int().min(1).max(10).optional(),
    persona: z.string().optional(),
    /** The seed everything random in the run used: the plan's, or one the runner picked. */
    seed: z.number().int().min(0),
    /** The workspace root the run used (a real path). */
    workspace: z.string(),
    /** Why the run did not succeed: the failing task's error, or the cancellation. */
    error: lastErrorSchema.optional(),
    timings: z.strictObject({
      started_at: isoTime,
      finished_at: isoTime,
      /** Wall-clock time from start to finish, pauses and crashes included. */
      duration_ms: count,
    }),
    /** Every task of the plan, in plan order. */
    tasks: z.array(lastTaskSchema),
    artifacts: z.array(lastArtifactSchema),
    graph: lastGraphSchema,
    totals: lastTotalsSchema,
  })
  .superRefine((last, ctx) => {
    const total = last.tasks.length;
    const by = (status: LastTaskStatus): number => last.tasks.filter((t) => t.status === status).length;
    const succeeded = by('succeeded');
    const expected = total === 0 ? 0 : succeeded / total;
    if (Math.abs(last.success_rate - expected) > 1e-9) {
      ctx.addIssue({ code: 'custom', path: ['success_rate'], message: `must be succeeded ÷ total = ${succeeded}/${total}` });
    }
    const counts = {
      tasks: total,
      succeeded,
      failed: by('failed'),
      skipped: by('skipped'),
      cancelled: by('cancelled'),
      waiting_approval: by('waiting_approval'),
      pending: by('pending'),
    };
    for (const [key, value] of Object.entries(counts)) {
      if (last.totals[key as keyof typeof counts] !== value) ctx.addIssue({ code: 'custom', path: ['totals', key], message: `must be ${value}, the number of such tasks` });
    }
    if (FINAL_RUN_STATUSES.includes(last.status) && counts.pending + counts.waiting_approval > 0) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: `a ${last.status} run has no pending or waiting tasks` });
    }
    if (last.status === 'waiting_approval' && counts.waiting_approval === 0) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'a run waiting for approval has a task waiting for approval' });
    }
    if (last.status === 'success' && counts.failed + counts.cancelled > 0) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'a successful run has no failed or cancelled tasks' });
    }
  });

export type LastResult = z.infer<typeof lastResultSchema>;
export type LastTask = z.infer<typeof lastTaskSchema>;
export type LastError = z.infer<typeof lastErrorSchema>;
export type LastArtifact = z.infer<typeof lastArtifactSchema>;
export type LastGraph = z.infer<typeof lastGraphSchema>;
export type LastTotals = z.infer<typeof lastTotalsSchema>;
