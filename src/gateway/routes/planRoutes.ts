import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LocalAgentError } from '../../core/errors/index.js';
import type { RouteContext } from './RouteContext.js';
import { withProblems } from './schemas.js';

const planRequestSchema = z.strictObject({
  command: z.string().min(1).max(100_000).describe('What to do, in plain words (English or Turkish for the rules planner).'),
  planner: z.enum(['rules', 'llm']).default('rules').describe('`rules`: offline and deterministic; `llm`: a model plans (falls back to rules).'),
  mode: z.enum(['normal', 'dream', 'explore', 'chaos']).optional(),
  chaos_level: z.number().int().min(1).max(10).optional(),
  persona: z.string().min(1).max(100).optional(),
  language: z.string().min(2).max(20).optional(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  model: z.string().min(1).max(128).optional().describe('The llm planner\'s model.'),
});

const validateRequestSchema = z.union([
  z.strictObject({ plan: z.record(z.string(), z.unknown()).describe('The plan as a JSON object.') }),
  z.strictObject({ text: z.string().max(1_048_576).describe('The plan file\'s text.'), format: z.enum(['yaml', 'json']).default('yaml') }),
]);

const problemListSchema = z.array(z.object({ path: z.string(), line: z.number(), column: z.number(), message: z.string() }));

/** `POST /v1/plans` (command → `.alt`) and `POST /v1/plans/validate`. */
export function planRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  return async (server) => {
    server.post(
      '/v1/plans',
      {
        config: { action: 'api.plans.create' },
        schema: {
          summary: 'Turn a command into a plan (.alt)',
          tags: ['plans'],
          body: planRequestSchema,
          response: withProblems({ 200: z.object({ plan: z.record(z.string(), z.unknown()), planner: z.enum(['rules', 'llm']), model: z.string().optional(), warnings: z.array(z.string()) }) }),
        },
      },
      async (request) => {
        const body = request.body;
        const { planWithRules, planWithModel } = await import('../../segmentation/index.js');
        const options = {
          ...(body.mode !== undefined ? { mode: body.mode } : {}),
          ...(body.chaos_level !== undefined ? { chaosLevel: body.chaos_level } : {}),
          ...(body.persona !== undefined ? { persona: body.persona } : {}),
          ...(body.language !== undefined ? { language: body.language } : {}),
          ...(body.seed !== undefined ? { seed: body.seed } : {}),
        };
        if (body.planner === 'rules') return { plan: planWithRules(body.command, options), planner: 'rules' as const, warnings: [] };
        const warnings: string[] = [];
        const controller = new AbortController();
        request.raw.once('close', () => controller.abort());
        const { orchestrator } = await ctx.models();
        const planned = await planWithModel(body.command, {
          ...options,
          orchestrator,
          signal: controller.signal,
          onWarning: (warning) => warnings.push(warning.message),
          ...(body.model !== undefined ? { model: body.model } : {}),
        });
        return { plan: planned.plan, planner: planned.planner, ...(planned.model ? { model: planned.model } : {}), warnings };
      },
    );

    server.post(
      '/v1/plans/validate',
      {
        config: { action: 'api.plans.validate' },
        schema: {
          summary: 'Check a plan: every problem with its path, line and column',
          tags: ['plans'],
          body: validateRequestSchema,
          response: withProblems({
            200: z.object({ ok: z.boolean(), plan_id: z.string().optional(), hash: z.string().optional(), plan: z.record(z.string(), z.unknown()).optional(), problems: problemListSchema }),
          }),
        },
      },
      async (request) => {
        const { parsePlan, validatePlan } = await import('../../formats/index.js');
        const body = request.body;
        try {
          const parsed = 'plan' in body ? validatePlan(body.plan) : parsePlan(body.text, { path: '<request>', format: body.format });
          return { ok: true, plan_id: parsed.id, hash: parsed.hash, plan: parsed.plan as unknown as Record<string, unknown>, problems: [] };
        } catch (error) {
          if (error instanceof LocalAgentError && Array.isArray(error.details.problems)) {
            return { ok: false, problems: error.details.problems as z.infer<typeof problemListSchema> };
          }
          throw error;
        }
      },
    );
  };
}
