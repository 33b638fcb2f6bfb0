import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Archive } from '../../archive/index.js';
import { principalLabel } from '../auth/Principal.js';
import type { RouteContext } from './RouteContext.js';
import { runParamsSchema, taskIdSchema, withProblems } from './schemas.js';

const STATUSES = ['success', 'partial', 'failure', 'cancelled'] as const;
const timeSpec = z.string().min(1).max(40).describe('An age (`30d`, `12h`, `2w`) or a date (`2026-01-31`).');

const hitSchema = z.object({
  run_id: z.string(),
  title: z.string(),
  command: z.string().nullable(),
  status: z.string(),
  finished_at: z.string(),
  success_rate: z.number(),
  tasks: z.number(),
  failed: z.number(),
  cost_usd: z.number(),
});

/** The archive, with finished runs nobody archived yet caught up first (so what is answered is complete). */
async function caughtUp(ctx: RouteContext): Promise<Archive> {
  const archive = await ctx.archive();
  await archive.ingestPending();
  return archive;
}

/** `GET /v1/archive/search`, `GET /v1/archive/stats` and `POST /v1/runs/{id}/feedback`. */
export function archiveRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      '/v1/archive/search',
      {
        config: { action: 'api.archive.search' },
        schema: {
          summary: 'Finished runs matching a query (docs/archive.md for the syntax), newest first',
          tags: ['archive'],
          querystring: z.strictObject({
            q: z.string().max(1000).default('').describe('Words, "phrases", field:value (title:, command:, output:, error:, model:, kind:).'),
            status: z.enum(STATUSES).optional(),
            since: timeSpec.optional(),
            model: z.string().max(128).optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(20),
          }),
          response: withProblems({ 200: z.object({ hits: z.array(hitSchema) }) }),
        },
      },
      async (request) => {
        const { q, status, since, model, limit } = request.query;
        const { cutoffOf } = await import('../../archive/index.js');
        const archive = await caughtUp(ctx);
        const hits = await archive.search(q, { limit, ...(status ? { status: [status] } : {}), ...(model ? { model } : {}), ...(since ? { since: cutoffOf('since', since, Date.now()) } : {}) });
        return { hits };
      },
    );

    server.get(
      '/v1/archive/stats',
      {
        config: { action: 'api.archive.stats' },
        schema: {
          summary: 'Success rate, latency percentiles, tokens, cost and ratings per model, task kind, plan or day',
          tags: ['archive'],
          querystring: z.strictObject({ by: z.enum(['model', 'kind', 'plan', 'day']).default('model'), since: timeSpec.optional() }),
          response: withProblems({ 200: z.object({ by: z.string(), unit: z.string(), since: z.string().optional(), rows: z.array(z.looseObject({ count: z.number() })) }) }),
        },
      },
      async (request) => {
        const { by, since } = request.query;
        const { cutoffOf } = await import('../../archive/index.js');
        const report = await (await caughtUp(ctx)).statistics(by, since ? { since: cutoffOf('since', since, Date.now()) } : {});
        return { ...report, rows: report.rows.map((row) => ({ ...row })) };
      },
    );

    server.post(
      '/v1/runs/:id/feedback',
      {
        config: { action: 'api.runs.feedback' },
        schema: {
          summary: "Rate a finished run (or one of its tasks) from 1 to 5; statistics and model selection take it into account",
          tags: ['archive', 'runs'],
          params: runParamsSchema,
          body: z.strictObject({ rating: z.number().int().min(1).max(5), comment: z.string().max(10_000).optional(), task: taskIdSchema.optional() }),
          response: withProblems({ 200: z.object({ run_id: z.string(), ratings: z.number(), mean_rating: z.number(), record: z.record(z.string(), z.unknown()) }) }),
        },
      },
      async (request) => {
        const { rating, comment, task } = request.body;
        const updated = await (await ctx.archive()).feedback(request.params.id, { rating, comment, task, by: principalLabel(request.principal) });
        const ratings = updated.record.feedback.map((f) => f.rating);
        return { run_id: request.params.id, ratings: ratings.length, mean_rating: ratings.reduce((s, r) => s + r, 0) / Math.max(1, ratings.length), record: updated.record as unknown as Record<string, unknown> };
      },
    );
  };
}
