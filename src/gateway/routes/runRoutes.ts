import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { UserInputError } from '../../core/errors/index.js';
import type { LastResult } from '../../formats/index.js';
import type { RunHandle } from '../../runner/index.js';
import type { RunSummary } from '../../store/index.js';
import { principalLabel } from '../auth/Principal.js';
import { EventStreamSlots } from '../sse/EventStreamSlots.js';
import type { RouteContext } from './RouteContext.js';
import { lastResultSchema, plainJson, runParamsSchema, runSummarySchema, taskParamsSchema, withProblems } from './schemas.js';

const RUN_STATUSES = ['pending', 'running', 'waiting_approval', 'success', 'partial', 'failure', 'cancelled'] as const;

const startSchema = z
  .strictObject({
    plan: z.record(z.string(), z.unknown()).optional().describe('A plan (.alt) as a JSON object.'),
    command: z.string().min(1).max(100_000).optional().describe('Or a command in plain words, planned by the rules planner and run.'),
    inputs: z.record(z.string(), z.unknown()).optional().describe('Values for the plan\'s inputs.'),
    concurrency: z.number().int().min(1).max(1024).optional(),
    wait: z.boolean().default(false).describe('Answer when the run ends or pauses (200, the .last), instead of at once (202).'),
  })
  .refine((body) => (body.plan === undefined) !== (body.command === undefined), { message: 'give exactly one of plan and command' });

const waitSchema = z.strictObject({ wait: z.boolean().default(false).describe('Answer when the run ends or pauses, with its .last.') }).nullish();

const acceptedSchema = z.object({ run_id: z.string(), status: z.string(), result_url: z.string(), events_url: z.string() });
const listQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  status: z.enum(RUN_STATUSES).optional(),
});

function summaryOf(run: RunSummary): z.infer<typeof runSummarySchema> {
  return { run_id: run.id, status: run.status, title: run.title, plan_id: run.planId, created_at: run.createdAt, updated_at: run.updatedAt };
}

/**
 * Runs: start (a plan or a command), list, read the `.last`, cancel, resume, approve and deny a
 * task that waits for a person. Runs go on in the server after the request: a `202` says where to
 * read the result and follow the events; `wait: true` answers with the `.last` once the run ends
 * or pauses.
 */
