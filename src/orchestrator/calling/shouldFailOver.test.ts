import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  CircuitOpenError,
  InternalError,
  NetworkError,
  OperationCancelledError,
  ProviderError,
  RateLimitError,
  TimeoutError,
  UserInputError,
} from '../../core/errors/index.js';
import { shouldFailOver } from './shouldFailOver.js';

describe('shouldFailOver', () => {
  it.each([
    [new TimeoutError({ message: 'x' }), true],
    [new TimeoutError({ code: 'LA_FIRST_TOKEN_TIMEOUT', message: 'x' }), true],
    [new NetworkError({ message: 'x' }), true],
    [new RateLimitError({ message: 'x' }), true],
    [new RateLimitError({ message: 'quota', category: 'permanent' }), true],
    [new CircuitOpenError({ message: 'x' }), true],
    [new AuthenticationError({ message: 'x' }), true],
    [new AuthenticationError({ code: 'LA_PROVIDER_NO_KEY', category: 'user', message: 'x' }), true],
    [new ProviderError({ code: 'LA_CONTEXT_LENGTH', message: 'x' }), true],
    [new ProviderError({ code: 'LA_PROVIDER_NOT_FOUND', message: 'x' }), true],
    [new ProviderError({ code: 'LA_MODEL_OUTPUT_INVALID', message: 'x' }), true],
    [new UserInputError({ code: 'LA_BUDGET_EXCEEDED', message: 'x', details: { scope: 'call' } }), true],
    [new UserInputError({ code: 'LA_BUDGET_EXCEEDED', message: 'x', details: { scope: 'request' } }), true],
    [new UserInputError({ code: 'LA_BUDGET_EXCEEDED', message: 'x', details: { scope: 'run' } }), false],
    [new OperationCancelledError({ message: 'x' }), false],
    [new ProviderError({ code: 'LA_PROVIDER_BAD_REQUEST', message: 'x' }), false],
    [new UserInputError({ code: 'LA_SCHEMA_INVALID', message: 'x' }), false],
    [new UserInputError({ message: 'x' }), false],
    [new InternalError({ message: 'x' }), false],
    [new Error('x'), false],
    ['x', false],
  ])('%o → %s', (error, expected) => {
    expect(shouldFailOver(error)).toBe(expected);
  });
});
