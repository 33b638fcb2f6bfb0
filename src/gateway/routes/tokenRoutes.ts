import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiTokenRecord } from '../auth/TokenStore.js';
import { parseLifetime } from '../auth/parseLifetime.js';
import { principalLabel } from '../auth/Principal.js';
import type { RouteContext } from './RouteContext.js';
import { withProblems } from './schemas.js';

const recordSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(['viewer', 'operator', 'admin']),
  created_at: z.string(),
  created_by: z.string(),
  expires_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
});

export function tokenJson(record: ApiTokenRecord): z.infer<typeof recordSchema> {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    created_at: record.createdAt,
    created_by: record.createdBy,
    expires_at: record.expiresAt,
    revoked_at: record.revokedAt,
    last_used_at: record.lastUsedAt,
  };
}

/** API tokens: list, create (the token is in the answer, once), revoke. Admin only. */
export function tokenRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  const audit = async (action: string, actor: string, record: ApiTokenRecord): Promise<void> => {
    await (await ctx.app.securityAudit()).append({ category: 'token', action, outcome: 'success', actor, subject: `token:${record.id}`, token_name: record.name, role: record.role });
  };

  return async (server) => {
    server.get(
      '/v1/tokens',
      {
        config: { action: 'api.tokens.list' },
        schema: {
          summary: 'API tokens (never the tokens themselves)',
          tags: ['tokens'],
          querystring: z.strictObject({ include_revoked: z.enum(['true', 'false']).default('false') }),
          response: withProblems({ 200: z.object({ tokens: z.array(recordSchema) }) }),
        },
      },
      async (request) => ({ tokens: (await (await ctx.app.tokens()).list({ includeRevoked: request.query.include_revoked === 'true' })).map(tokenJson) }),
    );

    server.post(
      '/v1/tokens',
      {
        config: { action: 'api.tokens.create' },
        schema: {
          summary: 'Create a token; the answer holds it, and it is never shown again',
          tags: ['tokens'],
          body: z.strictObject({ name: z.string().min(1).max(100), role: z.enum(['viewer', 'operator', 'admin']), expires: z.string().max(20).optional().describe('90m, 12h, 30d, 8w, 1y; absent: until revoked.') }),
          response: withProblems({ 201: recordSchema.extend({ token: z.string() }) }),
        },
      },
      async (request, reply) => {
        const { name, role, expires } = request.body;
        const created = await (await ctx.app.tokens()).create({ name, role, createdBy: principalLabel(request.principal), ...(expires ? { lifetimeMs: parseLifetime(expires) } : {}) });
        await audit('create', principalLabel(request.principal), created.record);
        reply.code(201);
        return { token: created.token, ...tokenJson(created.record) };
      },
    );

    server.delete(
      '/v1/tokens/:id',
      {
        config: { action: 'api.tokens.revoke' },
        schema: {
          summary: 'Revoke a token (by id or name); it stops working at once',
          tags: ['tokens'],
          params: z.strictObject({ id: z.string().min(1).max(100) }),
          response: withProblems({ 200: recordSchema }),
        },
      },
      async (request) => {
        const revoked = await (await ctx.app.tokens()).revoke(request.params.id);
        await audit('revoke', principalLabel(request.principal), revoked);
        return tokenJson(revoked);
      },
    );
  };
}
