import { z } from 'zod';
import { MODES, TASK_KINDS, taskIdSchema } from '../alt/schema.js';

/** The `.atlas` format version this code writes and reads. */
export const ATLAS_VERSION = 1;

/** The run statuses an `.atlas` record can have: only finished runs are archived. */
export const ATLAS_RUN_STATUSES = ['success', 'partial', 'failure', 'cancelled'] as const;
export type AtlasRunStatus = (typeof ATLAS_RUN_STATUSES)[number];

/** A task's final state (a finished run has no pending or waiting tasks). */
export const ATLAS_TASK_STATUSES = ['succeeded', 'failed', 'skipped', 'cancelled'] as const;
export type AtlasTaskStatus = (typeof ATLAS_TASK_STATUSES)[number];

const isoTime = z.iso.datetime();
const count = z.number().int().min(0);
const errorCode = z.string().regex(/^LA_[A-Z0-9_]+$/);

/** What one task contributed: the facts model selection and `archive stats` read. */
export const atlasTaskSchema = z.strictObject({
  id: taskIdSchema,
  kind: z.enum(TASK_KINDS),
  /** The task's title, when the plan gave one. */
  title: z.string().max(200).optional(),
  status: z.enum(ATLAS_TASK_STATUSES),
  /** `status === 'succeeded'`, spelled out for readers that only want the outcome. */
  success: z.boolean(),
  /** AI tasks: the model that answered (or, for a failed task that named one model, that model). */
  model: z.string().min(1).max(128).optional(),
  /** AI tasks: the provider that served the model. */
  provider: z.string().min(1).max(63).optional(),
  /** How long the task took, from its first start to its final state, in milliseconds (retries included). */
  latency_ms: count.optional(),
  /** AI tasks answered by a stream: from sending the request to the first token, in milliseconds. */
  first_token_ms: count.optional(),
  /** AI tasks: tokens used. */
  tokens: z.strictObject({ input: count, output: count }).optional(),
  /** AI tasks: what it cost, in US dollars. */
  cost_usd: z.number().min(0).optional(),
  /** Why it failed or was cancelled: the stable code only (messages stay in the `.last`). */
  error_code: errorCode.optional(),
  /** How many times the tool was started. */
  attempts: count,
});

/** A person's judgement of a run or of one of its tasks (`localagent feedback`). */
export const atlasFeedbackSchema = z.strictObject({
  /** 1 (useless) to 5 (exactly right). */
  rating: z.number().int().min(1).max(5),
  comment: z.string().max(10_000).optional(),
  /** The task judged; absent when the judgement is of the whole run. */
  task: taskIdSchema.optional(),
  /** When it was given. */
  at: isoTime,
  /** Who gave it (the login name), when known. */
  by: z.string().max(255).optional(),
});

export const atlasTotalsSchema = z.strictObject({
  tasks: count,
  succeeded: count,
  failed: count,
  tokens_in: count,
  tokens_out: count,
  cost_usd: z.number().min(0),
});

/** The learning record of one finished run. */
export const atlasRecordSchema = z
  .strictObject({
    /** Format version. */
    atlas: z.literal(ATLAS_VERSION),
    run_id: z.string().min(1).max(64),
    plan_id: z.string().min(1).max(128),
    /** SHA-256 (hex) of the plan's canonical JSON. */
    plan_hash: z.string().regex(/^[0-9a-f]{64}$/),
    title: z.string().max(300),
    /** The plain-language command the plan came from, when there was one. */
    command: z.string().max(100_000).optional(),
    status: z.enum(ATLAS_RUN_STATUSES),
    mode: z.enum(MODES),
    /** Only for `mode: chaos`: results of chaos runs include injected faults. */
    chaos_level: z.number().int().min(1).max(10).optional(),
    /** Succeeded tasks ÷ all tasks. */
    success_rate: z.number().min(0).max(1),
    started_at: isoTime,
    finished_at: isoTime,
    duration_ms: count,
    /** Every task of the plan, in plan order. */
    tasks: z.array(atlasTaskSchema).max(100_000),
    totals: atlasTotalsSchema,
    /** People's judgements, oldest first. */
    feedback: z.array(atlasFeedbackSchema).max(10_000).default([]),
  })
  .superRefine((record, ctx) => {
    const total = record.tasks.length;
    const succeeded = record.tasks.filter((t) => t.status === 'succeeded').length;
    const failed = record.tasks.filter((t) => t.status === 'failed').length;
    const expected = total === 0 ? 0 : succeeded / total;
    if (Math.abs(record.success_rate - expected) > 1e-9) {
      ctx.addIssue({ code: 'custom', path: ['success_rate'], message: `must be succeeded ÷ total = ${succeeded}/${total}` });
    }
    if (record.totals.tasks !== total) ctx.addIssue({ code: 'custom', path: ['totals', 'tasks'], message: `must be ${total}, the number of tasks` });
    if (record.totals.succeeded !== succeeded) ctx.addIssue({ code: 'custom', path: ['totals', 'succeeded'], message: `must be ${succeeded}, the number of succeeded tasks` });
    if (record.totals.failed !== failed) ctx.addIssue({ code: 'custom', path: ['totals', 'failed'], message: `must be ${failed}, the number of failed tasks` });
    const ids = new Set<string>();
    record.tasks.forEach((task, i) => {
      if (ids.has(task.id)) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'id'], message: `duplicate task id "${task.id}"` });
      ids.add(task.id);
      if (task.success !== (task.status === 'succeeded')) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'success'], message: `must be ${task.status === 'succeeded'} for a ${task.status} task` });
    });
    record.feedback.forEach((entry, i) => {
      if (entry.task !== undefined && !ids.has(entry.task)) ctx.addIssue({ code: 'custom', path: ['feedback', i, 'task'], message: `names no task of this run ("${entry.task}")` });
    });
    if (Date.parse(record.finished_at) < Date.parse(record.started_at)) ctx.addIssue({ code: 'custom', path: ['finished_at'], message: 'must not be before started_at' });
  });

export type AtlasRecord = z.infer<typeof atlasRecordSchema>;
export type AtlasTask = z.infer<typeof atlasTaskSchema>;
export type AtlasFeedback = z.infer<typeof atlasFeedbackSchema>;
export type AtlasTotals = z.infer<typeof atlasTotalsSchema>;
