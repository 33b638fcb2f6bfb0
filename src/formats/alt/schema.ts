import { z } from 'zod';

/** The `.alt` format version this code reads and writes. */
export const ALT_VERSION = 1;

/** Task ids name outputs in templates (`{{ tasks.<id>.output }}`), so they stay identifier-like. */
export const taskIdSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'use a letter or _ first, then letters, digits, _ or - (at most 64)');

/** `30s`, `5m`, `1h`, `250ms`, or a number of milliseconds. */
export const durationSchema = z.union([
  z.number().int().positive(),
  z.string().regex(/^[0-9]+(ms|s|m|h)$/, 'use a duration such as 500ms, 30s, 5m or 1h'),
]);

export const retrySchema = z.union([
  z.number().int().min(0).max(20),
  z.strictObject({
    /** Retries after the first try. */
    max_attempts: z.number().int().min(0).max(20),
    /** First backoff wait; doubles each retry, with jitter. */
    backoff: durationSchema.optional(),
  }),
]);

/** What every task has, whatever its kind. */
const taskBase = {
  /** Unique within the plan; names the task's output in templates. */
  id: taskIdSchema,
  /** A short human title, shown in progress and results. */
  title: z.string().max(200).optional(),
  /** Tasks that must finish first (any number: the plan is a DAG). */
  needs: z.array(taskIdSchema).max(10_000).optional(),
  /** A JSONata condition over `{ inputs, tasks }`; the task is skipped when it is false. */
  when: z.string().min(1).max(2000).optional(),
  /** Longest the task may run. */
  timeout: durationSchema.optional(),
  /** Retries after transient failures. */
  retry: retrySchema.optional(),
  /** `fail` cancels the rest of the run, `continue` skips the tasks that need this one, `ignore` treats it as done. */
  on_failure: z.enum(['fail', 'continue', 'ignore']).optional(),
  /** Higher runs first among ready tasks. */
  priority: z.number().int().min(-1000).max(1000).optional(),
  /** How sure the planner was that this task is right (0–1); informational. */
  confidence: z.number().min(0).max(1).optional(),
};

export const shellTaskSchema = z.strictObject({
  ...taskBase,
  kind: z.literal('shell'),
  /** The program and its arguments, never a shell string: `[echo, hello]`. */
  argv: z.array(z.string()).min(1).max(1000),
  /** Working folder, relative to the workspace. */
  cwd: z.string().optional(),
  /** Extra environment variables (on top of the allowlisted ones). */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
  /** Text fed to the program's standard input. */
  stdin: z.string().optional(),
  /** Whether the program needs the network; isolated programs have none unless the policy allows `shell.network`. */
  network: z.boolean().optional(),
});

export const FS_OPS = ['read', 'write', 'append', 'list', 'stat', 'delete', 'move', 'copy', 'glob'] as const;

export const fsTaskSchema = z.strictObject({
  ...taskBase,
  kind: z.literal('fs'),
  op: z.enum(FS_OPS),
  /** Relative to the workspace (for glob: the pattern). */
  path: z.string().min(1),
  /** For write and append. */
  content: z.string().optional(),
  /** For move and copy: the destination, relative to the workspace. */
  to: z.string().min(1).optional(),
});

export const httpTaskSchema = z.strictObject({
  ...taskBase,
  kind: z.literal('http'),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
  url: z.string().min(1),
  headers: z.record(z.string(), z.string()).optional(),
  /** Text, or a JSON value sent as JSON. */
  body: z.unknown().optional(),
});

export const aiTaskSchema = z.strictObject({
  ...taskBase,
  kind: z.literal('ai'),
  prompt: z.string().min(1),
  system: z.string().optional(),
  /** One model (see `localagent models list`)… */
  model: z.string().optional(),
  /** …or a strategy over candidates. */
  strategy: z.enum(['explicit', 'fallback', 'fastest', 'cheapest', 'best', 'auto', 'learn', 'race', 'ensemble']).optional(),
  models: z.array(z.string()).min(1).optional(),
  /** Ensemble only: pick by majority vote, let `judge` pick, or keep every answer (explore mode). */
  merge: z.enum(['vote', 'judge', 'all']).optional(),
  /** Ensemble with `merge: judge`: the model that picks the best answer. */
  judge: z.string().optional(),
  /** A JSON Schema the answer must match. */
  schema: z.record(z.string(), z.unknown()).optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().optional(),
});

export const transformTaskSchema = z.strictObject({
  ...taskBase,
  kind: z.literal('transform'),
  /** A JSONata expression over `{ inputs, tasks }`. */
  expr: z.string().min(1),
});

export const approvalTaskSchema = z.strictObject({
  ...taskBase,
  kind: z.literal('approval'),
  /** What the person is asked to approve. */
  message: z.string().min(1),
});

export const osTaskSchema = z.strictObject({
  ...taskBase,
  kind: z.literal('os'),
  /** The OS action (screenshot, notify, open, …). */
  action: z.string().min(1),
  params: z.record(z.string(), z.unknown()).optional(),
});

export const TASK_KINDS = ['ai', 'shell', 'fs', 'http', 'transform', 'approval', 'os'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const taskSchema = z.discriminatedUnion('kind', [aiTaskSchema, shellTaskSchema, fsTaskSchema, httpTaskSchema, transformTaskSchema, approvalTaskSchema, osTaskSchema]);

export const MODES = ['normal', 'dream', 'explore', 'chaos'] as const;

/** A plan: what a command becomes, and what the runner runs. */
export const altPlanSchema = z.strictObject({
  /** Where editors find the JSON Schema (docs/formats/alt.schema.json); ignored by LocalAgent. */
  $schema: z.string().optional(),
  /** Format version. */
  alt: z.literal(ALT_VERSION),
  /** A stable id; derived from the content hash when absent. */
  id: z.string().min(1).max(128).optional(),
  title: z.string().min(1).max(300),
  /** The plain-language command the plan came from. */
  command: z.string().max(100_000).optional(),
  /** Language of the command (`en`, `tr`, …). */
  language: z.string().min(2).max(16).optional(),
  mode: z.enum(MODES).default('normal'),
  /** Fault-injection intensity, 1–10; chaos mode only. */
  chaos_level: z.number().int().min(1).max(10).optional(),
  /** Seed for anything random (chaos, dream sampling); recorded in the result. */
  seed: z.number().int().min(0).optional(),
  /** A persona preset (`technical_expert`, `creative_writer`, `researcher`, `project_manager`) or a custom one from config. */
  persona: z.string().min(1).max(64).optional(),
  priority: z.number().int().min(-1000).max(1000).optional(),
  /** Values templates can read as `{{ inputs.<name> }}`. */
  inputs: z.record(z.string(), z.unknown()).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  tasks: z.array(taskSchema).min(1).max(10_000),
});

export type AltPlan = z.infer<typeof altPlanSchema>;
export type AltPlanInput = z.input<typeof altPlanSchema>;
export type AltTask = z.infer<typeof taskSchema>;
