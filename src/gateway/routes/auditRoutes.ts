import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from './RouteContext.js';
import { withProblems } from './schemas.js';

const querySchema = z.strictObject({
  since: z.iso.datetime({ offset: true }).optional().describe('Only entries at or after this time (ISO-8601).'),
  category: z.string().regex(/^[a-z_.-]{1,100}$/).optional().describe('Only this category: `auth`, `token`, `policy`, `approval`…'),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('The newest this many entries.'),
});

/** `GET /v1/audit`: the newest entries of the hash-chained security audit log. */
export function auditRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      '/v1/audit',
      {
        config: { action: 'api.audit.read' },
        schema: {
          summary: 'The newest entries of the security audit log (denials, approvals, tokens, key use), oldest first',
          tags: ['audit'],
          querystring: querySchema,
          response: withProblems({ 200: z.object({ entries: z.array(z.looseObject({ seq: z.number(), time: z.string(), category: z.string(), action: z.string(), outcome: z.string() })) }) }),
        },
      },
      async (request) => {
        const { since, category, limit } = request.query;
        const log = await ctx.app.securityAudit();
        const newest: unknown[] = [];
        for await (const entry of log.read(since ? { since } : {})) {
          if (category !== undefined && entry.category !== category) continue;
          newest.push(entry);
          if (newest.length > limit) newest.shift();
        }
        return { entries: newest as { seq: number; time: string; category: string; action: string; outcome: string }[] };
      },
    );
  };
}
