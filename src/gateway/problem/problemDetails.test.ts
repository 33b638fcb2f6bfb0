import { describe, expect, it } from 'vitest';
import type {
  LocalAgentError} from '../../core/errors/index.js';
import {
  ApprovalRequiredError,
  CircuitOpenError,
  ConfigurationError,
  InternalError,
  NetworkError,
  PlanError,
  PolicyDeniedError,
  ProviderError,
  RateLimitError,
  StorageError,
  UserInputError,
} from '../../core/errors/index.js';
import { Redactor } from '../../core/redact/index.js';
import { httpStatusOf } from './httpStatusOf.js';
import { problemDetails } from './problemDetails.js';

describe('httpStatusOf', () => {
  it('maps codes, classes and categories to statuses in one place', () => {
    const cases: [LocalAgentError, number][] = [
      [new UserInputError({ code: 'LA_AUTH_REQUIRED', message: 'm' }), 401],
      [new PolicyDeniedError({ code: 'LA_API_FORBIDDEN', message: 'm' }), 403],
      [new PolicyDeniedError({ message: 'm' }), 403],
      [new UserInputError({ code: 'LA_RUN_NOT_FOUND', message: 'm' }), 404],
      [new UserInputError({ code: 'LA_TASK_NOT_WAITING', message: 'm' }), 409],
      [new ApprovalRequiredError({ message: 'm' }), 409],
      [new UserInputError({ code: 'LA_BODY_TOO_LARGE', message: 'm' }), 413],
      [new PlanError({ message: 'm' }), 422],
      [new RateLimitError({ message: 'm' }), 429],
      [new UserInputError({ message: 'm' }), 400],
      [new ProviderError({ message: 'm' }), 502],
      [new NetworkError({ message: 'm' }), 502],
      [new CircuitOpenError({ message: 'm' }), 503],
      [new ProviderError({ code: 'LA_PROVIDER_X', category: 'transient', message: 'm' }), 503],
      [new UserInputError({ code: 'LA_TIMEOUT', message: 'm' }), 504],
      [new ConfigurationError({ message: 'm' }), 500],
      [new StorageError({ message: 'm' }), 500],
      [new StorageError({ category: 'transient', message: 'm' }), 503],
      [new InternalError({ message: 'm' }), 500],
    ];
    for (const [error, status] of cases) expect(httpStatusOf(error), `${error.constructor.name} ${error.code}`).toBe(status);
  });
});

describe('problemDetails', () => {
  it('is an RFC 9457 document with the code, the request id and no secrets', () => {
    const redactor = new Redactor();
    const error = new UserInputError({ code: 'LA_REQUEST_INVALID', message: 'bad key sk-abcdefghijklmnopqrstuvwx', suggestion: 'do not send sk-abcdefghijklmnopqrstuvwx', details: { apiKey: 'hunter2hunter2', field: 'x' } }); // secret-scan: allow (fake value for a test or benchmark)
    const problem = problemDetails(error, 'req-1', redactor);
    expect(problem).toEqual({
      type: 'urn:localagent:error:LA_REQUEST_INVALID',
      title: 'Bad Request',
      status: 400,
      detail: 'bad key [REDACTED]',
      code: 'LA_REQUEST_INVALID',
      instance: 'req-1',
      category: 'user',
      suggestion: 'do not send [REDACTED]',
      details: { apiKey: '[REDACTED]', field: 'x' },
    });
    expect(problemDetails(new InternalError({ message: 'x' }), 'r', redactor)).not.toHaveProperty('details');
  });
});
