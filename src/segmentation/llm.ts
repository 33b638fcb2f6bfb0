import { z } from 'zod';
import { PlanError, UserInputError, toLocalAgentError, type LocalAgentError } from '../core/errors/index.js';
import { ALT_VERSION, altPlanSchema, type AltPlan, type AltPlanInput } from '../formats/alt/index.js';
import type { OrchestratedRequest, OrchestratedResult, StrategyName } from '../orchestrator/index.js';
import { addTemplateNeeds, checkPlanGraph } from './graph.js';
import { applyMode, checkChaosLevel, checkMode, checkSeed } from './modes.js';
import { applyPersona, resolvePersona } from './personas.js';
import { orderPlan } from './planShape.js';
import { MAX_COMMAND_LENGTH, planTitle, planWithRules, type RulesPlanOptions } from './rules.js';
import { deriveSeed } from './seed.js';
import { detectLanguage } from './split.js';
import { tokenize } from './tokens.js';

/** Why the llm planner handed over to the rules planner. */
export interface PlannerWarning {
  /** The error code that caused the fallback (`LA_NO_CAPABLE_MODEL`, `LA_MODEL_OUTPUT_INVALID`, `LA_PLAN_INVALID`…). */
  code: string;
  /** A sentence for a person: what failed and that the rules planner made the plan instead. */
  message: string;
}

export interface ModelPlanOptions extends RulesPlanOptions {
  /** The app's orchestrator (`(await app.models()).orchestrator`); only `generate` is used. */
  orchestrator: { generate(request: OrchestratedRequest): Promise<OrchestratedResult> };
  /** Exactly this model; default: the orchestrator's default model or strategy. */
  model?: string;
  /** Candidate models, ordered by `strategy`. */
  models?: string[];
  strategy?: StrategyName;
  /** Cancels the model call; a cancellation is thrown, never answered with a fallback. */
  signal?: AbortSignal;
  /** Refuse the model call if it could cost more than this (US dollars). */
  maxCostUsd?: number;
  /** Told when the plan comes from the rules planner instead, and why. */
  onWarning?: (warning: PlannerWarning) => void;
}

export interface ModelPlanResult {
  plan: AltPlan;
  /** Which planner made `plan`. */
  planner: 'llm' | 'rules';
  /** The model that answered, when the llm planner made the plan. */
  model?: string;
  /** Why the rules planner made it, when it did. */
  warning?: PlannerWarning;
}

/**
 * Failures after which the rules planner takes over: no usable model (none configured, no key,
 * all failed, provider down or refusing), or an answer that is not a usable plan even after the
 * orchestrator's repair attempt. Anything else (a cancellation, an unknown model id, a bug) is thrown.
 */
const FALLBACK_CODES: ReadonlySet<string> = new Set([
  'LA_NO_CAPABLE_MODEL',
  'LA_PROVIDER_NO_KEY',
  'LA_ALL_MODELS_FAILED',
  'LA_MODEL_OUTPUT_INVALID',
  'LA_PLAN_INVALID',
  'LA_PROVIDER_ERROR',
  'LA_PROVIDER_AUTH',
  'LA_PROVIDER_RATE_LIMITED',
  'LA_PROVIDER_UNAVAILABLE',
  'LA_PROVIDER_BAD_REQUEST',
  'LA_PROVIDER_BAD_RESPONSE',
  'LA_PROVIDER_NOT_FOUND',
  'LA_CIRCUIT_OPEN',
  'LA_NETWORK',
  'LA_TIMEOUT',
  'LA_FIRST_TOKEN_TIMEOUT',
  'LA_CONTEXT_LENGTH',
  'LA_BUDGET_EXCEEDED',
]);

/** The plan the system prompt shows as its one example. */
export const PLANNER_EXAMPLE: AltPlanInput = {
  alt: ALT_VERSION,
  title: 'Read notes.txt and summarize it',
  language: 'en',
  tasks: [
    { id: 'read_notes', title: 'Read notes.txt', kind: 'fs', op: 'read', path: 'notes.txt', confidence: 0.95 },
    { id: 'summarize', title: 'Summarize the notes', kind: 'ai', needs: ['read_notes'], prompt: 'Summarize this text:\n\n{{ tasks.read_notes.output.content }}', confidence: 0.9 },
  ],
};

