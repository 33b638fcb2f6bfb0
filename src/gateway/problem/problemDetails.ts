import { STATUS_CODES } from 'node:http';
import type { LocalAgentError } from '../../core/errors/index.js';
import type { Redactor } from '../../core/redact/index.js';
import { httpStatusOf } from './httpStatusOf.js';

/** The media type of every error response (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** An RFC 9457 problem document, with LocalAgent's extension members. */
export interface ProblemDetails {
  /** `urn:localagent:error:<code>`: stable per code; docs/errors.md explains each. */
  type: string;
  /** The HTTP status phrase. */
  title: string;
  status: number;
  /** What went wrong, for a person (secrets removed). */
  detail: string;
  /** The `LA_…` code. */
  code: string;
  /** The request id (also in the `X-Request-Id` header and the server's log lines). */
  instance: string;
  category: string;
  /** What to do about it. */
  suggestion: string;
  /** Secret-free facts: the problems in a plan, the fields of a request that failed validation. */
  details?: Record<string, unknown>;
}

/** The problem document for an error, redacted. */
export function problemDetails(error: LocalAgentError, requestId: string, redactor: Redactor): ProblemDetails {
  const status = httpStatusOf(error);
  const details = Object.keys(error.details).length > 0 ? (redactor.value(error.details) as Record<string, unknown>) : undefined;
  return {
    type: `urn:localagent:error:${error.code}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: redactor.text(error.message),
    code: error.code,
    instance: requestId,
    category: error.category,
    suggestion: redactor.text(error.suggestion),
    ...(details ? { details } : {}),
  };
}
