import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from './RouteContext.js';
import { withProblems } from './schemas.js';

const checkSchema = z.strictObject({
  principal: z
    .strictObject({ type: z.enum(['Agent', 'User', 'Token']), id: z.string().min(1).max(256), roles: z.array(z.enum(['viewer', 'operator', 'admin'])).optional() })
    .default({ type: 'Agent', id: 'api-check' })
    .describe('Who would act; default an agent running a plan.'),
  action: z.string().regex(/^[a-z][a-z0-9_.]{0,99}$/).describe('`fs.write`, `shell.exec`, `http.request`, `api.runs.start`, …'),
  resource: z.string().min(1).max(4096).describe('A path, a command line, a URL, a model id, a run.'),
  context: z
    .record(z.string().regex(/^[a-z_]{1,64}$/), z.union([z.string().max(4096), z.number(), z.boolean(), z.array(z.string().max(4096)).max(1000)]))
    .default({})
    .describe('Facts the caller knows: `workspace`, `argv`, `cwd`, `method`, `approved`, …'),
});

const decisionSchema = z.object({ effect: z.enum(['allow', 'deny', 'approve']), reason: z.string(), rules: z.array(z.string()) });

/** `GET /v1/policies` (the policy set in force) and `POST /v1/policies/check` (what it would decide, and why). */
export function policyRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      '/v1/policies',
      {
        config: { action: 'api.policies.read' },
        schema: {
          summary: 'The Cedar policies in force: defaults and the home\'s policies/*.cedar',
          tags: ['policies'],
          response: withProblems({
            200: z.object({
              sha256: z.string(),
              sources: z.array(z.object({ file: z.string(), origin: z.string(), sha256: z.string() })),
              policies: z.array(z.object({ id: z.string(), effect: z.string(), reason: z.string().nullable(), source: z.string(), origin: z.string(), line: z.number(), replaces: z.string().optional(), text: z.string() })),
              warnings: z.array(z.string()),
            }),
          }),
        },
      },
      async () => {
        const set = (await ctx.app.policy()).policySet;
        return {
          sha256: set.sha256,
          sources: set.sources.map((s) => ({ file: s.file, origin: s.origin, sha256: s.sha256 })),
          policies: set.policies.map((p) => ({ id: p.id, effect: p.effect, reason: p.reason ?? null, source: p.source, origin: p.origin, line: p.position.line, ...(p.replaces ? { replaces: p.replaces } : {}), text: p.text })),
          warnings: [...set.warnings],
        };
      },
    );

    server.post(
      '/v1/policies/check',
      {
        config: { action: 'api.policies.check' },
        schema: {
          summary: 'What the policy would decide for a request, with the facts Cedar saw and the policies that decided',
          tags: ['policies'],
          body: checkSchema,
          response: withProblems({
            200: z.object({
              decision: decisionSchema,
              cedar: z.object({ principal: z.string(), action: z.string(), resource: z.string(), context: z.record(z.string(), z.unknown()) }),
              policies: z.array(z.object({ id: z.string(), source: z.string(), line: z.number() })),
            }),
          }),
        },
      },
      async (request) => {
        const explained = (await ctx.app.policy()).explain(request.body);
        return {
          decision: { effect: explained.decision.effect, reason: explained.decision.reason, rules: explained.decision.rules ?? [] },
          cedar: explained.cedar,
          policies: explained.policies.map((p) => ({ id: p.id, source: p.source, line: p.position.line })),
        };
      },
    );
  };
}