/** What the model is told about the `.alt` format; the JSON Schema itself is added by the orchestrator. */
export function plannerSystemPrompt(): string {
  return [
    "You are LocalAgent's planner. Turn the person's command into a plan in the .alt format: one JSON object.",
    'Plan: {"alt": 1, "title": short title, "language": the command\'s language code (en, tr, …), "tasks": [...]}.',
    'Every task has a unique "id" (a letter, then letters, digits, _ or -), a short "title", a "kind", the fields of its kind, "needs" (ids of tasks that must finish first) and "confidence" (0–1, how sure you are the task is right).',
    'Kinds:',
    '- fs: "op" (read, write, append, list, stat, delete, move, copy, glob), "path" (relative to the workspace; a pattern for glob), "content" (write, append), "to" (move, copy).',
    '- shell: "argv": the program and each argument as separate strings. Never a shell string, never "sh -c"; pipes and ; are not available.',
    '- http: "method" (GET unless the command says otherwise), "url", optional "headers" and "body".',
    '- ai: "prompt"; optional "system", "temperature".',
    '- approval: "message": ask the person before a risky or irreversible step when the command asks for confirmation.',
    '- transform: "expr" (JSONata over {inputs, tasks}); os: "action" (screenshot, notify, open) and "params".',
    'A task reads an earlier task\'s output with a template inside its fields: {{ tasks.<id>.output.content }} (fs read), .entries (fs list, glob), .stdout (shell), .body (http), .text (ai), and lists that task in "needs". Templates never run code.',
    'Use as few tasks as the command needs. Do not invent files, URLs or commands the person did not give. Do not set mode, seed, persona or chaos_level.',
    `Example, for the command "read notes.txt and summarize it":\n${JSON.stringify(PLANNER_EXAMPLE)}`,
  ].join('\n');
}

