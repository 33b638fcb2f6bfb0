import type { FastifyReply } from 'fastify';
import type { LocalAgentError } from '../../core/errors/index.js';
import type { Redactor } from '../../core/redact/index.js';
import { PROBLEM_CONTENT_TYPE, problemDetails, type ProblemDetails } from './problemDetails.js';

/** OpenAI clients read `error.message`; the OpenAI-compatible routes add that member too. */
function openAiError(problem: ProblemDetails): Record<string, unknown> {
  const type = problem.status === 401 ? 'authentication_error' : problem.status === 403 ? 'permission_error' : problem.status === 429 ? 'rate_limit_error' : problem.status < 500 ? 'invalid_request_error' : 'server_error';
  return { error: { message: problem.detail, type, param: null, code: problem.code } };
}

/** Answers with the error as `application/problem+json`, plus `Retry-After` when the client should wait. */
export function sendProblem(reply: FastifyReply, error: LocalAgentError, redactor: Redactor, options: { openAi?: boolean } = {}): FastifyReply {
  const problem = problemDetails(error, String(reply.request.id), redactor);
  const retryAfterS = error.details.retry_after_s ?? (typeof error.details.retry_after_ms === 'number' ? Math.ceil(error.details.retry_after_ms / 1000) : undefined);
  if (typeof retryAfterS === 'number' && (problem.status === 429 || problem.status === 503)) reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterS))));
  const body = options.openAi ? { ...problem, ...openAiError(problem) } : problem;
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}
