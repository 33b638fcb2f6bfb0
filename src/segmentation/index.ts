/**
 * Segmentation: a plain-language command becomes an `.alt` plan. Two planners — `rules` (offline,
 * deterministic, English and Turkish) and `llm` (a model via the orchestrator, falling back to
 * rules) — plus the modes and personas applied to any plan. See docs/segmentation.md.
 */
export { planWithRules, planTitle, outputTemplate, OUTPUT_FIELDS, MAX_COMMAND_LENGTH, type RulesPlanOptions } from './rules.js';
export {
  planWithModel,
  plannerSystemPrompt,
  plannerSchema,
  PLANNER_EXAMPLE,
  type ModelPlanOptions,
  type ModelPlanResult,
  type PlannerWarning,
} from './llm.js';
export { applyMode, checkMode, checkChaosLevel, checkSeed, DREAM_SYSTEM, DREAM_TEMPERATURE, DEFAULT_CHAOS_LEVEL, EXPLORE_MERGE, type Mode, type ApplyModeOptions } from './modes.js';
export {
  applyPersona,
  resolvePersona,
  knownPersonas,
  personaBlock,
  personaSchema,
  personaNameSchema,
  PERSONA_PRESETS,
  PERSONA_NAMES,
  type Persona,
  type PersonaCatalog,
  type PresetPersonaName,
} from './personas.js';
export { deriveSeed } from './seed.js';
export { checkPlanGraph, addTemplateNeeds, templateReferences } from './graph.js';
export { splitArgv } from './argv.js';
export { detectLanguage, splitSteps, type Joint, type Step } from './split.js';
export { tokenize, type Token, type TokenKind } from './tokens.js';
export type { RulesLanguage } from './text.js';
