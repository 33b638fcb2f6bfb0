import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from './RouteContext.js';
import { withProblems } from './schemas.js';

/** `/healthz` (is the process up; no token), `/readyz` (can it serve: database and policy), `/metrics` (Prometheus). */
export function healthRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      '/healthz',
      {
        config: { action: 'public' },
        schema: { summary: 'Liveness: the process answers', tags: ['health'], security: [], response: { 200: z.object({ status: z.literal('ok') }) } },
      },
      async () => ({ status: 'ok' as const }),
    );

    server.get(
      '/readyz',
      {
        config: { action: 'api.health.read' },
        schema: {
          summary: 'Readiness: the database and the policy can be used',
          tags: ['health'],
          response: withProblems({ 200: z.object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.string()) }), 503: z.object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.string()) }) }),
        },
      },
      async (_request, reply) => {
        const checks: Record<string, string> = {};
        const check = async (name: string, probe: () => Promise<unknown>): Promise<void> => {
          try {
            await probe();
            checks[name] = 'ok';
          } catch (error) {
            checks[name] = (error as { code?: string }).code ?? 'failed';
          }
        };
        await Promise.all([
          check('database', async () => (await ctx.runner()).store.listRuns({ limit: 1 })),
          check('policy', () => ctx.app.policy()),
        ]);
        const ok = Object.values(checks).every((c) => c === 'ok');
        return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
      },
    );

    server.get(
      '/metrics',
      { config: { action: 'api.metrics.read' }, schema: { summary: 'Prometheus metrics (text exposition)', tags: ['health'], produces: ['text/plain'] } },
      async (_request, reply) => {
        const text = await ctx.app.metrics.render();
        return reply.type(ctx.app.metrics.registry.contentType).send(text);
      },
    );
  };
}
