import { describe, expect, it } from 'vitest';
import {
  ApprovalRequiredError,
  AuthenticationError,
  ConfigurationError,
  InternalError,
  LocalAgentError,
  NetworkError,
  PlanError,
  PolicyDeniedError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitError,
  SecretStoreError,
  StorageError,
  TimeoutError,
  UsageError,
  UserInputError,
  isTransient,
  toLocalAgentError,
} from './index.js';

describe('error hierarchy', () => {
  const cases = [
    [ConfigurationError, 'LA_CONFIG_INVALID', 'user', 1],
    [UserInputError, 'LA_INPUT_INVALID', 'user', 1],
    [UsageError, 'LA_USAGE', 'user', 2],
    [ProviderError, 'LA_PROVIDER_ERROR', 'permanent', 1],
    [AuthenticationError, 'LA_PROVIDER_AUTH', 'permanent', 1],
    [RateLimitError, 'LA_PROVIDER_RATE_LIMITED', 'transient', 1],
    [NetworkError, 'LA_NETWORK', 'transient', 1],
    [TimeoutError, 'LA_TIMEOUT', 'transient', 1],
    [ProviderUnavailableError, 'LA_PROVIDER_UNAVAILABLE', 'transient', 1],
    [PolicyDeniedError, 'LA_POLICY_DENIED', 'permanent', 3],
    [ApprovalRequiredError, 'LA_APPROVAL_REQUIRED', 'user', 4],
    [PlanError, 'LA_PLAN_INVALID', 'user', 1],
    [StorageError, 'LA_STORAGE', 'system', 1],
    [SecretStoreError, 'LA_SECRET_STORE', 'system', 1],
    [InternalError, 'LA_INTERNAL', 'system', 1],
  ] as const;

  it.each(cases)('%o has a stable code, a category, a suggestion and an exit code', (Ctor, code, category, exitCode) => {
    const error = new Ctor({ message: 'Something a person can read.' });
    expect(error).toBeInstanceOf(LocalAgentError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(Ctor.name);
    expect(error.code).toBe(code);
    expect(error.category).toBe(category);
    expect(error.suggestion.length).toBeGreaterThan(10);
    expect(error.exitCode).toBe(exitCode);
    expect(error.retryable).toBe(category === 'transient');
  });

  it('keeps provider errors under ProviderError', () => {
    for (const Ctor of [AuthenticationError, RateLimitError, NetworkError, TimeoutError, ProviderUnavailableError]) {
      expect(new Ctor({ message: 'x' })).toBeInstanceOf(ProviderError);
    }
    expect(new UsageError({ message: 'x' })).toBeInstanceOf(UserInputError);
  });

  it('chains the cause and lets a specific code and suggestion override the defaults', () => {
    const root = new Error('ECONNRESET');
    const error = new NetworkError({ code: 'LA_NETWORK', message: 'The connection dropped.', suggestion: 'Retry.', cause: root, provider: 'openai', status: 502 });
    expect(error.cause).toBe(root);
    expect(error.suggestion).toBe('Retry.');
    expect(error.provider).toBe('openai');
    expect(error.toJSON()).toEqual({
      code: 'LA_NETWORK',
      category: 'transient',
      message: 'The connection dropped.',
      suggestion: 'Retry.',
      details: { provider: 'openai', status: 502 },
    });
  });

  it('carries Retry-After on rate limits', () => {
    const error = new RateLimitError({ message: 'Slow down.', retryAfterMs: 2000 });
    expect(error.retryAfterMs).toBe(2000);
    expect(error.details.retry_after_ms).toBe(2000);
  });

  it('omits empty details from JSON', () => {
    expect(new PlanError({ message: 'x' }).toJSON()).not.toHaveProperty('details');
  });

  it('wraps anything else as an internal error that still explains itself', () => {
    const wrapped = toLocalAgentError(new TypeError('boom'));
    expect(wrapped).toBeInstanceOf(InternalError);
    expect(wrapped.message).toBe('Unexpected error: boom');
    expect(wrapped.cause).toBeInstanceOf(TypeError);
    expect(toLocalAgentError('text').message).toBe('Unexpected error: text');
    const own = new PlanError({ message: 'x' });
    expect(toLocalAgentError(own)).toBe(own);
  });

  it('treats only transient LocalAgent errors as transient', () => {
    expect(isTransient(new TimeoutError({ message: 'x' }))).toBe(true);
    expect(isTransient(new AuthenticationError({ message: 'x' }))).toBe(false);
    expect(isTransient(new Error('x'))).toBe(false);
    expect(isTransient(new AuthenticationError({ message: 'x', category: 'transient' }))).toBe(true);
  });
});
