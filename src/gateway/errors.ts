import { LocalAgentError, PolicyDeniedError, UserInputError, type ErrorCategory } from '../core/errors/index.js';

/** A request without credentials, or with credentials that do not check out. */
export class ApiAuthError extends LocalAgentError {
  static override readonly defaultCode: string = 'LA_AUTH_REQUIRED';
  static override readonly defaultCategory: ErrorCategory = 'user';
  static override readonly defaultSuggestion: string =
    'Send `Authorization: Bearer <token>`; create a token with `localagent token create --name <name> --role viewer`.';
}

/** No `Authorization` header (or another scheme than Bearer). */
export function authRequired(): ApiAuthError {
  return new ApiAuthError({ message: 'This endpoint needs an API token.' });
}

/** A token that is malformed, unknown or revoked: the client learns no more than that. */
export function authInvalid(): ApiAuthError {
  return new ApiAuthError({
    code: 'LA_AUTH_INVALID',
    message: 'The API token is not valid: it is malformed, unknown or revoked.',
    suggestion: 'Check the token (`localagent token list` shows which exist), or create a new one with `localagent token create`.',
  });
}

export function tokenExpired(expiredAt: string): ApiAuthError {
  return new ApiAuthError({
    code: 'LA_TOKEN_EXPIRED',
    message: `The API token expired at ${expiredAt}.`,
    suggestion: 'Create a new token with `localagent token create --name <name> --role <role> [--expires 30d]`.',
    details: { expired_at: expiredAt },
  });
}

/** The token is valid but its role may not do this (the policy said no). */
export function forbidden(action: string, role: string, reason: string): PolicyDeniedError {
  return new PolicyDeniedError({
    code: 'LA_API_FORBIDDEN',
    message: `A ${role} token may not do this (${action}): ${reason}`,
    suggestion: 'Use a token with a role that may (viewer reads; operator runs and approves; admin manages keys, tokens and policies).',
    details: { action, role },
  });
}

/** Too many requests for one token (or one address, before authentication). */
export function rateLimited(retryAfterS: number, max: number, windowText: string): UserInputError {
  return new UserInputError({
    code: 'LA_RATE_LIMITED',
    category: 'transient',
    message: `Too many requests: at most ${max} per ${windowText} for one token.`,
    suggestion: `Wait ${retryAfterS} s (the Retry-After header says when), or raise server.rate_limit in the config.`,
    details: { retry_after_s: retryAfterS, limit: max },
  });
}

/** A request the server cannot read: malformed JSON, wrong types, unknown fields, bad ids. */
export function requestInvalid(message: string, details: Record<string, unknown> = {}): UserInputError {
  return new UserInputError({
    code: 'LA_REQUEST_INVALID',
    message,
    suggestion: 'Fix the request as described; the API is documented at /docs (OpenAPI at /openapi.json).',
    details,
  });
}

export function bodyTooLarge(limit: number): UserInputError {
  return new UserInputError({
    code: 'LA_BODY_TOO_LARGE',
    message: `The request body is larger than ${limit} bytes.`,
    suggestion: 'Send less, or raise server.body_limit_bytes in the config.',
    details: { limit },
  });
}

export function unsupportedMediaType(contentType: string | undefined): UserInputError {
  return new UserInputError({
    code: 'LA_UNSUPPORTED_MEDIA_TYPE',
    message: `The body must be JSON (Content-Type: application/json), not ${contentType ? `"${contentType.slice(0, 100)}"` : 'untyped'}.`,
    suggestion: 'Send the body as JSON with `Content-Type: application/json`.',
  });
}

export function routeNotFound(method: string, url: string): UserInputError {
  return new UserInputError({
    code: 'LA_ROUTE_NOT_FOUND',
    message: `There is no ${method} ${url.split('?')[0]?.slice(0, 200) ?? ''} in this API.`,
    suggestion: 'See the routes at /docs (OpenAPI at /openapi.json).',
  });
}

export function requestTimeout(): UserInputError {
  return new UserInputError({
    code: 'LA_REQUEST_TIMEOUT',
    message: 'The request took too long to arrive.',
    suggestion: 'Send the whole request promptly; slow or stalled uploads are cut off.',
  });
}