/** The JSON Schema the answer must match: the `.alt` contract as input (defaulted fields may be left out). */
export function plannerSchema(): Record<string, unknown> {
  return z.toJSONSchema(altPlanSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/**
 * Asks a model for a plan as structured output validated against the `.alt` JSON Schema (the
 * orchestrator validates and repairs once), checks it again with `altPlanSchema` and for a sound
 * task graph (missing `needs` for templates it reads are added), then applies persona and mode
 * deterministically. When no model can make a plan — see FALLBACK_CODES — the rules planner makes
 * it instead and `onWarning` is told why. Options are checked before any model is called.
 */
export async function planWithModel(command: string, options: ModelPlanOptions): Promise<ModelPlanResult> {
  const text = command.trim();
  checkOptions(text, options);
  const rulesOptions: RulesPlanOptions = {
    ...(options.mode !== undefined ? { mode: options.mode } : {}),
    ...(options.chaosLevel !== undefined ? { chaosLevel: options.chaosLevel } : {}),
    ...(options.persona !== undefined ? { persona: options.persona } : {}),
    ...(options.personas !== undefined ? { personas: options.personas } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.language !== undefined && /^(en|tr)(-|$)/i.test(options.language) ? { language: options.language } : {}),
  };
  let answered: OrchestratedResult;
  try {
    answered = await options.orchestrator.generate({
      prompt: `Command: ${text}`,
      system: plannerSystemPrompt(),
      schema: plannerSchema(),
      taskKind: 'plan',
      temperature: 0,
      ...(options.model !== undefined ? { model: options.model } : {}),
      ...(options.models !== undefined ? { models: options.models } : {}),
      ...(options.strategy !== undefined ? { strategy: options.strategy } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.maxCostUsd !== undefined ? { maxCostUsd: options.maxCostUsd } : {}),
    });
  } catch (thrown) {
    return fallback(text, toLocalAgentError(thrown), options, rulesOptions);
  }
  try {
    const plan = planFromAnswer(answered.result.json, text, answered.result.model, options);
    return { plan, planner: 'llm', model: answered.result.model };
  } catch (thrown) {
    return fallback(text, toLocalAgentError(thrown), options, rulesOptions);
  }
}

function checkOptions(text: string, options: ModelPlanOptions): void {
  if (text === '') throw new UserInputError({ message: 'The command is empty.', suggestion: 'Describe what to do, e.g. "read notes.txt and summarize it".' });
  if (text.length > MAX_COMMAND_LENGTH) throw new UserInputError({ message: `The command is ${text.length} characters long; at most ${MAX_COMMAND_LENGTH} fit in a plan.`, suggestion: 'Put long text in a file and refer to the file in the command.' });
  const mode = checkMode(options.mode ?? 'normal');
  if (options.chaosLevel !== undefined) {
    if (mode !== 'chaos') throw new UserInputError({ message: `A chaos level applies to chaos mode only, not to ${mode} mode.`, suggestion: 'Use mode chaos with a chaos level, or leave the chaos level out.' });
    checkChaosLevel(options.chaosLevel);
  }
  if (options.seed !== undefined) checkSeed(options.seed);
  if (options.persona !== undefined) resolvePersona(options.persona, options.personas);
}

function fallback(text: string, error: LocalAgentError, options: ModelPlanOptions, rulesOptions: RulesPlanOptions): ModelPlanResult {
  if (options.signal?.aborted || !FALLBACK_CODES.has(error.code)) throw error;
  const warning: PlannerWarning = { code: error.code, message: `The llm planner could not make a plan (${error.code}: ${error.message}); the rules planner made it instead.` };
  options.onWarning?.(warning);
  const plan = planWithRules(text, rulesOptions);
  return { plan: orderPlan({ ...plan, metadata: { ...plan.metadata, planner: 'rules', fallback_from: 'llm', fallback_code: error.code } }), planner: 'rules', warning };
}

const MODEL_PLAN_HINT = 'Try a more capable model with --model, or use the rules planner.';

/** Turns the model's JSON into a plan we can trust, or throws `LA_PLAN_INVALID` listing what is wrong. */
function planFromAnswer(json: unknown, command: string, model: string, options: ModelPlanOptions): AltPlan {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new PlanError({ message: 'The model did not answer with a plan object.', suggestion: MODEL_PLAN_HINT, details: { problems: ['the answer is not a JSON object'] } });
  }
  // The model plans the work; mode, seed, persona and chaos level are ours to set, deterministically.
  const { mode: _mode, chaos_level: _chaos, seed: _seed, persona: _persona, ...answer } = json as Record<string, unknown>;
  const language = options.language ?? (typeof answer['language'] === 'string' && /^[A-Za-z]{2,3}$|^[A-Za-z]{2,3}-[A-Za-z0-9]{2,8}$/.test(answer['language']) ? answer['language'] : detectLanguage(tokenize(command)));
  const title = typeof answer['title'] === 'string' && answer['title'].trim() !== '' ? answer['title'].trim().slice(0, 300) : planTitle(command, language);
  const metadata = answer['metadata'] !== null && typeof answer['metadata'] === 'object' && !Array.isArray(answer['metadata']) ? (answer['metadata'] as Record<string, unknown>) : {};
  const parsed = altPlanSchema.safeParse({ ...answer, alt: ALT_VERSION, title, command, language, mode: 'normal', metadata: { ...metadata, planner: 'llm', model } });
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || 'plan'}: ${i.message}`);
    throw new PlanError({ message: `The model's plan does not match the .alt format: ${problems.join('; ')}.`, suggestion: MODEL_PLAN_HINT, details: { problems } });
  }
  const linked = addTemplateNeeds(parsed.data);
  const problems = checkPlanGraph(linked);
  if (problems.length > 0) throw new PlanError({ message: `The model's plan cannot run: ${problems.slice(0, 5).join('; ')}.`, suggestion: MODEL_PLAN_HINT, details: { problems } });
  let plan: AltPlan = orderPlan({ ...linked, seed: options.seed ?? deriveSeed(command) });
  if (options.persona !== undefined) plan = applyPersona(plan, options.persona, options.personas ? { personas: options.personas } : {});
  plan = applyMode(plan, options.mode ?? 'normal', { ...(options.chaosLevel !== undefined ? { chaosLevel: options.chaosLevel } : {}) });
  // A last guard: persona and mode only touch fields the schema allows, so this never fails in practice.
  altPlanSchema.parse(plan);
  return plan;
}
