export {
  ATLAS_VERSION,
  ATLAS_RUN_STATUSES,
  ATLAS_TASK_STATUSES,
  atlasRecordSchema,
  atlasTaskSchema,
  atlasFeedbackSchema,
  atlasTotalsSchema,
  type AtlasRecord,
  type AtlasTask,
  type AtlasFeedback,
  type AtlasTotals,
  type AtlasRunStatus,
  type AtlasTaskStatus,
} from './schema.js';
export { parseAtlas, checkAtlas, type AtlasProblem } from './parseAtlas.js';
export { atlasJsonSchema, atlasJsonSchemaText, ATLAS_JSON_SCHEMA_PATH } from './jsonSchema.js';
