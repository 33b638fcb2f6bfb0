import { InternalError, LocalAgentError } from '../../core/errors/index.js';
import { bodyTooLarge, requestInvalid, unsupportedMediaType } from '../errors.js';

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: { instancePath?: string; message?: string; keyword?: string }[];
  validationContext?: string;
}

/** `/messages/0/role` → `messages[0].role`, as plan problems write paths. */
function fieldPath(context: string | undefined, instancePath: string | undefined): string {
  const parts = (instancePath ?? '').split('/').filter(Boolean);
  let text = context ?? '';
  for (const part of parts) text += /^\d+$/.test(part) ? `[${part}]` : `${text === '' ? '' : '.'}${part}`;
  return text;
}

/**
 * Whatever a route, hook or Fastify itself threw, as a LocalAgentError: ours as they are; Fastify's
 * validation, JSON, media-type and size errors as 4xx errors with their own codes; anything else
 * as LA_INTERNAL (the original stays in the cause, for the log only).
 */
export function fromFastifyError(thrown: unknown, bodyLimit: number): LocalAgentError {
  if (thrown instanceof LocalAgentError) return thrown;
  const error = (thrown ?? {}) as FastifyLikeError;
  if (Array.isArray(error.validation) && error.validation.length > 0) {
    const problems = error.validation.slice(0, 20).map((issue) => ({ field: fieldPath(error.validationContext, issue.instancePath), message: issue.message ?? 'is not valid' }));
    const summary = problems.map((p) => `${p.field || error.validationContext || 'request'}: ${p.message}`).join('; ');
    return requestInvalid(`The request is not valid: ${summary}.`, { problems });
  }
  // (JSON bodies are parsed by parseJsonBody, which throws LocalAgentErrors of its own.)
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return bodyTooLarge(bodyLimit);
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return unsupportedMediaType(undefined);
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return requestInvalid(`The request cannot be handled: ${(error.message ?? 'bad request').slice(0, 200)}.`);
  }
  // Not ours and not the client's: a bug. The client gets no internals; the log gets the cause.
  return new InternalError({ message: 'The server failed while handling the request.', cause: thrown });
}