export function runRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  const { per_token: perPrincipal, total } = ctx.app.config.server.event_streams;
  const streams = new EventStreamSlots({ perPrincipal, total });
  /** Answers for a run that was started or continued: its `.last` when asked to wait, else where to follow it. */
  const answer = async (reply: FastifyReply, handle: RunHandle, wait: boolean | undefined): Promise<LastResult | z.infer<typeof acceptedSchema>> => {
    // A run that fails after the answer went out is in its .last and the log; it must not surface as an unhandled rejection.
    handle.done.catch((error: unknown) => ctx.app.logger.error({ error, run_id: handle.runId }, 'A run started over the API stopped with an error.'));
    if (wait) {
      reply.code(200);
      return handle.done;
    }
    reply.code(202);
    return { run_id: handle.runId, status: 'running', result_url: `/v1/runs/${handle.runId}`, events_url: `/v1/runs/${handle.runId}/events` };
  };

  return async (server) => {
    server.post(
      '/v1/runs',
      {
        config: { action: 'api.runs.start' },
        schema: { summary: 'Start a run of a plan or a command', tags: ['runs'], body: startSchema, response: withProblems({ 200: lastResultSchema, 202: acceptedSchema }) },
      },
      async (request, reply) => {
        const body = request.body;
        let plan: unknown = body.plan;
        if (body.command !== undefined) {
          const { planWithRules } = await import('../../segmentation/index.js');
          plan = planWithRules(body.command);
        }
        const { runner } = await ctx.runner();
        const handle = await runner.start(plan as Parameters<typeof runner.start>[0], {
          workspace: ctx.workspace,
          ...(body.inputs ? { inputs: body.inputs } : {}),
          ...(body.concurrency ? { concurrency: body.concurrency } : {}),
        });
        return answer(reply, handle, body.wait);
      },
    );

    server.get(
      '/v1/runs',
      {
        config: { action: 'api.runs.list' },
        serializerCompiler: plainJson,
        schema: { summary: 'Recent runs, newest first', tags: ['runs'], querystring: listQuerySchema, response: withProblems({ 200: z.object({ runs: z.array(runSummarySchema) }) }) },
      },
      async (request) => {
        const { store } = await ctx.runner();
        const runs = await store.listRuns({ limit: request.query.limit, ...(request.query.status ? { status: request.query.status } : {}) });
        return { runs: runs.map(summaryOf) };
      },
    );

    server.get(
      '/v1/runs/:id',
      {
        config: { action: 'api.runs.get' },
        schema: {
          summary: "A run's result (.last); a run without one yet answers with its summary",
          tags: ['runs'],
          params: runParamsSchema,
          response: withProblems({ 200: z.union([lastResultSchema, runSummarySchema]) }),
        },
      },
      async (request) => {
        const { runner, store } = await ctx.runner();
        const last = await runner.result(request.params.id);
        if (last) return last;
        const run = await store.getRun(request.params.id);
        if (!run) {
          const { runNotFound } = await import('../../store/index.js');
          throw runNotFound(request.params.id);
        }
        return summaryOf(run);
      },
    );

    server.post(
      '/v1/runs/:id/cancel',
      {
        config: { action: 'api.runs.cancel' },
        schema: { summary: 'Cancel a run: nothing new starts, running tasks are stopped', tags: ['runs'], params: runParamsSchema, response: withProblems({ 200: lastResultSchema }) },
      },
      async (request): Promise<LastResult> => {
        const { runner } = await ctx.runner();
        return runner.cancel(request.params.id, `cancelled over the API by ${principalLabel(request.principal)}`);
      },
    );

    server.post(
      '/v1/runs/:id/resume',
      {
        config: { action: 'api.runs.resume' },
        schema: {
          summary: 'Continue a run after a crash or pause',
          tags: ['runs'],
          params: runParamsSchema,
          body: waitSchema,
          response: withProblems({ 200: lastResultSchema, 202: acceptedSchema }),
        },
      },
      async (request, reply) => {
        const { runner } = await ctx.runner();
        return answer(reply, await runner.resume(request.params.id), request.body?.wait);
      },
    );

    for (const decision of ['approve', 'deny'] as const) {
      server.post(
        `/v1/runs/:id/tasks/:task/${decision}`,
        {
          config: { action: `api.runs.${decision}` },
          schema: {
            summary: decision === 'approve' ? 'Approve a task that waits for a person; the run continues' : 'Deny a task that waits for a person (it fails); the run continues',
            tags: ['runs'],
            params: taskParamsSchema,
            body: waitSchema,
            response: withProblems({ 200: lastResultSchema, 202: acceptedSchema }),
          },
        },
        async (request, reply) => {
          const { runner } = await ctx.runner();
          const by = principalLabel(request.principal);
          const { id, task } = request.params;
          const handle = decision === 'approve' ? await runner.approve(id, task, by) : await runner.deny(id, task, by);
          return answer(reply, handle, request.body?.wait);
        },
      );
    }

    server.get(
      '/v1/runs/:id/events',
      {
        config: { action: 'api.runs.events' },
        schema: {
          summary: "Server-sent events: every state change of the run, from the start or after Last-Event-ID; the stream ends when the run finishes",
          tags: ['runs'],
          params: runParamsSchema,
          headers: z.looseObject({ 'last-event-id': z.string().regex(/^\d{1,15}$/, 'the id of the last event received (a whole number)').optional() }),
          produces: ['text/event-stream'],
        },
      },
      async (request, reply) => {
        const { store } = await ctx.runner();
        const runId = request.params.id;
        if (!(await store.getRun(runId))) {
          const { runNotFound } = await import('../../store/index.js');
          throw runNotFound(runId);
        }
        const header = request.headers['last-event-id'];
        const afterSeq = typeof header === 'string' ? Number(header) : 0;
        if (!Number.isSafeInteger(afterSeq)) throw new UserInputError({ code: 'LA_REQUEST_INVALID', message: 'Last-Event-ID must be a whole number.' });
        const { streamRunEvents } = await import('../sse/streamRunEvents.js');
        const release = streams.acquire(request.principal ? `${request.principal.type}:${request.principal.id}` : request.ip);
        reply.hijack();
        try {
          await streamRunEvents(reply.raw, { runId, afterSeq, store, hub: ctx.hub, redactor: ctx.app.redactor, headers: ctx.rawHeaders(reply), ...ctx.events });
        } finally {
          release();
        }
      },
    );
  };
}
