import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toLocalAgentError } from '../../core/errors/index.js';
import type { OrchestratedStreamEvent } from '../../orchestrator/index.js';
import { chatCompletionRequestSchema, toCallRequest } from '../openai/chatCompletionRequest.js';
import { chatCompletion, chunkLine, completionId, finishReasonOf, usageOf } from '../openai/chatCompletionResponse.js';
import { parseModelSelector } from '../openai/modelSelector.js';
import { sendProblem } from '../problem/sendProblem.js';
import type { RouteContext } from './RouteContext.js';
import { plainJson, withProblems } from './schemas.js';

/**
 * `POST /v1/chat/completions` in OpenAI's shapes (JSON and streaming), served by the
 * orchestrator: the official `openai` client pointed at this server works unchanged, and the
 * `model` may be a strategy (`auto`, `fallback:a,b`, `race:a,b`).
 */
export function chatRoutes(ctx: RouteContext, bodyLimit: number): FastifyPluginAsyncZod {
  return async (server) => {
    server.post(
      '/v1/chat/completions',
      {
        bodyLimit,
        config: { action: 'api.ask' },
        serializerCompiler: plainJson,
        schema: {
          summary: 'OpenAI-compatible chat completion (JSON, or server-sent events with stream: true)',
          tags: ['openai'],
          body: chatCompletionRequestSchema,
          response: withProblems({ 200: z.looseObject({ id: z.string(), object: z.literal('chat.completion') }).describe('An OpenAI chat.completion object (or a text/event-stream of chat.completion.chunk objects).') }),
        },
      },
      async (request, reply) => {
        const body = request.body;
        const controller = new AbortController();
        // The client went away before the answer was complete: stop the model call.
        reply.raw.once('close', () => {
          if (!reply.raw.writableFinished) controller.abort();
        });
        const call = toCallRequest(body, controller.signal);
        const { orchestrator, registry } = await ctx.models();
        const selector = parseModelSelector(body.model, (id) => registry.findModel(id) !== undefined);

        if (selector.kind === 'race') {
          const raced = await orchestrator.race(call, selector.models);
          const members = raced.members.map((m) => ({ model: m.model, status: m.status, latency_ms: Math.round(m.latencyMs), cost_usd: m.costUsd, ...(m.errorCode ? { error_code: m.errorCode } : {}) }));
          if (!body.stream) return chatCompletion(raced.result, { strategy: 'race', members, total_cost_usd: raced.totalCostUsd });
          const id = completionId();
          const created = Math.floor(Date.now() / 1000);
          reply.hijack();
          reply.raw.writeHead(200, { ...ctx.rawHeaders(reply), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
          reply.raw.write(chunkLine(id, created, raced.result.model, { delta: { role: 'assistant', content: raced.result.text }, finish_reason: null }));
          reply.raw.write(chunkLine(id, created, raced.result.model, { delta: {}, finish_reason: finishReasonOf(raced.result.finishReason) }));
          if (body.stream_options?.include_usage) reply.raw.write(chunkLine(id, created, raced.result.model, undefined, usageOf(raced.result)));
          reply.raw.end('data: [DONE]\n\n');
          return reply;
        }

        const request_ = { ...call, ...selector.selection };
        if (!body.stream) {
          const outcome = await orchestrator.generate(request_);
          const tried = outcome.tried.map((t) => ({ model: t.model, ok: t.ok, latency_ms: Math.round(t.latencyMs), ...(t.errorCode ? { error_code: t.errorCode } : {}) }));
          return chatCompletion(outcome.result, { strategy: outcome.strategy, tried });
        }

        // The first event is awaited before any header goes out, so a request no model can
        // answer still gets a proper error status instead of a broken stream.
        const events = orchestrator.stream(request_)[Symbol.asyncIterator]();
        const first = await events.next();
        const id = completionId();
        const created = Math.floor(Date.now() / 1000);
        const raw = reply.raw;
        reply.hijack();
        raw.writeHead(200, { ...ctx.rawHeaders(reply), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
        const write = (event: OrchestratedStreamEvent): void => {
          if (event.type === 'text') {
            raw.write(chunkLine(id, created, event.model, { delta: { content: event.text }, finish_reason: null }));
            return;
          }
          raw.write(chunkLine(id, created, event.result.model, { delta: {}, finish_reason: finishReasonOf(event.result.finishReason) }));
          if (body.stream_options?.include_usage) raw.write(chunkLine(id, created, event.result.model, undefined, usageOf(event.result)));
        };
        try {
          if (!first.done) {
            const model = first.value.type === 'text' ? first.value.model : first.value.result.model;
            raw.write(chunkLine(id, created, model, { delta: { role: 'assistant', content: '' }, finish_reason: null }));
            write(first.value);
          }
          for (;;) {
            const next = await events.next();
            if (next.done) break;
            write(next.value);
          }
          raw.end('data: [DONE]\n\n');
        } catch (thrown) {
          // Headers are out: the error goes into the stream, the way OpenAI reports one mid-stream.
          const error = toLocalAgentError(thrown);
          ctx.app.reportError(error);
          if (!raw.destroyed) raw.end(`data: ${JSON.stringify({ error: { message: ctx.app.redactor.text(error.message), type: 'server_error', param: null, code: error.code } })}\n\n`);
        }
        return reply;
      },
    );
    // Errors of this route also carry OpenAI's `error` member, which OpenAI clients read.
    server.setErrorHandler((error, request, reply) => {
      sendProblem(reply, ctx.problemOf(error, request.routeOptions.bodyLimit), ctx.app.redactor, { openAi: true });
    });
  };
}
