import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from './RouteContext.js';
import { withProblems } from './schemas.js';

const modelSchema = z.object({
  id: z.string(),
  object: z.literal('model'),
  created: z.number().int(),
  owned_by: z.string(),
  localagent: z.object({
    kind: z.enum(['model', 'strategy']),
    provider: z.string().optional(),
    provider_model: z.string().optional(),
    available: z.boolean(),
    capabilities: z.array(z.string()).optional(),
    price_usd_per_million: z.object({ input: z.number(), output: z.number() }).optional(),
    context_window: z.number().nullable().optional(),
  }),
});

const healthSchema = z.object({
  ok: z.boolean(),
  providers: z.array(
    z.object({
      provider: z.string(),
      status: z.string(),
      error_code: z.string().optional(),
      latency_ms: z.number(),
      breaker: z.string(),
      recent_calls: z.number(),
      recent_error_rate: z.number().nullable(),
    }),
  ),
  breakers: z.array(z.looseObject({ key: z.string(), state: z.string() })),
});

/** `GET /v1/models` (OpenAI's list shape, LocalAgent's facts under `localagent`) and `GET /v1/models/health`. */
export function modelRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      '/v1/models',
      {
        config: { action: 'api.models.list' },
        schema: {
          summary: 'Every model, and the strategies usable as model names (OpenAI list shape)',
          tags: ['models', 'openai'],
          response: withProblems({ 200: z.object({ object: z.literal('list'), data: z.array(modelSchema) }) }),
        },
      },
      async () => {
        const [service, { STRATEGY_NAMES }] = await Promise.all([ctx.models(), import('../../orchestrator/index.js')]);
        const available = new Set(service.available.map((m) => m.id));
        const open = new Set(service.breakers().filter((b) => b.state === 'open').map((b) => b.key));
        const models = service.registry.list().map((m) => ({
          id: m.id,
          object: 'model' as const,
          created: 0,
          owned_by: m.provider,
          localagent: {
            kind: 'model' as const,
            provider: m.provider,
            provider_model: m.model,
            available: available.has(m.id) && !open.has(m.provider),
            capabilities: m.capabilities,
            price_usd_per_million: m.price,
            context_window: m.contextWindow ?? null,
          },
        }));
        // The strategies offered as model names, for clients that pick from this list (`explicit` is what a model id means).
        const strategies = STRATEGY_NAMES.filter((name) => name !== 'explicit').map((id) => ({ id, object: 'model' as const, created: 0, owned_by: 'localagent', localagent: { kind: 'strategy' as const, available: service.available.length > 0 } }));
        return { object: 'list' as const, data: [...models, ...strategies] };
      },
    );

    server.get(
      '/v1/models/health',
      {
        config: { action: 'api.models.list' },
        schema: {
          summary: "Ask each usable provider's model list: latency, circuit breaker, recent error rates",
          tags: ['models'],
          querystring: z.strictObject({ timeout_ms: z.coerce.number().int().min(100).max(60_000).default(5000) }),
          response: withProblems({ 200: healthSchema }),
        },
      },
      async (request) => {
        const [service, { checkProviderHealth }, { validateKeyLive }] = await Promise.all([ctx.models(), import('../../orchestrator/index.js'), import('../../keys/index.js')]);
        const getKey = async (name: string): Promise<Buffer> => (await (await ctx.keys()).get(name).catch(() => undefined))?.value ?? Buffer.alloc(0);
        const report = await checkProviderHealth(service, { getKey, probe: validateKeyLive, timeoutMs: request.query.timeout_ms });
        return { ...report, breakers: report.breakers.map((b) => ({ ...b })) };
      },
    );
  };
}
