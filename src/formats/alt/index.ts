export {
  ALT_VERSION,
  FS_OPS,
  MODES,
  TASK_KINDS,
  altPlanSchema,
  taskSchema,
  taskIdSchema,
  durationSchema,
  retrySchema,
  aiTaskSchema,
  shellTaskSchema,
  fsTaskSchema,
  httpTaskSchema,
  transformTaskSchema,
  approvalTaskSchema,
  osTaskSchema,
  type AltPlan,
  type AltPlanInput,
  type AltTask,
  type TaskKind,
} from './schema.js';
export { parsePlan, loadPlanFile, validatePlan, planFormatOf, type ParsePlanOptions, type ParsedPlan, type PlanFormat, type LoadPlanFileOptions } from './parsePlan.js';
export { formatPlanProblem, type PlanProblem } from './PlanProblem.js';
export { planOrder, planDepth } from './graph.js';
export { parseTemplate, hasTemplateSyntax, type TemplateRef, type TemplatePart, type TemplatePathSegment, type ParsedTemplate, type TemplateError } from './templates.js';
export { checkExpression, type ExpressionCheck, type ExpressionRef } from './expressions.js';
export { UNTEMPLATED_TASK_FIELDS } from './checkPlan.js';
export { MAX_PLAN_TASKS } from './schemaProblems.js';
export { altJsonSchema, altJsonSchemaText, ALT_JSON_SCHEMA_PATH } from './jsonSchema.js';
