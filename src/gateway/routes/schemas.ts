import { z } from 'zod';

/** A run id as the runner makes them (`run-20250101-120000-a1b2c3`) or a caller chose: no slashes, no dots at the start. */
export const runIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'a run id: letters, digits, _ and -, at most 64')
  .describe('The run id, as `GET /v1/runs` lists it.');

/** A task id as `.alt` allows them. */
export const taskIdSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'a task id: a letter or _ first, then letters, digits, _ or -').describe('The task id, as in the plan.');

export const runParamsSchema = z.strictObject({ id: runIdSchema });
export const taskParamsSchema = z.strictObject({ id: runIdSchema, task: taskIdSchema });

/** Every error response: RFC 9457 problem details. */
export const problemSchema = z
  .object({
    type: z.string().describe('`urn:localagent:error:<code>`'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().describe('What went wrong, for a person.'),
    code: z.string().describe('The stable `LA_…` code (docs/errors.md).'),
    instance: z.string().describe('The request id (also in `X-Request-Id`).'),
    category: z.enum(['transient', 'permanent', 'user', 'system']),
    suggestion: z.string().describe('What to do about it.'),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .describe('application/problem+json (RFC 9457)');

/** Responses of a route, plus the problem document for every error status. */
export function withProblems<T extends Record<number, z.ZodType>>(responses: T): T & { '4xx': typeof problemSchema; '5xx': typeof problemSchema } {
  return { ...responses, '4xx': problemSchema, '5xx': problemSchema };
}

/** A `.last` result (docs/formats/last.md); validated where it is written, passed through here. */
export const lastResultSchema = z.looseObject({ run_id: z.string(), status: z.string() }).describe('A `.last` run result: docs/formats/last.schema.json');

/** A run as listed. */
export const runSummarySchema = z.object({
  run_id: z.string(),
  status: z.string(),
  title: z.string(),
  plan_id: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});

/**
 * A route serializer that is plain `JSON.stringify`, for hot routes whose answers the handler
 * builds field by field (the zod serializer would copy and check each answer again; the schema
 * still documents the route).
 */
export const plainJson = (): ((data: unknown) => string) => (data) => JSON.stringify(data);
