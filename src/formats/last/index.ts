export {
  LAST_VERSION,
  LAST_RUN_STATUSES,
  LAST_TASK_STATUSES,
  FINAL_RUN_STATUSES,
  lastResultSchema,
  lastTaskSchema,
  lastErrorSchema,
  lastArtifactSchema,
  lastGraphSchema,
  lastTotalsSchema,
  type LastResult,
  type LastTask,
  type LastError,
  type LastArtifact,
  type LastGraph,
  type LastTotals,
  type LastRunStatus,
  type LastTaskStatus,
} from './schema.js';
export { parseLast, checkBuiltLast } from './parseLast.js';
export { lastJsonSchema, lastJsonSchemaText, LAST_JSON_SCHEMA_PATH } from './jsonSchema.js';
