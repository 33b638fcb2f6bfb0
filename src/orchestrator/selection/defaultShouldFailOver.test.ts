import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  CircuitOpenError,
  InternalError,
  NetworkError,
  OperationCancelledError,
  PlanError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitError,
  TimeoutError,
  UserInputError,
} from '../../core/errors/index.js';
import { defaultShouldFailOver } from './defaultShouldFailOver.js';

describe('defaultShouldFailOver', () => {
  it.each([
    ['429', new RateLimitError({ message: 'slow down', status: 429 })],
    ['5xx', new ProviderUnavailableError({ message: 'bad gateway', status: 502 })],
    ['timeout', new TimeoutError({ message: 'took too long' })],
    ['first-token timeout', new TimeoutError({ code: 'LA_FIRST_TOKEN_TIMEOUT', message: 'no first token' })],
    ['network', new NetworkError({ message: 'reset' })],
    ['open circuit', new CircuitOpenError({ message: 'open' })],
    ['context length', new ProviderError({ code: 'LA_CONTEXT_LENGTH', category: 'user', message: 'too long', status: 400 })],
    ['no key', new ProviderError({ code: 'LA_PROVIDER_NO_KEY', category: 'user', message: 'no key' })],
    ['auth', new AuthenticationError({ message: 'bad key', status: 401 })],
  ])('fails over on %s', (_name, error) => {
    expect(defaultShouldFailOver(error)).toBe(true);
  });

  it.each([
    ['user abort', new OperationCancelledError({ message: 'cancelled' })],
    ['abort with a transient category', new OperationCancelledError({ message: 'cancelled', category: 'transient' })],
    ['bad request', new ProviderError({ code: 'LA_PROVIDER_BAD_REQUEST', category: 'user', message: 'bad', status: 400 })],
    ['bad request marked transient', new ProviderError({ code: 'LA_PROVIDER_BAD_REQUEST', category: 'transient', message: 'bad' })],
    ['other user error', new UserInputError({ message: 'nope' })],
    ['plan error', new PlanError({ message: 'nope' })],
    ['permanent provider error', new ProviderError({ message: 'broken' })],
    ['internal error', new InternalError({ message: 'bug' })],
    ['a non-LocalAgent error', new Error('bug')],
    ['a string', 'oops'],
  ])('does not fail over on %s', (_name, error) => {
    expect(defaultShouldFailOver(error)).toBe(false);
  });
});
