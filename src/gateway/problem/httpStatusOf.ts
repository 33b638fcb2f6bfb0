import {
  ApprovalRequiredError,
  ConfigurationError,
  PlanError,
  PolicyDeniedError,
  ProviderError,
  type LocalAgentError,
} from '../../core/errors/index.js';

/** Codes whose HTTP status is not implied by their class or category. */
const BY_CODE: Readonly<Record<string, number>> = {
  LA_AUTH_REQUIRED: 401,
  LA_AUTH_INVALID: 401,
  LA_TOKEN_EXPIRED: 401,
  LA_API_FORBIDDEN: 403,
  LA_ROUTE_NOT_FOUND: 404,
  LA_RUN_NOT_FOUND: 404,
  LA_TOKEN_NOT_FOUND: 404,
  LA_KEY_NOT_FOUND: 404,
  LA_MODEL_UNKNOWN: 404,
  LA_PLAN_NOT_FOUND: 404,
  LA_ARCHIVE_TASK_NOT_FOUND: 404,
  LA_REQUEST_TIMEOUT: 408,
  LA_RUN_BUSY: 409,
  LA_TASK_NOT_WAITING: 409,
  LA_RUN_CANCEL_PENDING: 409,
  LA_TOKEN_NAME_TAKEN: 409,
  LA_ARCHIVE_RUN_NOT_FINISHED: 409,
  LA_BODY_TOO_LARGE: 413,
  LA_INPUT_TOO_LARGE: 413,
  LA_FILE_TOO_LARGE: 413,
  LA_UNSUPPORTED_MEDIA_TYPE: 415,
  LA_NO_CAPABLE_MODEL: 422,
  LA_BUDGET_EXCEEDED: 422,
  LA_RATE_LIMITED: 429,
  LA_TOO_MANY_STREAMS: 429,
  LA_PROVIDER_RATE_LIMITED: 429,
  LA_NETWORK: 502,
  LA_ALL_MODELS_FAILED: 502,
  LA_PROVIDER_UNAVAILABLE: 503,
  LA_CIRCUIT_OPEN: 503,
  LA_DB_LOCKED: 503,
  // The server was started without the vault's master password: its operator must act, not the client.
  LA_MASTER_PASSWORD_REQUIRED: 503,
  LA_VAULT_BAD_PASSWORD: 503,
  LA_TIMEOUT: 504,
  LA_FIRST_TOKEN_TIMEOUT: 504,
};

/**
 * The one place a LocalAgentError becomes an HTTP status: its code when listed above, otherwise
 * its class (policy 403, approval 409, plan 422, provider 502), otherwise its category (user 400,
 * transient 503, permanent and system 500).
 */
export function httpStatusOf(error: LocalAgentError): number {
  const byCode = BY_CODE[error.code];
  if (byCode !== undefined) return byCode;
  if (error instanceof PolicyDeniedError) return 403;
  if (error instanceof ApprovalRequiredError) return 409;
  if (error instanceof PlanError) return 422;
  if (error instanceof ProviderError) return error.category === 'transient' ? 503 : 502;
  // A bad server configuration is the operator's to fix, not the client's.
  if (error instanceof ConfigurationError) return 500;
  switch (error.category) {
    case 'user':
      return 400;
    case 'transient':
      return 503;
    default:
      return 500;
  }
}
